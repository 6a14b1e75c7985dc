package domain

import (
	"context"
	"strings"

	"keyfront"
	"keyfront/model"
)

// Tags of distributions (control-api.md §2).

// maxTags is CloudFront's limit of tags per resource.
const maxTags = 50

// CheckTags checks a list of tags named path: keys unique, at most 50
// (InvalidTagging).
func CheckTags(path string, tags []keyfront.Tag) error {
	seen := map[string]bool{}
	for _, t := range tags {
		if seen[t.Key] {
			return errorf("InvalidTagging", "%s lists the key %q twice.", path, t.Key)
		}
		seen[t.Key] = true
	}
	if len(tags) > maxTags {
		return errorf("InvalidTagging", "A resource may have at most %d tags.", maxTags)
	}
	return nil
}

// TaggedDistribution resolves a tagging Resource, the ARN of a
// distribution of the account; keyfront tags nothing else.
func (r *Rules) TaggedDistribution(arn string) (keyfront.DistributionID, error) {
	prefix := model.DistributionARNPrefix(r.cfg.AccountID)
	if arn == "" {
		return "", invalidArgument("The Resource query parameter (a distribution ARN) is required.")
	}
	id, ok := strings.CutPrefix(arn, prefix)
	if !ok || id == "" {
		return "", invalidArgument("Resource %q is not the ARN of a distribution of this account (%s<Id>); keyfront tags distributions only.", arn, prefix)
	}
	return keyfront.DistributionID(id), nil
}

// DistributionTags returns a distribution's tags (NoSuchResource, the
// modelled code, if it does not exist).
func DistributionTags(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID) ([]keyfront.Tag, error) {
	d, err := tx.GetDistribution(ctx, id)
	if err != nil {
		return nil, notFound(err, noSuchKeyGroup)
	}
	return d.Tags, nil
}

// RetagDistribution sets the tags add (replacing those with the same keys)
// and removes the keys drop, keeping at most 50 tags.
func RetagDistribution(ctx context.Context, tx keyfront.Tx, id keyfront.DistributionID, add []keyfront.Tag, drop []string) error {
	d, err := tx.GetDistribution(ctx, id)
	if err != nil {
		return notFound(err, noSuchKeyGroup)
	}
	tags := d.Tags[:0:0]
	for _, t := range d.Tags {
		replaced := false
		for _, a := range add {
			replaced = replaced || a.Key == t.Key
		}
		for _, k := range drop {
			replaced = replaced || k == t.Key
		}
		if !replaced {
			tags = append(tags, t)
		}
	}
	tags = append(tags, add...)
	if len(tags) > maxTags {
		return errorf("InvalidTagging", "A resource may have at most %d tags.", maxTags)
	}
	d.Tags = tags
	return tx.PutDistribution(ctx, d)
}

package controlapi

import (
	"net/http"
	"strings"

	"keyfront"
)

// Tags of distributions: CreateDistributionWithTags and the optional
// ListTagsForResource, TagResource and UntagResource (control-api.md §2).

// maxTags is CloudFront's limit of tags per resource.
const maxTags = 50

// parseTags reads a Tags element: keys unique.
func parseTags(n *node, path string) ([]keyfront.Tag, error) {
	var tags []keyfront.Tag
	seen := map[string]bool{}
	for _, it := range textsItems(n) {
		t := keyfront.Tag{Key: it.str("Key")}
		if v := it.get("Value"); v != nil {
			t.Value = &v.text
		}
		if seen[t.Key] {
			return nil, errorf("InvalidTagging", "%s lists the key %q twice.", path, t.Key)
		}
		seen[t.Key] = true
		tags = append(tags, t)
	}
	if len(tags) > maxTags {
		return nil, errorf("InvalidTagging", "A resource may have at most %d tags.", maxTags)
	}
	return tags, nil
}

// textsItems returns the items of n's Items list (nil-safe).
func textsItems(n *node) []*node {
	if l := n.get("Items"); l != nil {
		return l.items
	}
	return nil
}

func tagsNode(tags []keyfront.Tag) *node {
	n := newNode(shTags)
	var items []*node
	for _, t := range tags {
		it := newNode(shTag)
		it.setText("Key", t.Key)
		if t.Value != nil {
			it.setText("Value", *t.Value)
		}
		items = append(items, it)
	}
	setItems(n, items)
	return n
}

// taggedDistribution resolves the Resource query parameter, a distribution
// ARN of this account.
func (s *Server) taggedDistribution(r *http.Request) (keyfront.DistributionID, error) {
	arn := r.URL.Query().Get("Resource")
	prefix := "arn:aws:cloudfront::" + s.cfg.AccountID + ":distribution/"
	if arn == "" {
		return "", invalidArgument("The Resource query parameter (a distribution ARN) is required.")
	}
	id, ok := strings.CutPrefix(arn, prefix)
	if !ok || id == "" {
		return "", invalidArgument("Resource %q is not the ARN of a distribution of this account (%s<Id>); keyfront tags distributions only.", arn, prefix)
	}
	return keyfront.DistributionID(id), nil
}

func (s *Server) handleTagsList(w http.ResponseWriter, r *http.Request) error {
	id, err := s.taggedDistribution(r)
	if err != nil {
		return err
	}
	var d *keyfront.Distribution
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		d, err = tx.GetDistribution(r.Context(), id)
		return notFound(err, noSuchKeyGroup) // NoSuchResource is the modelled code
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Tags", tagsNode(d.Tags), "", "")
}

// handleTagsUpdate serves TagResource (?Operation=Tag) and UntagResource
// (?Operation=Untag).
func (s *Server) handleTagsUpdate(w http.ResponseWriter, r *http.Request) error {
	op := r.URL.Query().Get("Operation")
	if op != "Tag" && op != "Untag" {
		return errorf("NotImplemented", "keyfront does not implement POST /2020-05-31/tagging?Operation=%s.", op)
	}
	id, err := s.taggedDistribution(r)
	if err != nil {
		return err
	}
	var (
		add  []keyfront.Tag
		drop []string
	)
	if op == "Tag" {
		n, err := s.decodeBody(r, shTags, "Tags", "RequestEntityTooLarge")
		if err != nil {
			return err
		}
		if add, err = parseTags(n, "Tags"); err != nil {
			return err
		}
	} else {
		n, err := s.decodeBody(r, shTagKeys, "TagKeys", "RequestEntityTooLarge")
		if err != nil {
			return err
		}
		drop = textsOfList(n.get("Items"))
	}
	ctx := r.Context()
	err = s.store.Update(ctx, func(tx keyfront.Tx) error {
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
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

package domain

import (
	"context"
	"slices"
	"strings"

	"keyfront"
	"keyfront/model"
)

// Invalidations (control-api.md §3.4, §6, §7).

// StatusCompleted is the status of an invalidation whose paths every live
// edge has purged (InvalidationStatus). The store keeps every invalidation
// as StatusInProgress: its status is computed when it is read.
const StatusCompleted = "Completed"

// InvalidationBatch is what a client asks to invalidate.
type InvalidationBatch struct {
	CallerReference string
	Paths           []string // as sent
}

// CheckInvalidationBatch applies the rules of a batch that need no store:
// a caller reference, at least one non-empty path, and at most
// Quotas.InvalidationPaths paths of which Quotas.InvalidationWildcards end
// in * (BatchTooLarge).
func (r *Rules) CheckInvalidationBatch(b InvalidationBatch) error {
	if err := model.CheckCallerReference("InvalidationBatch", b.CallerReference); err != nil {
		return err
	}
	if len(b.Paths) == 0 {
		return invalidArgument("InvalidationBatch.Paths must list at least one path.")
	}
	for i, p := range b.Paths {
		if strings.TrimSpace(p) == "" {
			return invalidArgument("InvalidationBatch.Paths.Items[%d] is empty.", i)
		}
	}
	files, wild := countPaths(b.Paths)
	if files > r.quotas.InvalidationPaths || wild > r.quotas.InvalidationWildcards {
		return errorf("BatchTooLarge", "An invalidation batch may hold at most %d paths, of which at most %d end in *; this one holds %d, %d with *.",
			r.quotas.InvalidationPaths, r.quotas.InvalidationWildcards, files+wild, wild)
	}
	return nil
}

// countPaths counts plain and wildcard paths (§7).
func countPaths(paths []string) (files, wildcards int) {
	for _, p := range paths {
		if strings.HasSuffix(p, "*") {
			wildcards++
		} else {
			files++
		}
	}
	return files, wildcards
}

// PurgePaths returns the paths an edge purges for an invalidation's paths:
// each starting with "/" (§3.4 Choice: the CLI does not add the slash).
func PurgePaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		out[i] = p
	}
	return out
}

// CreateInvalidation stores a new InProgress invalidation of distribution
// dist (NoSuchDistribution if it does not exist). The same batch again,
// by caller reference and paths, returns the invalidation stored first
// and replay true (§6); the caller reference with other paths is
// InvalidationBatchAlreadyExists. The paths in progress stay within the
// quotas (TooManyInvalidationsInProgress).
func (r *Rules) CreateInvalidation(ctx context.Context, tx keyfront.Tx, dist keyfront.DistributionID, b InvalidationBatch) (inv *keyfront.Invalidation, replay bool, err error) {
	if _, err := GetDistribution(ctx, tx, dist); err != nil {
		return nil, false, err
	}
	if err := r.CheckInvalidationBatch(b); err != nil {
		return nil, false, err
	}
	existing, err := tx.ListInvalidations(ctx, dist, keyfront.Page{})
	if err != nil {
		return nil, false, err
	}
	progress, err := r.Progress(ctx, tx)
	if err != nil {
		return nil, false, err
	}
	files, wild := countPaths(b.Paths)
	for _, e := range existing {
		if e.CallerReference == b.CallerReference {
			if slices.Equal(e.Paths, b.Paths) {
				return e, true, nil
			}
			return nil, false, errorf("InvalidationBatchAlreadyExists", "Invalidation %s already uses CallerReference %q with other paths.", e.ID, b.CallerReference)
		}
		status, err := InvalidationStatus(ctx, tx, progress, e)
		if err != nil {
			return nil, false, err
		}
		if status == StatusInProgress {
			f, w := countPaths(e.Paths)
			files, wild = files+f, wild+w
		}
	}
	if files > r.quotas.InvalidationPaths || wild > r.quotas.InvalidationWildcards {
		return nil, false, errorf("TooManyInvalidationsInProgress", "Processing your request would exceed the invalidations in progress allowed: %d paths, %d ending in *.",
			r.quotas.InvalidationPaths, r.quotas.InvalidationWildcards)
	}
	id, err := unusedID(func() string { return r.newID("I") }, func(id string) error {
		_, err := tx.GetInvalidation(ctx, dist, id)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	inv = &keyfront.Invalidation{
		ID:              id,
		DistributionID:  dist,
		Status:          StatusInProgress,
		CreateTime:      r.now().UTC(),
		CallerReference: b.CallerReference,
		Paths:           b.Paths,
	}
	return inv, false, tx.PutInvalidation(ctx, inv)
}

// GetInvalidation returns an invalidation of distribution dist:
// NoSuchDistribution, then NoSuchInvalidation.
func GetInvalidation(ctx context.Context, tx keyfront.Tx, dist keyfront.DistributionID, id string) (*keyfront.Invalidation, error) {
	if _, err := GetDistribution(ctx, tx, dist); err != nil {
		return nil, err
	}
	inv, err := tx.GetInvalidation(ctx, dist, id)
	return inv, notFound(err, noSuchInvalidation)
}

// ListInvalidations lists a page of a distribution's invalidations, newest
// first (NoSuchDistribution if it does not exist).
func ListInvalidations(ctx context.Context, tx keyfront.Tx, dist keyfront.DistributionID, p keyfront.Page) ([]*keyfront.Invalidation, error) {
	if _, err := GetDistribution(ctx, tx, dist); err != nil {
		return nil, err
	}
	return tx.ListInvalidations(ctx, dist, p)
}

package controlapi

import (
	"context"
	"net/http"
	"slices"
	"strings"

	"keyfront"
)

// Invalidations (control-api.md §3.4, §6, §7).

const statusCompleted = "Completed"

// invalidationInput is a validated InvalidationBatch.
type invalidationInput struct {
	callerRef string
	paths     []string // as sent
}

func (s *Server) parseInvalidationBatch(r *http.Request) (*invalidationInput, error) {
	n, err := s.decodeBody(r, shInvalidationBatch, "InvalidationBatch", "BatchTooLarge")
	if err != nil {
		return nil, err
	}
	in := &invalidationInput{callerRef: n.str("CallerReference"), paths: n.textsOf("Paths")}
	if err := checkCallerReference("InvalidationBatch", in.callerRef); err != nil {
		return nil, err
	}
	if len(in.paths) == 0 {
		return nil, invalidArgument("InvalidationBatch.Paths must list at least one path.")
	}
	for i, p := range in.paths {
		if strings.TrimSpace(p) == "" {
			return nil, invalidArgument("InvalidationBatch.Paths.Items[%d] is empty.", i)
		}
	}
	files, wild := countPaths(in.paths)
	if files > s.quotas.InvalidationPaths || wild > s.quotas.InvalidationWildcards {
		return nil, errorf("BatchTooLarge", "An invalidation batch may hold at most %d paths, of which at most %d end in *; this one holds %d, %d with *.",
			s.quotas.InvalidationPaths, s.quotas.InvalidationWildcards, files+wild, wild)
	}
	return in, nil
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

// purgePaths returns the paths to purge: each starting with "/" (§3.4
// Choice: the CLI does not add the slash).
func purgePaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		if !strings.HasPrefix(p, "/") {
			p = "/" + p
		}
		out[i] = p
	}
	return out
}

func invalidationNode(inv *keyfront.Invalidation, status string) *node {
	n := newNode(shInvalidation)
	n.setText("Id", inv.ID)
	n.setText("Status", status)
	n.setTime("CreateTime", inv.CreateTime)
	b := n.ensure("InvalidationBatch")
	setQuantityItems(b.ensure("Paths"), inv.Paths)
	b.setText("CallerReference", inv.CallerReference)
	return n
}

func (s *Server) handleInvalidationCreate(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	in, perr := s.parseInvalidationBatch(r)
	ctx := r.Context()
	var (
		inv    *keyfront.Invalidation
		replay bool
	)
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		if _, err := tx.GetDistribution(ctx, dist); err != nil {
			return notFound(err, noSuchDistribution)
		}
		if perr != nil {
			return perr
		}
		existing, err := tx.ListInvalidations(ctx, dist, keyfront.Page{})
		if err != nil {
			return err
		}
		files, wild := countPaths(in.paths)
		for _, e := range existing {
			if e.CallerReference == in.callerRef {
				// The same batch again is answered with the original (§6).
				if slices.Equal(e.Paths, in.paths) {
					inv, replay = e, true
					return nil
				}
				return errorf("InvalidationBatchAlreadyExists", "Invalidation %s already uses CallerReference %q with other paths.", e.ID, in.callerRef)
			}
			if e.Status == statusInProgress {
				f, w := countPaths(e.Paths)
				files, wild = files+f, wild+w
			}
		}
		if files > s.quotas.InvalidationPaths || wild > s.quotas.InvalidationWildcards {
			return errorf("TooManyInvalidationsInProgress", "Processing your request would exceed the invalidations in progress allowed: %d paths, %d ending in *.",
				s.quotas.InvalidationPaths, s.quotas.InvalidationWildcards)
		}
		id, err := s.unusedID(func() string { return s.newID("I") }, func(id string) error {
			_, err := tx.GetInvalidation(ctx, dist, id)
			return err
		})
		if err != nil {
			return err
		}
		inv = &keyfront.Invalidation{
			ID:              id,
			DistributionID:  dist,
			Status:          statusInProgress,
			CreateTime:      s.now().UTC(),
			CallerReference: in.callerRef,
			Paths:           in.paths,
		}
		return tx.PutInvalidation(ctx, inv)
	})
	if err != nil {
		return err
	}
	status := inv.Status
	if !replay {
		status = statusInProgress // the create response says InProgress (§3.4)
		s.complete(ctx, inv)
	}
	return s.writeXML(w, http.StatusCreated, "Invalidation", invalidationNode(inv, status), "",
		s.location(r, "distribution/"+string(dist)+"/invalidation/"+inv.ID))
}

// complete purges an in-progress invalidation's paths through
// Config.Purge and, if that succeeds, records it as Completed. A failure
// leaves it InProgress for the next read to retry. It updates inv.
func (s *Server) complete(ctx context.Context, inv *keyfront.Invalidation) {
	// The purge is worth finishing even if the client goes away.
	ctx = context.WithoutCancel(ctx)
	if s.cfg.Purge != nil {
		if err := s.cfg.Purge(ctx, inv.DistributionID, purgePaths(inv.Paths)); err != nil {
			s.log.Error("purging invalidation", "distribution", inv.DistributionID, "invalidation", inv.ID, "err", err)
			return
		}
	}
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		cur, err := tx.GetInvalidation(ctx, inv.DistributionID, inv.ID)
		if err != nil {
			return err
		}
		if cur.Status == statusCompleted {
			return nil
		}
		cur.Status = statusCompleted
		return tx.PutInvalidation(ctx, cur)
	})
	if err != nil {
		s.log.Error("completing invalidation", "distribution", inv.DistributionID, "invalidation", inv.ID, "err", err)
		return
	}
	inv.Status = statusCompleted
}

func (s *Server) handleInvalidationGet(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	ctx := r.Context()
	var inv *keyfront.Invalidation
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		if _, err := tx.GetDistribution(ctx, dist); err != nil {
			return notFound(err, noSuchDistribution)
		}
		var err error
		inv, err = tx.GetInvalidation(ctx, dist, r.PathValue("Id"))
		return notFound(err, noSuchInvalidation)
	})
	if err != nil {
		return err
	}
	if inv.Status == statusInProgress {
		s.complete(ctx, inv) // retry a purge that failed before
	}
	return s.writeXML(w, http.StatusOK, "Invalidation", invalidationNode(inv, inv.Status), "", "")
}

func (s *Server) handleInvalidationList(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	var invs []*keyfront.Invalidation
	err = s.store.View(ctx, func(tx keyfront.Tx) error {
		if _, err := tx.GetDistribution(ctx, dist); err != nil {
			return notFound(err, noSuchDistribution)
		}
		var err error
		invs, err = tx.ListInvalidations(ctx, dist, keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := newNode(shInvalidationList)
	invs = pageInto(list, invs, maxItems, func(i *keyfront.Invalidation) string { return i.ID }, true, marker)
	items := make([]*node, len(invs))
	for i, inv := range invs {
		it := newNode(shInvalidationSummary)
		it.setText("Id", inv.ID)
		it.setTime("CreateTime", inv.CreateTime)
		it.setText("Status", inv.Status)
		items[i] = it
	}
	setItems(list, items)
	return s.writeXML(w, http.StatusOK, "InvalidationList", list, "", "")
}

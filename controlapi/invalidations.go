package controlapi

import (
	"context"
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Invalidations (control-api.md §3.4, §6, §7): XML in and out, the rules
// in domain.

func (s *Server) parseInvalidationBatch(r *http.Request) (domain.InvalidationBatch, error) {
	n, err := s.decodeBody(r, model.ShInvalidationBatch, "InvalidationBatch", "BatchTooLarge")
	if err != nil {
		return domain.InvalidationBatch{}, err
	}
	b := domain.InvalidationBatch{CallerReference: n.Str("CallerReference"), Paths: n.TextsOf("Paths")}
	return b, s.rules.CheckInvalidationBatch(b)
}

func invalidationNode(inv *keyfront.Invalidation, status string) *model.Node {
	n := model.NewNode(model.ShInvalidation)
	n.SetText("Id", inv.ID)
	n.SetText("Status", status)
	n.SetTime("CreateTime", inv.CreateTime)
	b := n.Ensure("InvalidationBatch")
	b.Ensure("Paths").SetQuantityItems(inv.Paths)
	b.SetText("CallerReference", inv.CallerReference)
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
		if perr != nil {
			_, err := domain.GetDistribution(ctx, tx, dist)
			return bodyFault(err, perr)
		}
		var err error
		inv, replay, err = s.rules.CreateInvalidation(ctx, tx, dist, in)
		return err
	})
	if err != nil {
		return err
	}
	status := inv.Status
	if !replay {
		status = domain.StatusInProgress // the create response says InProgress (§3.4)
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
		if err := s.cfg.Purge(ctx, inv.DistributionID, domain.PurgePaths(inv.Paths)); err != nil {
			s.log.Error("purging invalidation", "distribution", inv.DistributionID, "invalidation", inv.ID, "err", err)
			return
		}
	}
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		_, err := domain.CompleteInvalidation(ctx, tx, inv.DistributionID, inv.ID)
		return err
	})
	if err != nil {
		s.log.Error("completing invalidation", "distribution", inv.DistributionID, "invalidation", inv.ID, "err", err)
		return
	}
	inv.Status = domain.StatusCompleted
}

func (s *Server) handleInvalidationGet(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	ctx := r.Context()
	var inv *keyfront.Invalidation
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		inv, err = domain.GetInvalidation(ctx, tx, dist, r.PathValue("Id"))
		return err
	})
	if err != nil {
		return err
	}
	if inv.Status == domain.StatusInProgress {
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
		var err error
		invs, err = domain.ListInvalidations(ctx, tx, dist, keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := model.NewNode(model.ShInvalidationList)
	invs = pageInto(list, invs, maxItems, func(i *keyfront.Invalidation) string { return i.ID }, true, marker)
	items := make([]*model.Node, len(invs))
	for i, inv := range invs {
		it := model.NewNode(model.ShInvalidationSummary)
		it.SetText("Id", inv.ID)
		it.SetTime("CreateTime", inv.CreateTime)
		it.SetText("Status", inv.Status)
		items[i] = it
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "InvalidationList", list, "", "")
}

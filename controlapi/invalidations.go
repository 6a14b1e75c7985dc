package controlapi

import (
	"context"
	"net/http"
	"time"

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
		// A new invalidation is InProgress in the create response, as
		// CloudFront's is (§3.4): no edge can have purged it yet.
		status = domain.StatusInProgress
	)
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		if perr != nil {
			_, err := domain.GetDistribution(ctx, tx, dist)
			return bodyFault(err, perr)
		}
		var err error
		if inv, replay, err = s.rules.CreateInvalidation(ctx, tx, dist, in); err != nil || !replay {
			return err
		}
		// The same batch again reports where the first one got.
		status, err = s.invalidationStatus(ctx, tx, inv)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "Invalidation", invalidationNode(inv, status), "",
		s.location(r, "distribution/"+string(dist)+"/invalidation/"+inv.ID))
}

func (s *Server) handleInvalidationGet(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	ctx := r.Context()
	var (
		inv    *keyfront.Invalidation
		status string
	)
	err := s.awaitStatus(ctx, func() (bool, error) {
		err := s.store.View(ctx, func(tx keyfront.Tx) error {
			var err error
			if inv, err = domain.GetInvalidation(ctx, tx, dist, r.PathValue("Id")); err != nil {
				return err
			}
			status, err = s.invalidationStatus(ctx, tx, inv)
			return err
		})
		return err == nil && status == domain.StatusInProgress, err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Invalidation", invalidationNode(inv, status), "", "")
}

func (s *Server) handleInvalidationList(w http.ResponseWriter, r *http.Request) error {
	dist := keyfront.DistributionID(r.PathValue("DistributionId"))
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	list := model.NewNode(model.ShInvalidationList)
	var items []*model.Node
	err = s.store.View(ctx, func(tx keyfront.Tx) error {
		invs, err := domain.ListInvalidations(ctx, tx, dist, keyfront.Page{Marker: marker, Limit: maxItems + 1})
		if err != nil {
			return err
		}
		invs = pageInto(list, invs, maxItems, func(i *keyfront.Invalidation) string { return i.ID }, true, marker)
		p, err := s.rules.Progress(ctx, tx)
		if err != nil {
			return err
		}
		items = make([]*model.Node, len(invs))
		for i, inv := range invs {
			status, err := domain.InvalidationStatus(ctx, tx, p, inv)
			if err != nil {
				return err
			}
			it := model.NewNode(model.ShInvalidationSummary)
			it.SetText("Id", inv.ID)
			it.SetTime("CreateTime", inv.CreateTime)
			it.SetText("Status", status)
			items[i] = it
		}
		return nil
	})
	if err != nil {
		return err
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "InvalidationList", list, "", "")
}

// invalidationStatus is inv's status as the live edges' progress gives it
// (domain.InvalidationStatus): Completed once every live edge purged it.
func (s *Server) invalidationStatus(ctx context.Context, tx keyfront.Tx, inv *keyfront.Invalidation) (string, error) {
	p, err := s.rules.Progress(ctx, tx)
	if err != nil {
		return "", err
	}
	return domain.InvalidationStatus(ctx, tx, p, inv)
}

// statusPoll is how often awaitStatus reads the edges' progress again.
// Nodes' reports are not changes of the store, so there is no Wait for
// them: reading one small table every 10 ms for at most
// Config.StatusWait costs little.
const statusPoll = 10 * time.Millisecond

// awaitStatus calls read until it reports that the status it read is not
// InProgress, it fails, Config.StatusWait has passed or ctx ends; the
// values read last are the answer.
func (s *Server) awaitStatus(ctx context.Context, read func() (inProgress bool, err error)) error {
	deadline := time.Now().Add(s.cfg.StatusWait)
	for {
		inProgress, err := read()
		if err != nil || !inProgress || !time.Now().Add(statusPoll).Before(deadline) {
			return err
		}
		select {
		case <-ctx.Done():
			return nil // answer what was read; the client has gone anyway
		case <-time.After(statusPoll):
		}
	}
}

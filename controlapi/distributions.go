package controlapi

import (
	"context"
	"fmt"
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Distributions (control-api.md §3.5, §5, §6, §7, §10): XML in and out,
// the configuration model in model, the rules in domain.

// parseDistributionBody decodes a CreateDistribution(WithTags) or
// UpdateDistribution body.
func (s *Server) parseDistributionBody(r *http.Request, withTags bool) (*model.Canonical, []keyfront.Tag, error) {
	if !withTags {
		n, err := s.decodeBody(r, model.ShDistributionConfig, "DistributionConfig", "RequestEntityTooLarge")
		if err != nil {
			return nil, nil, err
		}
		c, err := model.CanonicalFromNode(n)
		return c, nil, err
	}
	n, err := s.decodeBody(r, model.ShDistributionConfigWithTags, "DistributionConfigWithTags", "RequestEntityTooLarge")
	if err != nil {
		return nil, nil, err
	}
	tags, err := parseTags(n.Get("Tags"), "DistributionConfigWithTags.Tags")
	if err != nil {
		return nil, nil, err
	}
	c, err := model.CanonicalFromNode(n.Get("DistributionConfig"))
	return c, tags, err
}

// distributionNode builds the Distribution element of d (§3.5): status is
// what the response says, "" for the status the edges' progress gives
// (domain.DistributionStatus); the active trusted signers and key groups
// are domain.State's.
func (s *Server) distributionNode(ctx context.Context, tx keyfront.Tx, d *keyfront.Distribution, status string) (*model.Node, error) {
	p, err := s.rules.Progress(ctx, tx)
	if err != nil {
		return nil, err
	}
	if status == "" {
		if status, err = domain.DistributionStatus(ctx, tx, p, d); err != nil {
			return nil, err
		}
	}
	st, err := domain.State(ctx, tx, p, d)
	if err != nil {
		return nil, err
	}
	n := model.NewNode(model.ShDistribution)
	n.SetText("Id", string(d.ID))
	n.SetText("ARN", s.rules.DistributionARN(d.ID))
	n.SetText("Status", status)
	n.SetTime("LastModifiedTime", d.LastModifiedTime)
	n.SetInt("InProgressInvalidationBatches", int64(st.InProgressInvalidations))
	n.SetText("DomainName", d.DomainName)

	ats := n.Ensure("ActiveTrustedSigners")
	ats.SetBool("Enabled", st.SignersEnabled)
	var signerItems []*model.Node
	if st.SignersEnabled {
		sg := model.NewNode(model.ShSigner)
		sg.SetText("AwsAccountNumber", "self")
		sg.Ensure("KeyPairIds").SetQuantityItems(keyIDs(st.SignerKeys))
		signerItems = append(signerItems, sg)
	}
	ats.SetItems(signerItems)

	atk := n.Ensure("ActiveTrustedKeyGroups")
	atk.SetBool("Enabled", st.KeyGroupsEnabled)
	var kgItems []*model.Node
	for _, g := range st.KeyGroups {
		it := model.NewNode(model.ShKGKeyPairIds)
		it.SetText("KeyGroupId", string(g.ID))
		it.Ensure("KeyPairIds").SetQuantityItems(keyIDs(g.Keys))
		kgItems = append(kgItems, it)
	}
	atk.SetItems(kgItems)
	n.Set("DistributionConfig", model.RawNode(model.ShDistributionConfig, d.Config))
	return n, nil
}

func keyIDs(ids []keyfront.KeyPairID) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = string(id)
	}
	return out
}

func (s *Server) handleDistributionCreate(w http.ResponseWriter, r *http.Request) error {
	in, tags, err := s.parseDistributionBody(r, r.URL.Query().Has("WithTags"))
	if err != nil {
		return err
	}
	ctx := r.Context()
	var (
		d    *keyfront.Distribution
		resp *model.Node
	)
	err = s.store.Update(ctx, func(tx keyfront.Tx) error {
		var err error
		if d, err = s.rules.CreateDistribution(ctx, tx, in, tags); err != nil {
			return err
		}
		resp, err = s.distributionNode(ctx, tx, d, domain.StatusInProgress)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "Distribution", resp, d.ETag, s.location(r, "distribution/"+string(d.ID)))
}

func (s *Server) handleDistributionGet(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var (
		d    *keyfront.Distribution
		resp *model.Node
	)
	err := s.awaitStatus(ctx, func() (bool, error) {
		err := s.store.View(ctx, func(tx keyfront.Tx) error {
			var err error
			if d, err = domain.GetDistribution(ctx, tx, keyfront.DistributionID(r.PathValue("Id"))); err != nil {
				return err
			}
			resp, err = s.distributionNode(ctx, tx, d, "")
			return err
		})
		return err == nil && resp.Str("Status") == domain.StatusInProgress, err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Distribution", resp, d.ETag, "")
}

func (s *Server) handleDistributionGetConfig(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	var d *keyfront.Distribution
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		d, err = domain.GetDistribution(ctx, tx, keyfront.DistributionID(r.PathValue("Id")))
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "DistributionConfig", model.RawNode(model.ShDistributionConfig, d.Config), d.ETag, "")
}

func (s *Server) handleDistributionUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.DistributionID(r.PathValue("Id"))
	in, _, perr := s.parseDistributionBody(r, false)
	ctx := r.Context()
	var (
		d    *keyfront.Distribution
		resp *model.Node
	)
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		if perr != nil {
			_, err := domain.DistributionForUpdate(ctx, tx, id, ifMatch(r))
			return bodyFault(err, perr)
		}
		var err error
		if d, err = s.rules.UpdateDistribution(ctx, tx, id, ifMatch(r), in); err != nil {
			return err
		}
		resp, err = s.distributionNode(ctx, tx, d, domain.StatusInProgress)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "Distribution", resp, d.ETag, "")
}

func (s *Server) handleDistributionDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.DistributionID(r.PathValue("Id"))
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		return domain.DeleteDistribution(r.Context(), tx, id, ifMatch(r))
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

// distributionSummary builds the DistributionSummary of d: the members it
// shares with DistributionConfig are copied from the stored configuration
// (§3.5), the rest come from the record; status is computed.
func (s *Server) distributionSummary(d *keyfront.Distribution, status string) (*model.Node, error) {
	cfg, err := model.StoredNode(d.Config)
	if err != nil {
		return nil, fmt.Errorf("controlapi: stored configuration of distribution %s: %w", d.ID, err)
	}
	n := model.NewNode(model.ShDistributionSummary)
	n.CopyMembersFrom(cfg)
	n.SetText("Id", string(d.ID))
	n.SetText("ARN", s.rules.DistributionARN(d.ID))
	n.SetText("ETag", d.ETag)
	n.SetText("Status", status)
	n.SetTime("LastModifiedTime", d.LastModifiedTime)
	n.SetText("DomainName", d.DomainName)
	return n, nil
}

func (s *Server) handleDistributionList(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	list := model.NewNode(model.ShDistributionList)
	var items []*model.Node
	err = s.store.View(ctx, func(tx keyfront.Tx) error {
		dists, err := tx.ListDistributions(ctx, keyfront.Page{Marker: marker, Limit: maxItems + 1})
		if err != nil {
			return err
		}
		dists = pageInto(list, dists, maxItems, func(d *keyfront.Distribution) string { return string(d.ID) }, true, marker)
		// One read of the nodes for the whole page, so that every summary
		// is measured against the same progress.
		p, err := s.rules.Progress(ctx, tx)
		if err != nil {
			return err
		}
		items = make([]*model.Node, len(dists))
		for i, d := range dists {
			status, err := domain.DistributionStatus(ctx, tx, p, d)
			if err != nil {
				return err
			}
			if items[i], err = s.distributionSummary(d, status); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "DistributionList", list, "", "")
}

func (s *Server) handleDistributionListByKeyGroup(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	kg := keyfront.KeyGroupID(r.PathValue("KeyGroupId"))
	var ids []string
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		dists, err := domain.DistributionsByKeyGroup(r.Context(), tx, kg, marker)
		for _, id := range dists {
			ids = append(ids, string(id))
		}
		return err
	})
	if err != nil {
		return err
	}
	list := model.NewNode(model.ShDistributionIdList)
	ids = pageInto(list, ids, maxItems, func(id string) string { return id }, true, marker)
	list.SetQuantityItems(ids)
	return s.writeXML(w, http.StatusOK, "DistributionIdList", list, "", "")
}

package controlapi

import (
	"context"
	"net/http"
	"slices"

	"keyfront"
)

// Key groups (control-api.md §3.2, §6, §7, §10).

// keyGroupInput is a validated KeyGroupConfig.
type keyGroupInput struct {
	name    string
	items   []keyfront.KeyPairID
	comment *string
}

func (s *Server) parseKeyGroupConfig(r *http.Request) (*keyGroupInput, error) {
	n, err := s.decodeBody(r, shKeyGroupConfig, "KeyGroupConfig", "RequestEntityTooLarge")
	if err != nil {
		return nil, err
	}
	in := &keyGroupInput{name: n.str("Name")}
	if !resourceName.MatchString(in.name) {
		return nil, invalidArgument("KeyGroupConfig.Name %q must be 1 to 128 letters, digits, hyphens or underscores.", in.name)
	}
	if c := n.get("Comment"); c != nil {
		if err := checkComment("KeyGroupConfig", c.text); err != nil {
			return nil, err
		}
		in.comment = &c.text
	}
	if l := n.get("Items"); l != nil {
		for _, it := range l.items {
			id := keyfront.KeyPairID(it.text)
			if !slices.Contains(in.items, id) { // duplicates collapse (§7 Choice)
				in.items = append(in.items, id)
			}
		}
	}
	if len(in.items) == 0 {
		return nil, invalidArgument("KeyGroupConfig.Items must list at least one public key ID.")
	}
	return in, nil
}

// checkKeyGroup applies the rules that need the store: unique name (other
// than the group self), the keys-per-group quota, and existing keys.
func (s *Server) checkKeyGroup(ctx context.Context, tx keyfront.Tx, in *keyGroupInput, self keyfront.KeyGroupID) ([]*keyfront.KeyGroup, error) {
	all, err := tx.ListKeyGroups(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, g := range all {
		if g.Name == in.name && g.ID != self {
			return nil, errorf("KeyGroupAlreadyExists", "A key group named %q already exists (%s).", in.name, g.ID)
		}
	}
	if len(in.items) > s.quotas.KeysPerKeyGroup {
		return nil, errorf("TooManyPublicKeysInKeyGroup", "A key group may hold at most %d public keys; this one lists %d.", s.quotas.KeysPerKeyGroup, len(in.items))
	}
	for _, id := range in.items {
		if _, err := tx.GetPublicKey(ctx, id); err != nil {
			if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
				return nil, invalidArgument("KeyGroupConfig.Items: public key %s does not exist.", id)
			}
			return nil, err
		}
	}
	return all, nil
}

func keyGroupConfigNode(g *keyfront.KeyGroup) *node {
	n := newNode(shKeyGroupConfig)
	n.setText("Name", g.Name)
	ids := make([]string, len(g.Items))
	for i, id := range g.Items {
		ids[i] = string(id)
	}
	if len(ids) > 0 {
		l := n.ensure("Items")
		for _, id := range ids {
			l.items = append(l.items, &node{shape: l.sh().item, text: id})
		}
	}
	if g.Comment != nil {
		n.setText("Comment", *g.Comment) // omitted when absent (§3.2 Choice)
	}
	return n
}

func keyGroupNode(g *keyfront.KeyGroup) *node {
	n := newNode(shKeyGroup)
	n.setText("Id", string(g.ID))
	n.setTime("LastModifiedTime", g.LastModifiedTime)
	n.set("KeyGroupConfig", keyGroupConfigNode(g))
	return n
}

func (s *Server) handleKeyGroupCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parseKeyGroupConfig(r)
	if err != nil {
		return err
	}
	g := &keyfront.KeyGroup{
		LastModifiedTime: s.now().UTC(),
		Name:             in.name,
		Items:            in.items,
		Comment:          in.comment,
		ETag:             s.newETag(),
	}
	ctx := r.Context()
	err = s.store.Update(ctx, func(tx keyfront.Tx) error {
		all, err := s.checkKeyGroup(ctx, tx, in, "")
		if err != nil {
			return err
		}
		if len(all) >= s.quotas.KeyGroups {
			return errorf("TooManyKeyGroups", "Processing your request will cause you to exceed the maximum number of key groups allowed (%d).", s.quotas.KeyGroups)
		}
		id, err := s.unusedID(s.newUUID, func(id string) error {
			_, err := tx.GetKeyGroup(ctx, keyfront.KeyGroupID(id))
			return err
		})
		if err != nil {
			return err
		}
		g.ID = keyfront.KeyGroupID(id)
		return tx.PutKeyGroup(ctx, g)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "KeyGroup", keyGroupNode(g), g.ETag, s.location(r, "key-group/"+string(g.ID)))
}

func (s *Server) getKeyGroup(ctx context.Context, id string) (*keyfront.KeyGroup, error) {
	var g *keyfront.KeyGroup
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		g, err = tx.GetKeyGroup(ctx, keyfront.KeyGroupID(id))
		return notFound(err, noSuchKeyGroup)
	})
	return g, err
}

func (s *Server) handleKeyGroupGet(w http.ResponseWriter, r *http.Request) error {
	g, err := s.getKeyGroup(r.Context(), r.PathValue("Id"))
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "KeyGroup", keyGroupNode(g), g.ETag, "")
}

func (s *Server) handleKeyGroupGetConfig(w http.ResponseWriter, r *http.Request) error {
	g, err := s.getKeyGroup(r.Context(), r.PathValue("Id"))
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "KeyGroupConfig", keyGroupConfigNode(g), g.ETag, "")
}

func (s *Server) handleKeyGroupList(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	var groups []*keyfront.KeyGroup
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		groups, err = tx.ListKeyGroups(r.Context(), keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := newNode(shKeyGroupList)
	groups = pageInto(list, groups, maxItems, func(g *keyfront.KeyGroup) string { return string(g.ID) }, false, "")
	items := make([]*node, len(groups))
	for i, g := range groups {
		it := newNode(shKeyGroupSummary)
		it.set("KeyGroup", keyGroupNode(g))
		items[i] = it
	}
	setItems(list, items)
	return s.writeXML(w, http.StatusOK, "KeyGroupList", list, "", "")
}

func (s *Server) handleKeyGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyGroupID(r.PathValue("Id"))
	in, perr := s.parseKeyGroupConfig(r)
	ctx := r.Context()
	var g *keyfront.KeyGroup
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		var err error
		g, err = tx.GetKeyGroup(ctx, id)
		if err != nil {
			return notFound(err, noSuchKeyGroup)
		}
		if err := checkIfMatch(ifMatch(r), g.ETag); err != nil {
			return err
		}
		if perr != nil {
			return perr
		}
		if _, err := s.checkKeyGroup(ctx, tx, in, id); err != nil {
			return err
		}
		now := s.now().UTC()
		keysChanged := !slices.Equal(g.Items, in.items)
		g.Name, g.Items, g.Comment = in.name, in.items, in.comment
		g.ETag, g.LastModifiedTime = s.newETag(), now
		if err := tx.PutKeyGroup(ctx, g); err != nil {
			return err
		}
		if !keysChanged {
			return nil
		}
		// The distributions that trust the group show its keys in
		// ActiveTrustedKeyGroups, so they change too (§5).
		dists, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		for _, d := range dists {
			if slices.Contains(d.KeyGroupIDs, id) {
				d.ETag, d.LastModifiedTime = s.newETag(), now
				if err := tx.PutDistribution(ctx, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "KeyGroup", keyGroupNode(g), g.ETag, "")
}

func (s *Server) handleKeyGroupDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyGroupID(r.PathValue("Id"))
	ctx := r.Context()
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		g, err := tx.GetKeyGroup(ctx, id)
		if err != nil {
			return notFound(err, noSuchKeyGroup)
		}
		if err := checkIfMatch(ifMatch(r), g.ETag); err != nil {
			return err
		}
		dists, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		for _, d := range dists {
			if slices.Contains(d.KeyGroupIDs, id) {
				return errorf("ResourceInUse", msgResourceInUse+" Distribution %s trusts key group %s.", d.ID, id)
			}
		}
		return tx.DeleteKeyGroup(ctx, id)
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

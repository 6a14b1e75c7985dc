package controlapi

import (
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Key groups (control-api.md §3.2, §6, §7, §10): XML in and out, the rules
// in domain.

func (s *Server) parseKeyGroupConfig(r *http.Request) (domain.KeyGroupConfig, error) {
	n, err := s.decodeBody(r, model.ShKeyGroupConfig, "KeyGroupConfig", "RequestEntityTooLarge")
	if err != nil {
		return domain.KeyGroupConfig{}, err
	}
	c := domain.KeyGroupConfig{Name: n.Str("Name")}
	if cm := n.Get("Comment"); cm != nil {
		text := cm.Text()
		c.Comment = &text
	}
	for _, id := range n.Get("Items").Texts() {
		c.Items = append(c.Items, keyfront.KeyPairID(id))
	}
	return c, nil
}

func keyGroupConfigNode(g *keyfront.KeyGroup) *model.Node {
	n := model.NewNode(model.ShKeyGroupConfig)
	n.SetText("Name", g.Name)
	ids := make([]string, len(g.Items))
	for i, id := range g.Items {
		ids[i] = string(id)
	}
	n.SetList("Items", ids)
	if g.Comment != nil {
		n.SetText("Comment", *g.Comment) // omitted when absent (§3.2 Choice)
	}
	return n
}

func keyGroupNode(g *keyfront.KeyGroup) *model.Node {
	n := model.NewNode(model.ShKeyGroup)
	n.SetText("Id", string(g.ID))
	n.SetTime("LastModifiedTime", g.LastModifiedTime)
	n.Set("KeyGroupConfig", keyGroupConfigNode(g))
	return n
}

func (s *Server) handleKeyGroupCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parseKeyGroupConfig(r)
	if err != nil {
		return err
	}
	var g *keyfront.KeyGroup
	err = s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		g, err = s.rules.CreateKeyGroup(r.Context(), tx, in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "KeyGroup", keyGroupNode(g), g.ETag, s.location(r, "key-group/"+string(g.ID)))
}

func (s *Server) getKeyGroup(r *http.Request) (*keyfront.KeyGroup, error) {
	var g *keyfront.KeyGroup
	err := s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		g, err = domain.GetKeyGroup(r.Context(), tx, keyfront.KeyGroupID(r.PathValue("Id")))
		return err
	})
	return g, err
}

func (s *Server) handleKeyGroupGet(w http.ResponseWriter, r *http.Request) error {
	g, err := s.getKeyGroup(r)
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "KeyGroup", keyGroupNode(g), g.ETag, "")
}

func (s *Server) handleKeyGroupGetConfig(w http.ResponseWriter, r *http.Request) error {
	g, err := s.getKeyGroup(r)
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
	list := model.NewNode(model.ShKeyGroupList)
	groups = pageInto(list, groups, maxItems, func(g *keyfront.KeyGroup) string { return string(g.ID) }, false, "")
	items := make([]*model.Node, len(groups))
	for i, g := range groups {
		it := model.NewNode(model.ShKeyGroupSummary)
		it.Set("KeyGroup", keyGroupNode(g))
		items[i] = it
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "KeyGroupList", list, "", "")
}

func (s *Server) handleKeyGroupUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyGroupID(r.PathValue("Id"))
	in, perr := s.parseKeyGroupConfig(r)
	var g *keyfront.KeyGroup
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		if perr != nil {
			_, err := domain.KeyGroupForUpdate(r.Context(), tx, id, ifMatch(r))
			return bodyFault(err, perr)
		}
		var err error
		g, err = s.rules.UpdateKeyGroup(r.Context(), tx, id, ifMatch(r), in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "KeyGroup", keyGroupNode(g), g.ETag, "")
}

func (s *Server) handleKeyGroupDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyGroupID(r.PathValue("Id"))
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		return domain.DeleteKeyGroup(r.Context(), tx, id, ifMatch(r))
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

package controlapi

import (
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Origin access controls (control-api.md §3.3, §6, §10): XML in and out,
// the rules in domain.

func (s *Server) parseOACConfig(r *http.Request) (domain.OriginAccessControlConfig, error) {
	n, err := s.decodeBody(r, model.ShOriginAccessControlConfig, "OriginAccessControlConfig", "RequestEntityTooLarge")
	if err != nil {
		return domain.OriginAccessControlConfig{}, err
	}
	return domain.OriginAccessControlConfig{
		Name:            n.Str("Name"),
		Description:     n.Str("Description"),
		SigningProtocol: n.Str("SigningProtocol"),
		SigningBehavior: n.Str("SigningBehavior"),
		OriginType:      n.Str("OriginAccessControlOriginType"),
	}, nil
}

func oacConfigNode(o *keyfront.OriginAccessControl) *model.Node {
	n := model.NewNode(model.ShOriginAccessControlConfig)
	n.SetText("Name", o.Name)
	n.SetText("Description", o.Description)
	n.SetText("SigningProtocol", o.SigningProtocol)
	n.SetText("SigningBehavior", o.SigningBehavior)
	n.SetText("OriginAccessControlOriginType", o.OriginType)
	return n
}

func oacNode(o *keyfront.OriginAccessControl) *model.Node {
	n := model.NewNode(model.ShOriginAccessControl)
	n.SetText("Id", o.ID)
	n.Set("OriginAccessControlConfig", oacConfigNode(o))
	return n
}

func (s *Server) handleOriginAccessControlCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parseOACConfig(r)
	if err != nil {
		return err
	}
	var o *keyfront.OriginAccessControl
	err = s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		o, err = s.rules.CreateOriginAccessControl(r.Context(), tx, in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "OriginAccessControl", oacNode(o), o.ETag, s.location(r, "origin-access-control/"+o.ID))
}

func (s *Server) getOAC(r *http.Request) (*keyfront.OriginAccessControl, error) {
	var o *keyfront.OriginAccessControl
	err := s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		o, err = domain.GetOriginAccessControl(r.Context(), tx, r.PathValue("Id"))
		return err
	})
	return o, err
}

func (s *Server) handleOriginAccessControlGet(w http.ResponseWriter, r *http.Request) error {
	o, err := s.getOAC(r)
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "OriginAccessControl", oacNode(o), o.ETag, "")
}

func (s *Server) handleOriginAccessControlGetConfig(w http.ResponseWriter, r *http.Request) error {
	o, err := s.getOAC(r)
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "OriginAccessControlConfig", oacConfigNode(o), o.ETag, "")
}

func (s *Server) handleOriginAccessControlList(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	var all []*keyfront.OriginAccessControl
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		all, err = tx.ListOriginAccessControls(r.Context(), keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := model.NewNode(model.ShOriginAccessControlList)
	all = pageInto(list, all, maxItems, func(o *keyfront.OriginAccessControl) string { return o.ID }, true, marker)
	items := make([]*model.Node, len(all))
	for i, o := range all {
		it := model.NewNode(model.ShOriginAccessControlSummary)
		it.SetText("Id", o.ID)
		it.SetText("Description", o.Description) // required: "" when empty (§3.3)
		it.SetText("Name", o.Name)
		it.SetText("SigningProtocol", o.SigningProtocol)
		it.SetText("SigningBehavior", o.SigningBehavior)
		it.SetText("OriginAccessControlOriginType", o.OriginType)
		items[i] = it
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "OriginAccessControlList", list, "", "")
}

func (s *Server) handleOriginAccessControlUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("Id")
	in, perr := s.parseOACConfig(r)
	var o *keyfront.OriginAccessControl
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		if perr != nil {
			_, err := domain.OriginAccessControlForUpdate(r.Context(), tx, id, ifMatch(r))
			return bodyFault(err, perr)
		}
		var err error
		o, err = s.rules.UpdateOriginAccessControl(r.Context(), tx, id, ifMatch(r), in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "OriginAccessControl", oacNode(o), o.ETag, "")
}

func (s *Server) handleOriginAccessControlDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("Id")
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		return domain.DeleteOriginAccessControl(r.Context(), tx, id, ifMatch(r))
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

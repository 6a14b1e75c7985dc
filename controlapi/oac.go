package controlapi

import (
	"context"
	"net/http"
	"slices"

	"keyfront"
)

// Origin access controls (control-api.md §3.3, §6, §10).

func (s *Server) parseOACConfig(r *http.Request) (*keyfront.OriginAccessControl, error) {
	n, err := s.decodeBody(r, shOriginAccessControlConfig, "OriginAccessControlConfig", "RequestEntityTooLarge")
	if err != nil {
		return nil, err
	}
	o := &keyfront.OriginAccessControl{
		Name:            n.str("Name"),
		Description:     n.str("Description"),
		SigningProtocol: n.str("SigningProtocol"),
		SigningBehavior: n.str("SigningBehavior"),
		OriginType:      n.str("OriginAccessControlOriginType"),
	}
	if o.Name == "" || len([]rune(o.Name)) > 64 {
		return nil, invalidArgument("OriginAccessControlConfig.Name must be 1 to 64 characters.")
	}
	return o, nil
}

func oacConfigNode(o *keyfront.OriginAccessControl) *node {
	n := newNode(shOriginAccessControlConfig)
	n.setText("Name", o.Name)
	n.setText("Description", o.Description)
	n.setText("SigningProtocol", o.SigningProtocol)
	n.setText("SigningBehavior", o.SigningBehavior)
	n.setText("OriginAccessControlOriginType", o.OriginType)
	return n
}

func oacNode(o *keyfront.OriginAccessControl) *node {
	n := newNode(shOriginAccessControl)
	n.setText("Id", o.ID)
	n.set("OriginAccessControlConfig", oacConfigNode(o))
	return n
}

// checkOACName enforces unique names (§6).
func checkOACName(ctx context.Context, tx keyfront.Tx, name, self string) ([]*keyfront.OriginAccessControl, error) {
	all, err := tx.ListOriginAccessControls(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.Name == name && o.ID != self {
			return nil, errorf("OriginAccessControlAlreadyExists", "An origin access control named %q already exists (%s).", name, o.ID)
		}
	}
	return all, nil
}

func (s *Server) handleOriginAccessControlCreate(w http.ResponseWriter, r *http.Request) error {
	o, err := s.parseOACConfig(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	o.ETag = s.newETag()
	o.LastModifiedTime = s.now().UTC()
	err = s.store.Update(ctx, func(tx keyfront.Tx) error {
		all, err := checkOACName(ctx, tx, o.Name, "")
		if err != nil {
			return err
		}
		if len(all) >= s.quotas.OriginAccessControls {
			return errorf("TooManyOriginAccessControls", "Processing your request would cause you to exceed the maximum number of origin access controls allowed (%d).", s.quotas.OriginAccessControls)
		}
		o.ID, err = s.unusedID(func() string { return s.newID("E") }, func(id string) error {
			_, err := tx.GetOriginAccessControl(ctx, id)
			return err
		})
		if err != nil {
			return err
		}
		return tx.PutOriginAccessControl(ctx, o)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "OriginAccessControl", oacNode(o), o.ETag, s.location(r, "origin-access-control/"+o.ID))
}

func (s *Server) getOAC(ctx context.Context, id string) (*keyfront.OriginAccessControl, error) {
	var o *keyfront.OriginAccessControl
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		o, err = tx.GetOriginAccessControl(ctx, id)
		return notFound(err, noSuchOAC)
	})
	return o, err
}

func (s *Server) handleOriginAccessControlGet(w http.ResponseWriter, r *http.Request) error {
	o, err := s.getOAC(r.Context(), r.PathValue("Id"))
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "OriginAccessControl", oacNode(o), o.ETag, "")
}

func (s *Server) handleOriginAccessControlGetConfig(w http.ResponseWriter, r *http.Request) error {
	o, err := s.getOAC(r.Context(), r.PathValue("Id"))
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
	list := newNode(shOriginAccessControlList)
	all = pageInto(list, all, maxItems, func(o *keyfront.OriginAccessControl) string { return o.ID }, true, marker)
	items := make([]*node, len(all))
	for i, o := range all {
		it := newNode(shOriginAccessControlSummary)
		it.setText("Id", o.ID)
		it.setText("Description", o.Description) // required: "" when empty (§3.3)
		it.setText("Name", o.Name)
		it.setText("SigningProtocol", o.SigningProtocol)
		it.setText("SigningBehavior", o.SigningBehavior)
		it.setText("OriginAccessControlOriginType", o.OriginType)
		items[i] = it
	}
	setItems(list, items)
	return s.writeXML(w, http.StatusOK, "OriginAccessControlList", list, "", "")
}

func (s *Server) handleOriginAccessControlUpdate(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("Id")
	in, perr := s.parseOACConfig(r)
	ctx := r.Context()
	var o *keyfront.OriginAccessControl
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		var err error
		o, err = tx.GetOriginAccessControl(ctx, id)
		if err != nil {
			return notFound(err, noSuchOAC)
		}
		if err := checkIfMatch(ifMatch(r), o.ETag); err != nil {
			return err
		}
		if perr != nil {
			return perr
		}
		if _, err := checkOACName(ctx, tx, in.Name, id); err != nil {
			return err
		}
		o.Name, o.Description = in.Name, in.Description
		o.SigningProtocol, o.SigningBehavior, o.OriginType = in.SigningProtocol, in.SigningBehavior, in.OriginType
		o.ETag, o.LastModifiedTime = s.newETag(), s.now().UTC()
		return tx.PutOriginAccessControl(ctx, o)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "OriginAccessControl", oacNode(o), o.ETag, "")
}

func (s *Server) handleOriginAccessControlDelete(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("Id")
	ctx := r.Context()
	err := s.store.Update(ctx, func(tx keyfront.Tx) error {
		o, err := tx.GetOriginAccessControl(ctx, id)
		if err != nil {
			return notFound(err, noSuchOAC)
		}
		if err := checkIfMatch(ifMatch(r), o.ETag); err != nil {
			return err
		}
		dists, err := tx.ListDistributions(ctx, keyfront.Page{})
		if err != nil {
			return err
		}
		for _, d := range dists {
			if slices.Contains(d.OriginAccessControlIDs, id) {
				return errorf("OriginAccessControlInUse", "Cannot delete the origin access control because it's in use: distribution %s uses it.", d.ID)
			}
		}
		return tx.DeleteOriginAccessControl(ctx, id)
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

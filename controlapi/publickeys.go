package controlapi

import (
	"net/http"

	"keyfront"
	"keyfront/domain"
	"keyfront/model"
)

// Public keys (control-api.md §3.1, §6, §7, §10): XML in and out, the rules
// in domain.

func (s *Server) parsePublicKeyConfig(r *http.Request) (domain.PublicKeyConfig, error) {
	n, err := s.decodeBody(r, model.ShPublicKeyConfig, "PublicKeyConfig", "RequestEntityTooLarge")
	if err != nil {
		return domain.PublicKeyConfig{}, err
	}
	return domain.PublicKeyConfig{
		CallerReference: n.Str("CallerReference"),
		Name:            n.Str("Name"),
		EncodedKey:      n.Str("EncodedKey"),
		Comment:         n.Str("Comment"),
	}, nil
}

func publicKeyConfigNode(k *keyfront.PublicKey) *model.Node {
	n := model.NewNode(model.ShPublicKeyConfig)
	n.SetText("CallerReference", k.CallerReference)
	n.SetText("Name", k.Name)
	n.SetText("EncodedKey", k.EncodedKey)
	n.SetText("Comment", k.Comment) // always emitted, "" when absent (§3.1)
	return n
}

func publicKeyNode(k *keyfront.PublicKey) *model.Node {
	n := model.NewNode(model.ShPublicKey)
	n.SetText("Id", string(k.ID))
	n.SetTime("CreatedTime", k.CreatedTime)
	n.Set("PublicKeyConfig", publicKeyConfigNode(k))
	return n
}

func (s *Server) handlePublicKeyCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parsePublicKeyConfig(r)
	if err != nil {
		return err
	}
	var k *keyfront.PublicKey
	err = s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		k, err = s.rules.CreatePublicKey(r.Context(), tx, in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "PublicKey", publicKeyNode(k), k.ETag, s.location(r, "public-key/"+string(k.ID)))
}

func (s *Server) getPublicKey(r *http.Request) (*keyfront.PublicKey, error) {
	var k *keyfront.PublicKey
	err := s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		k, err = domain.GetPublicKey(r.Context(), tx, keyfront.KeyPairID(r.PathValue("Id")))
		return err
	})
	return k, err
}

func (s *Server) handlePublicKeyGet(w http.ResponseWriter, r *http.Request) error {
	k, err := s.getPublicKey(r)
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "PublicKey", publicKeyNode(k), k.ETag, "")
}

func (s *Server) handlePublicKeyGetConfig(w http.ResponseWriter, r *http.Request) error {
	k, err := s.getPublicKey(r)
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "PublicKeyConfig", publicKeyConfigNode(k), k.ETag, "")
}

func (s *Server) handlePublicKeyList(w http.ResponseWriter, r *http.Request) error {
	marker, maxItems, err := pageParams(r)
	if err != nil {
		return err
	}
	var keys []*keyfront.PublicKey
	err = s.store.View(r.Context(), func(tx keyfront.Tx) error {
		var err error
		keys, err = tx.ListPublicKeys(r.Context(), keyfront.Page{Marker: marker, Limit: maxItems + 1})
		return err
	})
	if err != nil {
		return err
	}
	list := model.NewNode(model.ShPublicKeyList)
	keys = pageInto(list, keys, maxItems, func(k *keyfront.PublicKey) string { return string(k.ID) }, false, "")
	items := make([]*model.Node, len(keys))
	for i, k := range keys {
		it := model.NewNode(model.ShPublicKeySummary)
		it.SetText("Id", string(k.ID))
		it.SetText("Name", k.Name)
		it.SetTime("CreatedTime", k.CreatedTime)
		it.SetText("EncodedKey", k.EncodedKey)
		it.SetText("Comment", k.Comment)
		items[i] = it
	}
	list.SetItems(items)
	return s.writeXML(w, http.StatusOK, "PublicKeyList", list, "", "")
}

// pageInto sets the pagination members of a list result (§9) and returns
// the items of the page. got holds up to maxItems+1 items after the
// marker; the extra one only says that there is a next page. withMarker
// says whether the list type has Marker and IsTruncated.
func pageInto[T any](list *model.Node, got []T, maxItems int, id func(T) string, withMarker bool, marker string) []T {
	truncated := len(got) > maxItems
	if truncated {
		got = got[:maxItems]
		list.SetText("NextMarker", id(got[len(got)-1]))
	}
	list.SetInt("MaxItems", int64(maxItems))
	if withMarker {
		list.SetText("Marker", marker)
		list.SetBool("IsTruncated", truncated)
	}
	return got
}

// bodyFault returns the fault of a request body, after check: the
// resource's existence and If-Match are reported before anything wrong
// with the body (the check order of §10).
func bodyFault(check, body error) error {
	if check != nil {
		return check
	}
	return body
}

func (s *Server) handlePublicKeyUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyPairID(r.PathValue("Id"))
	in, perr := s.parsePublicKeyConfig(r)
	var k *keyfront.PublicKey
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		if perr != nil {
			_, err := domain.PublicKeyForUpdate(r.Context(), tx, id, ifMatch(r))
			return bodyFault(err, perr)
		}
		var err error
		k, err = s.rules.UpdatePublicKey(r.Context(), tx, id, ifMatch(r), in)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "PublicKey", publicKeyNode(k), k.ETag, "")
}

func (s *Server) handlePublicKeyDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyPairID(r.PathValue("Id"))
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		return domain.DeletePublicKey(r.Context(), tx, id, ifMatch(r))
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

package controlapi

import (
	"context"
	"crypto/rsa"
	"encoding/pem"
	"net/http"
	"regexp"
	"unicode/utf8"

	"keyfront"
	"keyfront/signing"
)

// Public keys (control-api.md §3.1, §6, §7, §10).

// resourceName is the rule for public key and key group names: Terraform's,
// as AWS publishes none (§7).
var resourceName = regexp.MustCompile(`^[0-9A-Za-z_-]{1,128}$`)

// maxCommentLen bounds Comment in public key, key group and distribution
// configs (§7).
const maxCommentLen = 128

func checkComment(path, c string) error {
	if utf8.RuneCountInString(c) > maxCommentLen {
		return invalidArgument("%s.Comment is longer than %d characters.", path, maxCommentLen)
	}
	return nil
}

func checkCallerReference(path, ref string) error {
	if ref == "" {
		return invalidArgument("%s.CallerReference must not be empty.", path)
	}
	if utf8.RuneCountInString(ref) > 128 {
		return invalidArgument("%s.CallerReference is longer than 128 characters.", path)
	}
	return nil
}

// canonicalPublicKey validates a PEM public key (SubjectPublicKeyInfo,
// RSA-2048 or ECDSA P-256) and returns it in canonical form: 64-column
// base64 lines, LF line ends, trailing newline (§3.1). A key already in
// that form comes back byte-identical.
func (s *Server) canonicalPublicKey(encoded string) (string, error) {
	pub, err := signing.ParsePublicKey([]byte(encoded))
	if err != nil {
		return "", invalidArgument("PublicKeyConfig.EncodedKey: %v. Upload the PEM that `openssl rsa -pubout` or `openssl ec -pubout` writes.", err)
	}
	if err := signing.CheckCloudFrontKey(pub); err != nil {
		if _, isRSA := pub.(*rsa.PublicKey); !isRSA || !s.cfg.AllowAnyRSASize {
			return "", invalidArgument("PublicKeyConfig.EncodedKey: %v.", err)
		}
	}
	block, _ := pem.Decode([]byte(encoded))
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: block.Bytes})), nil
}

// publicKeyInput is a validated PublicKeyConfig.
type publicKeyInput struct {
	callerRef, name, encodedKey, comment string
}

func (s *Server) parsePublicKeyConfig(r *http.Request) (*publicKeyInput, error) {
	n, err := s.decodeBody(r, shPublicKeyConfig, "PublicKeyConfig", "RequestEntityTooLarge")
	if err != nil {
		return nil, err
	}
	in := &publicKeyInput{
		callerRef:  n.str("CallerReference"),
		name:       n.str("Name"),
		encodedKey: n.str("EncodedKey"),
		comment:    n.str("Comment"),
	}
	if err := checkCallerReference("PublicKeyConfig", in.callerRef); err != nil {
		return nil, err
	}
	if !resourceName.MatchString(in.name) {
		return nil, invalidArgument("PublicKeyConfig.Name %q must be 1 to 128 letters, digits, hyphens or underscores.", in.name)
	}
	if err := checkComment("PublicKeyConfig", in.comment); err != nil {
		return nil, err
	}
	return in, nil
}

func publicKeyConfigNode(k *keyfront.PublicKey) *node {
	n := newNode(shPublicKeyConfig)
	n.setText("CallerReference", k.CallerReference)
	n.setText("Name", k.Name)
	n.setText("EncodedKey", k.EncodedKey)
	n.setText("Comment", k.Comment) // always emitted, "" when absent (§3.1)
	return n
}

func publicKeyNode(k *keyfront.PublicKey) *node {
	n := newNode(shPublicKey)
	n.setText("Id", string(k.ID))
	n.setTime("CreatedTime", k.CreatedTime)
	n.set("PublicKeyConfig", publicKeyConfigNode(k))
	return n
}

func (s *Server) handlePublicKeyCreate(w http.ResponseWriter, r *http.Request) error {
	in, err := s.parsePublicKeyConfig(r)
	if err != nil {
		return err
	}
	key, err := s.canonicalPublicKey(in.encodedKey)
	if err != nil {
		return err
	}
	k := &keyfront.PublicKey{
		CreatedTime:     s.now().UTC(),
		CallerReference: in.callerRef,
		Name:            in.name,
		EncodedKey:      key,
		Comment:         in.comment,
		ETag:            s.newETag(),
	}
	err = s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		all, err := tx.ListPublicKeys(r.Context(), keyfront.Page{})
		if err != nil {
			return err
		}
		for _, o := range all {
			if o.Name == k.Name {
				return errorf("PublicKeyAlreadyExists", msgPublicKeyNameExists)
			}
			if o.CallerReference == k.CallerReference {
				return errorf("PublicKeyAlreadyExists", msgPublicKeyCallerRefExists)
			}
		}
		if len(all) >= s.quotas.PublicKeys {
			return errorf("TooManyPublicKeys", msgTooManyPublicKeys)
		}
		id, err := s.unusedID(func() string { return s.newID("K") }, func(id string) error {
			_, err := tx.GetPublicKey(r.Context(), keyfront.KeyPairID(id))
			return err
		})
		if err != nil {
			return err
		}
		k.ID = keyfront.KeyPairID(id)
		return tx.PutPublicKey(r.Context(), k)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusCreated, "PublicKey", publicKeyNode(k), k.ETag, s.location(r, "public-key/"+string(k.ID)))
}

// unusedID draws IDs until lookup reports one as not found.
func (s *Server) unusedID(gen func() string, lookup func(string) error) (string, error) {
	for {
		id := gen()
		err := lookup(id)
		if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

func (s *Server) getPublicKey(ctx context.Context, id string) (*keyfront.PublicKey, error) {
	var k *keyfront.PublicKey
	err := s.store.View(ctx, func(tx keyfront.Tx) error {
		var err error
		k, err = tx.GetPublicKey(ctx, keyfront.KeyPairID(id))
		return notFound(err, noSuchPublicKey)
	})
	return k, err
}

func (s *Server) handlePublicKeyGet(w http.ResponseWriter, r *http.Request) error {
	k, err := s.getPublicKey(r.Context(), r.PathValue("Id"))
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "PublicKey", publicKeyNode(k), k.ETag, "")
}

func (s *Server) handlePublicKeyGetConfig(w http.ResponseWriter, r *http.Request) error {
	k, err := s.getPublicKey(r.Context(), r.PathValue("Id"))
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
	list := newNode(shPublicKeyList)
	keys = pageInto(list, keys, maxItems, func(k *keyfront.PublicKey) string { return string(k.ID) }, false, "")
	items := make([]*node, len(keys))
	for i, k := range keys {
		it := newNode(shPublicKeySummary)
		it.setText("Id", string(k.ID))
		it.setText("Name", k.Name)
		it.setTime("CreatedTime", k.CreatedTime)
		it.setText("EncodedKey", k.EncodedKey)
		it.setText("Comment", k.Comment)
		items[i] = it
	}
	setItems(list, items)
	return s.writeXML(w, http.StatusOK, "PublicKeyList", list, "", "")
}

// pageInto sets the pagination members of a list result (§9) and returns
// the items of the page. got holds up to maxItems+1 items after the
// marker; the extra one only says that there is a next page. withMarker
// says whether the list type has Marker and IsTruncated.
func pageInto[T any](list *node, got []T, maxItems int, id func(T) string, withMarker bool, marker string) []T {
	truncated := len(got) > maxItems
	if truncated {
		got = got[:maxItems]
		list.setText("NextMarker", id(got[len(got)-1]))
	}
	list.setInt("MaxItems", int64(maxItems))
	if withMarker {
		list.setText("Marker", marker)
		list.setBool("IsTruncated", truncated)
	}
	return got
}

func (s *Server) handlePublicKeyUpdate(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyPairID(r.PathValue("Id"))
	in, perr := s.parsePublicKeyConfig(r)
	var k *keyfront.PublicKey
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		var err error
		k, err = tx.GetPublicKey(r.Context(), id)
		if err != nil {
			return notFound(err, noSuchPublicKey)
		}
		if err := checkIfMatch(ifMatch(r), k.ETag); err != nil {
			return err
		}
		if perr != nil {
			return perr
		}
		// Only Comment may change (§7).
		if in.encodedKey != k.EncodedKey {
			// The same key in another PEM layout is not a change.
			if key, err := s.canonicalPublicKey(in.encodedKey); err != nil || key != k.EncodedKey {
				return errorf("CannotChangeImmutablePublicKeyFields", "You can't change the EncodedKey of a public key; upload a new public key and add it to the key group instead.")
			}
		}
		if in.name != k.Name {
			return errorf("IllegalUpdate", "You can't change the name of a public key (%q to %q).", k.Name, in.name)
		}
		if in.callerRef != k.CallerReference {
			return errorf("IllegalUpdate", "You can't change the CallerReference of a public key.")
		}
		k.Comment = in.comment
		k.ETag = s.newETag()
		return tx.PutPublicKey(r.Context(), k)
	})
	if err != nil {
		return err
	}
	return s.writeXML(w, http.StatusOK, "PublicKey", publicKeyNode(k), k.ETag, "")
}

func (s *Server) handlePublicKeyDelete(w http.ResponseWriter, r *http.Request) error {
	id := keyfront.KeyPairID(r.PathValue("Id"))
	err := s.store.Update(r.Context(), func(tx keyfront.Tx) error {
		k, err := tx.GetPublicKey(r.Context(), id)
		if err != nil {
			return notFound(err, noSuchPublicKey)
		}
		if err := checkIfMatch(ifMatch(r), k.ETag); err != nil {
			return err
		}
		groups, err := tx.ListKeyGroups(r.Context(), keyfront.Page{})
		if err != nil {
			return err
		}
		for _, g := range groups {
			for _, kid := range g.Items {
				if kid == id {
					return errorf("PublicKeyInUse", msgPublicKeyInUse+" Key group %s (%s) lists it.", g.ID, g.Name)
				}
			}
		}
		return tx.DeletePublicKey(r.Context(), id)
	})
	if err != nil {
		return err
	}
	return writeNoContent(w)
}

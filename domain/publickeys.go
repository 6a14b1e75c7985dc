package domain

import (
	"context"
	"crypto/rsa"
	"encoding/pem"
	"regexp"

	"keyfront"
	"keyfront/model"
	"keyfront/signing"
)

// Public keys (control-api.md §3.1, §6, §7, §10).

// resourceName is the rule for public key and key group names: Terraform's,
// as AWS publishes none (§7).
var resourceName = regexp.MustCompile(`^[0-9A-Za-z_-]{1,128}$`)

// PublicKeyConfig is what a client says about a public key.
type PublicKeyConfig struct {
	CallerReference string
	Name            string
	// EncodedKey is a PEM SubjectPublicKeyInfo, RSA-2048 or ECDSA P-256.
	EncodedKey string
	Comment    string
}

// validate applies the field rules that need no store.
func (c *PublicKeyConfig) validate() error {
	if err := model.CheckCallerReference("PublicKeyConfig", c.CallerReference); err != nil {
		return err
	}
	if !resourceName.MatchString(c.Name) {
		return invalidArgument("PublicKeyConfig.Name %q must be 1 to 128 letters, digits, hyphens or underscores.", c.Name)
	}
	return model.CheckComment("PublicKeyConfig", c.Comment)
}

// canonicalPublicKey validates a PEM public key (SubjectPublicKeyInfo,
// RSA-2048 or ECDSA P-256) and returns it in canonical form: 64-column
// base64 lines, LF line ends, trailing newline (§3.1). A key already in
// that form comes back byte-identical.
func (r *Rules) canonicalPublicKey(encoded string) (string, error) {
	pub, err := signing.ParsePublicKey([]byte(encoded))
	if err != nil {
		return "", invalidArgument("PublicKeyConfig.EncodedKey: %v. Upload the PEM that `openssl rsa -pubout` or `openssl ec -pubout` writes.", err)
	}
	if err := signing.CheckCloudFrontKey(pub); err != nil {
		if _, isRSA := pub.(*rsa.PublicKey); !isRSA || !r.cfg.AllowAnyRSASize {
			return "", invalidArgument("PublicKeyConfig.EncodedKey: %v.", err)
		}
	}
	block, _ := pem.Decode([]byte(encoded))
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: block.Bytes})), nil
}

// CreatePublicKey stores a new public key: names and caller references are
// unique (PublicKeyAlreadyExists), the account holds at most
// Quotas.PublicKeys (TooManyPublicKeys).
func (r *Rules) CreatePublicKey(ctx context.Context, tx keyfront.Tx, c PublicKeyConfig) (*keyfront.PublicKey, error) {
	if err := c.validate(); err != nil {
		return nil, err
	}
	key, err := r.canonicalPublicKey(c.EncodedKey)
	if err != nil {
		return nil, err
	}
	k := &keyfront.PublicKey{
		CreatedTime:     r.now().UTC(),
		CallerReference: c.CallerReference,
		Name:            c.Name,
		EncodedKey:      key,
		Comment:         c.Comment,
		ETag:            r.newETag(),
	}
	all, err := tx.ListPublicKeys(ctx, keyfront.Page{})
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		if o.Name == k.Name {
			return nil, errorf("PublicKeyAlreadyExists", msgPublicKeyNameExists)
		}
		if o.CallerReference == k.CallerReference {
			return nil, errorf("PublicKeyAlreadyExists", msgPublicKeyCallerRefExists)
		}
	}
	if len(all) >= r.quotas.PublicKeys {
		return nil, errorf("TooManyPublicKeys", msgTooManyPublicKeys)
	}
	id, err := unusedID(func() string { return r.newID("K") }, func(id string) error {
		_, err := tx.GetPublicKey(ctx, keyfront.KeyPairID(id))
		return err
	})
	if err != nil {
		return nil, err
	}
	k.ID = keyfront.KeyPairID(id)
	return k, tx.PutPublicKey(ctx, k)
}

// GetPublicKey returns a public key, or NoSuchPublicKey.
func GetPublicKey(ctx context.Context, tx keyfront.Tx, id keyfront.KeyPairID) (*keyfront.PublicKey, error) {
	k, err := tx.GetPublicKey(ctx, id)
	return k, notFound(err, noSuchPublicKey)
}

// PublicKeyForUpdate returns the public key that ifMatch names the current
// version of: NoSuchPublicKey, then InvalidIfMatchVersion or
// PreconditionFailed (the check order of §10, which comes before any
// fault of the request body).
func PublicKeyForUpdate(ctx context.Context, tx keyfront.Tx, id keyfront.KeyPairID, ifMatch string) (*keyfront.PublicKey, error) {
	k, err := GetPublicKey(ctx, tx, id)
	if err != nil {
		return nil, err
	}
	return k, CheckIfMatch(ifMatch, k.ETag)
}

// UpdatePublicKey changes a public key's comment, the only field that may
// change (§7): a different key is CannotChangeImmutablePublicKeyFields, a
// different name or caller reference IllegalUpdate.
func (r *Rules) UpdatePublicKey(ctx context.Context, tx keyfront.Tx, id keyfront.KeyPairID, ifMatch string, c PublicKeyConfig) (*keyfront.PublicKey, error) {
	k, err := PublicKeyForUpdate(ctx, tx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.EncodedKey != k.EncodedKey {
		// The same key in another PEM layout is not a change.
		if key, err := r.canonicalPublicKey(c.EncodedKey); err != nil || key != k.EncodedKey {
			return nil, errorf("CannotChangeImmutablePublicKeyFields", "You can't change the EncodedKey of a public key; upload a new public key and add it to the key group instead.")
		}
	}
	if c.Name != k.Name {
		return nil, errorf("IllegalUpdate", "You can't change the name of a public key (%q to %q).", k.Name, c.Name)
	}
	if c.CallerReference != k.CallerReference {
		return nil, errorf("IllegalUpdate", "You can't change the CallerReference of a public key.")
	}
	k.Comment = c.Comment
	k.ETag = r.newETag()
	return k, tx.PutPublicKey(ctx, k)
}

// DeletePublicKey deletes a public key that no key group lists
// (PublicKeyInUse otherwise).
func DeletePublicKey(ctx context.Context, tx keyfront.Tx, id keyfront.KeyPairID, ifMatch string) error {
	if _, err := PublicKeyForUpdate(ctx, tx, id, ifMatch); err != nil {
		return err
	}
	groups, err := tx.ListKeyGroups(ctx, keyfront.Page{})
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
	return tx.DeletePublicKey(ctx, id)
}

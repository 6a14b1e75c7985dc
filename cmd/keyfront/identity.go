package main

import (
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
)

// identityFile is the name, in the data directory, of the file that keeps
// the generated account ID and administrator credentials. It is written
// with mode 0600 and never logged.
const identityFile = "identity.json"

// identity is the deployment's account, administrator credentials and the
// secret from which the edge's origin access credential is derived.
type identity struct {
	AccountID       string `json:"account_id"`
	AccessKeyID     string `json:"access_key_id,omitempty"`
	SecretAccessKey string `json:"secret_access_key,omitempty"`
	// DeploymentSecret is shared by every edge and origin of a deployment
	// (same data directory or same value); it never leaves this file.
	DeploymentSecret string `json:"deployment_secret"`
	// ShowSecret is true from the moment the credentials are generated
	// until a start has printed them in its banner: a first start that
	// fails later (a port already in use) must not cost the user the only
	// sight of the secret. Files written before this field existed lack
	// it, and their secret was shown already.
	ShowSecret bool `json:"show_secret,omitempty"`
}

// loadIdentity returns the account and credentials to use: those configured
// take precedence; what is not configured comes from the data directory's
// identity file, generated on first start. generated reports whether the
// credentials in use were generated and not yet shown by a start that got
// as far as its banner (see markSecretShown): the banner prints the secret
// then, and only then.
func loadIdentity(dataDir string, c *Config) (id identity, generated bool, err error) {
	path := filepath.Join(dataDir, identityFile)
	data, err := os.ReadFile(path)
	switch {
	case err == nil:
		if err := json.Unmarshal(data, &id); err != nil {
			return id, false, fmt.Errorf("%s is not valid JSON (%v): fix or remove it; removing it generates new credentials", path, err)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return id, false, fmt.Errorf("read %s: %w", path, err)
	}
	changed := false
	if id.AccountID == "" && c.AccountID != "" {
		// Recorded, so that processes sharing the store read the account
		// in use (loadSharedIdentity).
		id.AccountID, changed = c.AccountID, true
	}
	if id.AccountID == "" {
		if id.AccountID, err = randomString("0123456789", 12); err != nil {
			return id, false, err
		}
		changed = true
	}
	if id.DeploymentSecret == "" {
		if id.DeploymentSecret, err = randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", 48); err != nil {
			return id, false, err
		}
		changed = true
	}
	if c.AccessKeyID == "" && id.AccessKeyID == "" {
		akid, err := randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)
		if err != nil {
			return id, false, err
		}
		secret, err := randomString("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/", 40)
		if err != nil {
			return id, false, err
		}
		id.AccessKeyID, id.SecretAccessKey, id.ShowSecret = "AKIA"+akid, secret, true
		changed = true
	}
	generated = id.ShowSecret
	if changed {
		if err := writeFileAtomic(path, id, privateFileMode); err != nil {
			return id, false, err
		}
	}
	if c.AccountID != "" {
		id.AccountID = c.AccountID
	}
	if c.AccessKeyID != "" {
		id.AccessKeyID, id.SecretAccessKey = c.AccessKeyID, c.SecretAccessKey
		generated = false
	}
	return id, generated, nil
}

// markSecretShown records in the identity file that a banner has shown the
// generated secret, so that later starts print where it is kept instead.
// It rewrites the file as stored, without the configured values that
// loadIdentity lays over it.
func markSecretShown(dataDir string) error {
	path := filepath.Join(dataDir, identityFile)
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var id identity
	if err := json.Unmarshal(data, &id); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if !id.ShowSecret {
		return nil
	}
	id.ShowSecret = false
	return writeFileAtomic(path, id, privateFileMode)
}

// writeFileAtomic writes v as JSON to path through a temporary file, fsync
// and rename, so that a crash leaves the old file or the new one, never half
// of one.
func writeFileAtomic(path string, v any, mode os.FileMode) error {
	data, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return writeTextAtomic(path, string(data)+"\n", mode)
}

// randomString returns n characters drawn uniformly from alphabet using the
// system's cryptographic random source.
func randomString(alphabet string, n int) (string, error) {
	b := make([]byte, n)
	max := big.NewInt(int64(len(alphabet)))
	for i := range b {
		x, err := rand.Int(rand.Reader, max)
		if err != nil {
			return "", err
		}
		b[i] = alphabet[x.Int64()]
	}
	return string(b), nil
}

// loadSharedIdentity returns the identity of the deployment whose store is
// in dir (the control plane's data directory), for a process that follows
// that store from a data directory of its own (--store). Only the
// process owning dir generates an identity: this one reads it, and fails
// if it is not there yet. Configured values are laid over it as in
// loadIdentity.
func loadSharedIdentity(dir string, c *Config) (identity, error) {
	var id identity
	path := filepath.Join(dir, identityFile)
	data, err := os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return id, fmt.Errorf("store %s: the deployment's %s is not beside it: start the process owning that data directory (keyfront serve --data-dir %s) first, then this one", c.Store, identityFile, dir)
	case err != nil:
		return id, fmt.Errorf("read the deployment's identity %s: %w (this process must run as the user owning %s)", path, err, dir)
	}
	if err := json.Unmarshal(data, &id); err != nil {
		return id, fmt.Errorf("%s is not valid JSON (%v)", path, err)
	}
	if id.AccountID == "" || id.DeploymentSecret == "" {
		return id, fmt.Errorf("%s lacks account_id or deployment_secret: start the process owning %s once to complete it", path, dir)
	}
	id.ShowSecret = false
	if c.AccountID != "" {
		id.AccountID = c.AccountID
	}
	if c.AccessKeyID != "" {
		id.AccessKeyID, id.SecretAccessKey = c.AccessKeyID, c.SecretAccessKey
	}
	return id, nil
}

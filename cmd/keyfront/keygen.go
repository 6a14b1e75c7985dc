package main

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"keyfront/signing"
)

// keygenCommand is `keyfront keygen`: it writes a private key for signing
// and its public key in the PEM form CloudFront's create-public-key takes.
type keygenCommand struct {
	m      *Main
	fs     *flagSet
	typ    string
	out    string
	pubout string
	format string
	force  bool
}

func newKeygenCommand(m *Main) command {
	c := &keygenCommand{m: m}
	c.fs = newFlagSet("keygen",
		"keyfront keygen [--type rsa|ecdsa] [--out private_key.pem] [--pubout public_key.pem]\n"+
			"                [--format pkcs1|pkcs8] [--force]",
		"Generate a key pair that CloudFront key groups accept: RSA 2048 (default) or ECDSA P-256.\n"+
			"The private key is written with mode 0600: RSA as PKCS#1 (BEGIN RSA PRIVATE KEY), the only\n"+
			"form `aws cloudfront sign` (AWS CLI v1) loads, ECDSA as SEC1 (BEGIN EC PRIVATE KEY);\n"+
			"--format pkcs8 writes BEGIN PRIVATE KEY instead. The public key is written as\n"+
			"BEGIN PUBLIC KEY, ready for `aws cloudfront create-public-key`. Existing files are never\n"+
			"overwritten without --force.")
	c.fs.StringVar(&c.typ, "type", "rsa", "key `TYPE`: rsa (RSA 2048) or ecdsa (ECDSA P-256)")
	c.fs.StringVar(&c.out, "out", "private_key.pem", "write the private key to `FILE`")
	c.fs.StringVar(&c.pubout, "pubout", "public_key.pem", "write the public key to `FILE`")
	c.fs.StringVar(&c.format, "format", "", "private key `FORMAT`: pkcs1 (RSA default), sec1 (ECDSA default) or pkcs8")
	c.fs.BoolVar(&c.force, "force", false, "overwrite existing files")
	return c
}

func (c *keygenCommand) flags() *flagSet  { return c.fs }
func (c *keygenCommand) usageStatus() int { return statusUsage }

func (c *keygenCommand) parse(args []string) error {
	if _, err := c.fs.parse(args, 0); err != nil {
		return err
	}
	if err := c.fs.requireFlags("out", "pubout"); err != nil {
		return err
	}
	c.typ, c.format = strings.ToLower(c.typ), strings.ToLower(c.format)
	switch c.typ {
	case "rsa":
		if c.format == "" {
			c.format = "pkcs1"
		}
		if c.format != "pkcs1" && c.format != "pkcs8" {
			return usagef("--format %q does not hold RSA keys; use pkcs1 or pkcs8", c.format)
		}
	case "ecdsa", "ec":
		c.typ = "ecdsa"
		if c.format == "" {
			c.format = "sec1"
		}
		if c.format != "sec1" && c.format != "pkcs8" {
			return usagef("--format %q does not hold ECDSA keys; use sec1 (the default) or pkcs8", c.format)
		}
	default:
		return usagef("--type %q is not supported; use rsa (RSA 2048) or ecdsa (ECDSA P-256), the keys CloudFront accepts", c.typ)
	}
	if filepath.Clean(c.out) == filepath.Clean(c.pubout) {
		return usagef("--out and --pubout are both %s; give two different files", c.out)
	}
	return nil
}

func (c *keygenCommand) run(context.Context) error {
	// Check both files before writing either, so that a refusal leaves
	// nothing half done.
	if !c.force {
		for _, path := range []string{c.out, c.pubout} {
			if _, err := os.Lstat(path); err == nil {
				return &exitError{status: statusFailure, msg: path + " already exists; pass --force to overwrite it, or choose another --out/--pubout"}
			} else if !errors.Is(err, fs.ErrNotExist) {
				return &exitError{status: statusFailure, msg: err.Error()}
			}
		}
	}
	key, privPEM, desc, err := c.generate()
	if err != nil {
		return &exitError{status: statusFailure, msg: err.Error()}
	}
	pubDER, err := x509.MarshalPKIXPublicKey(key.Public())
	if err != nil {
		return &exitError{status: statusFailure, msg: err.Error()}
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	if err := writeKeyFile(c.out, privPEM, 0o600, c.force); err != nil {
		return &exitError{status: statusFailure, msg: err.Error()}
	}
	if err := writeKeyFile(c.pubout, pubPEM, 0o644, c.force); err != nil {
		return &exitError{status: statusFailure, msg: err.Error()}
	}
	fmt.Fprintf(c.m.Stdout, "wrote private key %s (%s, mode 0600)\nwrote public key %s\n", c.out, desc, c.pubout)
	return nil
}

// generate makes the key and its private PEM.
func (c *keygenCommand) generate() (crypto.Signer, []byte, string, error) {
	var (
		key   crypto.Signer
		block pem.Block
		err   error
	)
	if c.typ == "rsa" {
		// 2048 bits: the only RSA size CloudFront key groups accept (spec §10).
		rk, gerr := rsa.GenerateKey(rand.Reader, 2048)
		if gerr != nil {
			return nil, nil, "", gerr
		}
		key = rk
		if c.format == "pkcs1" {
			block = pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(rk)}
		}
	} else {
		ek, gerr := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if gerr != nil {
			return nil, nil, "", gerr
		}
		key = ek
		if c.format == "sec1" {
			der, merr := x509.MarshalECPrivateKey(ek)
			if merr != nil {
				return nil, nil, "", merr
			}
			block = pem.Block{Type: "EC PRIVATE KEY", Bytes: der}
		}
	}
	if c.format == "pkcs8" {
		block.Type = "PRIVATE KEY"
		if block.Bytes, err = x509.MarshalPKCS8PrivateKey(key); err != nil {
			return nil, nil, "", err
		}
	}
	desc := signing.DescribeKey(key) + ", " + map[string]string{"pkcs1": "PKCS#1", "sec1": "SEC1", "pkcs8": "PKCS#8"}[c.format]
	return key, pem.EncodeToMemory(&block), desc, nil
}

// writeKeyFile writes data to path with mode. Without force it creates the
// file exclusively (O_EXCL), so that a file appearing since the check is
// not clobbered; with force it writes a temporary file and renames it over
// path, so that the old key is replaced whole or not at all.
func writeKeyFile(path string, data []byte, mode os.FileMode, force bool) error {
	if !force {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
		if errors.Is(err, fs.ErrExist) {
			return fmt.Errorf("%s already exists; pass --force to overwrite it", path)
		}
		if err != nil {
			return err
		}
		return finishFile(f, data, mode, func() { os.Remove(path) })
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if err := finishFile(f, data, mode, func() { os.Remove(tmp) }); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}

// finishFile sets the mode explicitly (the umask must not decide whether a
// private key is private), writes, syncs and closes f, calling undo on
// failure.
func finishFile(f *os.File, data []byte, mode os.FileMode, undo func()) error {
	err := f.Chmod(mode)
	if err == nil {
		_, err = f.Write(data)
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		undo()
	}
	return err
}

package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// ParsePublicKey parses a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo, what
// `openssl rsa -pubout` writes and CloudFront accepts) holding an RSA or
// ECDSA P-256 key. The verifier is size-agnostic; whether a key is allowed in
// a key group is the control API's decision (see CheckCloudFrontKey).
func ParsePublicKey(pemBytes []byte) (crypto.PublicKey, error) {
	block, rest := pem.Decode(pemBytes)
	if block == nil {
		return nil, errors.New("no PEM block found: a public key starts with -----BEGIN PUBLIC KEY-----")
	}
	if strings.TrimSpace(string(rest)) != "" {
		return nil, errors.New("unexpected data after the PEM block")
	}
	switch block.Type {
	case "PUBLIC KEY":
	case "RSA PUBLIC KEY":
		return nil, errors.New("found an RSA PUBLIC KEY (PKCS#1) block; CloudFront needs a PUBLIC KEY block: convert with `openssl rsa -RSAPublicKey_in -pubout`")
	case "CERTIFICATE":
		return nil, errors.New("found a CERTIFICATE; CloudFront needs the bare PUBLIC KEY: extract it with `openssl x509 -pubkey -noout`")
	default:
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return nil, errors.New("found a private key where a public key was expected: derive the public key with `keyfront keygen` or `openssl pkey -pubout`")
		}
		return nil, fmt.Errorf("found a %q PEM block; want PUBLIC KEY", block.Type)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("public key does not parse: %v", err)
	}
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return k, nil
	case *ecdsa.PublicKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key is on curve %s; CloudFront accepts only P-256", k.Curve.Params().Name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("public key type %T is not supported; use RSA 2048 or ECDSA P-256", pub)
}

// ParsePrivateKey parses a PEM private key: PKCS#1 ("RSA PRIVATE KEY"),
// PKCS#8 ("PRIVATE KEY", RSA or EC) or SEC1 ("EC PRIVATE KEY", optionally
// after an "EC PARAMETERS" block). Encrypted keys are refused with a hint;
// EC keys must be on P-256.
func ParsePrivateKey(pemBytes []byte) (crypto.Signer, error) {
	rest := pemBytes
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return nil, errors.New("no PEM private key found: expected -----BEGIN RSA PRIVATE KEY-----, -----BEGIN PRIVATE KEY----- or -----BEGIN EC PRIVATE KEY-----")
		}
		if _, encrypted := block.Headers["Proc-Type"]; encrypted || block.Type == "ENCRYPTED PRIVATE KEY" {
			return nil, errors.New("private key is encrypted; decrypt it first, e.g. `openssl pkey -in key.pem -out plain.pem`")
		}
		switch block.Type {
		case "EC PARAMETERS":
			continue
		case "RSA PRIVATE KEY":
			k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("RSA private key does not parse: %v", err)
			}
			return k, nil
		case "EC PRIVATE KEY":
			k, err := x509.ParseECPrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("EC private key does not parse: %v", err)
			}
			return checkSigner(k)
		case "PRIVATE KEY":
			k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				return nil, fmt.Errorf("PKCS#8 private key does not parse: %v", err)
			}
			s, ok := k.(crypto.Signer)
			if !ok {
				return nil, fmt.Errorf("private key type %T is not supported; use RSA 2048 or ECDSA P-256", k)
			}
			return checkSigner(s)
		case "PUBLIC KEY", "RSA PUBLIC KEY":
			return nil, errors.New("found a public key where the private key was expected")
		case "DSA PRIVATE KEY", "OPENSSH PRIVATE KEY":
			return nil, fmt.Errorf("%s is not supported; use an RSA 2048 or ECDSA P-256 key in PEM (keyfront keygen)", block.Type)
		default:
			return nil, fmt.Errorf("found a %q PEM block; want a private key", block.Type)
		}
	}
}

func checkSigner(s crypto.Signer) (crypto.Signer, error) {
	switch k := s.(type) {
	case *rsa.PrivateKey:
		return k, nil
	case *ecdsa.PrivateKey:
		if k.Curve != elliptic.P256() {
			return nil, fmt.Errorf("ECDSA key is on curve %s; CloudFront accepts only P-256", k.Curve.Params().Name)
		}
		return k, nil
	}
	return nil, fmt.Errorf("private key type %T is not supported; use RSA 2048 or ECDSA P-256", s)
}

// DescribeKey names a key's type and size as users know it: "RSA-2048",
// "ECDSA P-256".
func DescribeKey(k any) string {
	if s, ok := k.(crypto.Signer); ok {
		k = s.Public()
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", k)
}

// CheckCloudFrontKey reports whether a public or private key is one
// CloudFront accepts in a key group: RSA 2048-bit or ECDSA P-256 (§10).
func CheckCloudFrontKey(k any) error {
	if s, ok := k.(crypto.Signer); ok {
		k = s.Public()
	}
	switch k := k.(type) {
	case *rsa.PublicKey:
		if k.N.BitLen() == 2048 {
			return nil
		}
	case *ecdsa.PublicKey:
		if k.Curve == elliptic.P256() {
			return nil
		}
	}
	return fmt.Errorf("key is %s; CloudFront key groups accept only RSA-2048 and ECDSA P-256 keys", DescribeKey(k))
}

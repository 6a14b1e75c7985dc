package signing_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"math/big"
	"strings"
	"sync"
	"testing"
	"time"

	"keyfront/signing"
)

func pemBlock(typ string, der []byte, headers map[string]string) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der, Headers: headers}))
}

// derOf returns a function that unwraps an encoder's result or fails tb.
func derOf(tb testing.TB) func([]byte, error) []byte {
	return func(der []byte, err error) []byte {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
		return der
	}
}

var testRSA1024Key = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		panic(err)
	}
	return k
})

// §14.3 --private-key: PKCS#1, PKCS#8 (RSA or EC), SEC1 with or without an
// EC PARAMETERS block; encrypted keys refused with a clear error; EC keys
// only on P-256.
func TestParsePrivateKey(t *testing.T) {
	rk, ek := testRSAKey(), testECKey()
	der := derOf(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	_, edKey, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	pkcs1 := pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), nil)
	pkcs8RSA := pemBlock("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(rk)), nil)
	pkcs8EC := pemBlock("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(ek)), nil)
	sec1 := pemBlock("EC PRIVATE KEY", der(x509.MarshalECPrivateKey(ek)), nil)
	// `openssl ecparam -genkey` writes the curve OID first.
	ecParams := pemBlock("EC PARAMETERS", der(asn1.Marshal(asn1.ObjectIdentifier{1, 2, 840, 10045, 3, 1, 7})), nil)
	encHeaders := map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"}

	valid := []struct {
		name string
		pem  string
		want string
	}{
		{"PKCS#1 RSA", pkcs1, "RSA-2048"},
		{"PKCS#8 RSA", pkcs8RSA, "RSA-2048"},
		{"PKCS#8 EC", pkcs8EC, "ECDSA P-256"},
		{"SEC1 EC", sec1, "ECDSA P-256"},
		{"SEC1 after EC PARAMETERS", ecParams + sec1, "ECDSA P-256"},
		{"text before the block", "Private-Key: (2048 bit)\n" + pkcs1, "RSA-2048"},
		{"CRLF line ends", strings.ReplaceAll(pkcs8RSA, "\n", "\r\n"), "RSA-2048"},
		{"RSA-1024 parses (NewSigner refuses it)", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(testRSA1024Key()), nil), "RSA-1024"},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signing.ParsePrivateKey([]byte(tt.pem))
			if err != nil {
				t.Fatalf("ParsePrivateKey: %v", err)
			}
			if got := signing.DescribeKey(k); got != tt.want {
				t.Errorf("DescribeKey = %s, want %s", got, tt.want)
			}
		})
	}
	// The parsed key is the same key.
	k, err := signing.ParsePrivateKey([]byte(pkcs1))
	if err != nil || !k.(*rsa.PrivateKey).Equal(rk) {
		t.Errorf("ParsePrivateKey(PKCS#1) did not return the encoded key (%v)", err)
	}
	k, err = signing.ParsePrivateKey([]byte(ecParams + sec1))
	if err != nil || !k.(*ecdsa.PrivateKey).Equal(ek) {
		t.Errorf("ParsePrivateKey(SEC1) did not return the encoded key (%v)", err)
	}

	invalid := []struct {
		name string
		pem  string
		want string // in the error
	}{
		{"empty", "", "no PEM"},
		{"not PEM", "hello", "no PEM"},
		{"encrypted PKCS#1", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), encHeaders), "encrypted"},
		{"encrypted SEC1", pemBlock("EC PRIVATE KEY", der(x509.MarshalECPrivateKey(ek)), encHeaders), "encrypted"},
		{"encrypted PKCS#8", pemBlock("ENCRYPTED PRIVATE KEY", []byte{0x30, 0}, nil), "encrypted"},
		{"P-384 SEC1", pemBlock("EC PRIVATE KEY", der(x509.MarshalECPrivateKey(p384)), nil), "P-256"},
		{"P-384 PKCS#8", pemBlock("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(p384)), nil), "P-256"},
		{"Ed25519 PKCS#8", pemBlock("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(edKey)), nil), "not supported"},
		{"public key", pemBlock("PUBLIC KEY", der(x509.MarshalPKIXPublicKey(rk.Public())), nil), "public key"},
		{"DSA", pemBlock("DSA PRIVATE KEY", []byte{0x30, 0}, nil), "not supported"},
		{"OpenSSH", pemBlock("OPENSSH PRIVATE KEY", []byte("openssh-key-v1"), nil), "not supported"},
		{"certificate", pemBlock("CERTIFICATE", []byte{0x30, 0}, nil), "CERTIFICATE"},
		{"corrupt PKCS#1", pemBlock("RSA PRIVATE KEY", []byte{0x30, 0}, nil), "does not parse"},
		{"corrupt PKCS#8", pemBlock("PRIVATE KEY", []byte{0x30, 0}, nil), "does not parse"},
		{"corrupt SEC1", pemBlock("EC PRIVATE KEY", []byte{0x30, 0}, nil), "does not parse"},
		{"EC PARAMETERS alone", ecParams, "no PEM private key"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signing.ParsePrivateKey([]byte(tt.pem))
			if err == nil {
				t.Fatalf("ParsePrivateKey = %s, want an error", signing.DescribeKey(k))
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePrivateKey error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// §10: public keys are PEM SubjectPublicKeyInfo; the verifier is
// size-agnostic but accepts only RSA and ECDSA P-256.
func TestParsePublicKey(t *testing.T) {
	rk, ek := testRSAKey(), testECKey()
	der := derOf(t)
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	edPub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	spki := func(k crypto.PublicKey) string {
		return pemBlock("PUBLIC KEY", der(x509.MarshalPKIXPublicKey(k)), nil)
	}
	valid := []struct {
		name string
		pem  string
		want crypto.PublicKey
	}{
		{"RSA SPKI", spki(rk.Public()), rk.Public()},
		{"EC SPKI", spki(ek.Public()), ek.Public()},
		{"RSA-1024 (the §17 vector key)", vecRSAPublicKey, nil},
		{"CRLF line ends", strings.ReplaceAll(spki(rk.Public()), "\n", "\r\n"), rk.Public()},
		{"trailing whitespace", spki(ek.Public()) + "\n\n  \t", ek.Public()},
		{"text before the block", "Public key for K1:\n" + spki(ek.Public()), ek.Public()},
	}
	for _, tt := range valid {
		t.Run(tt.name, func(t *testing.T) {
			k, err := signing.ParsePublicKey([]byte(tt.pem))
			if err != nil {
				t.Fatalf("ParsePublicKey: %v", err)
			}
			if tt.want != nil && !k.(interface{ Equal(crypto.PublicKey) bool }).Equal(tt.want) {
				t.Errorf("ParsePublicKey returned another key")
			}
		})
	}
	invalid := []struct {
		name string
		pem  string
		want string
	}{
		{"empty", "", "no PEM"},
		{"PKCS#1 RSA PUBLIC KEY", pemBlock("RSA PUBLIC KEY", x509.MarshalPKCS1PublicKey(&rk.PublicKey), nil), "RSA PUBLIC KEY"},
		{"certificate", pemBlock("CERTIFICATE", []byte{0x30, 0}, nil), "CERTIFICATE"},
		{"private key", pemBlock("PRIVATE KEY", der(x509.MarshalPKCS8PrivateKey(rk)), nil), "private key"},
		{"RSA private key", pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rk), nil), "private key"},
		{"P-384", spki(p384.Public()), "P-256"},
		{"Ed25519", spki(edPub), "not supported"},
		{"two blocks", spki(rk.Public()) + spki(ek.Public()), "after the PEM block"},
		{"corrupt", pemBlock("PUBLIC KEY", []byte{0x30, 0}, nil), "does not parse"},
		{"other block", pemBlock("SOMETHING", []byte{1}, nil), "SOMETHING"},
	}
	for _, tt := range invalid {
		t.Run(tt.name, func(t *testing.T) {
			_, err := signing.ParsePublicKey([]byte(tt.pem))
			if err == nil {
				t.Fatal("ParsePublicKey succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ParsePublicKey error %q does not mention %q", err, tt.want)
			}
		})
	}
}

// §10: key groups accept RSA-2048 and ECDSA P-256 only.
func TestCheckCloudFrontKey(t *testing.T) {
	p384, err := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		key     any
		wantErr string
	}{
		{"RSA-2048 private", testRSAKey(), ""},
		{"RSA-2048 public", testRSAKey().Public(), ""},
		{"ECDSA P-256 private", testECKey(), ""},
		{"ECDSA P-256 public", testECKey().Public(), ""},
		{"RSA-1024", testRSA1024Key(), "RSA-1024"},
		{"ECDSA P-384", p384, "ECDSA P-384"},
		{"nil", nil, "only RSA-2048 and ECDSA P-256"},
	}
	for _, tt := range tests {
		err := signing.CheckCloudFrontKey(tt.key)
		switch {
		case tt.wantErr == "" && err != nil:
			t.Errorf("CheckCloudFrontKey(%s) = %v, want nil", tt.name, err)
		case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
			t.Errorf("CheckCloudFrontKey(%s) = %v, want an error mentioning %q", tt.name, err, tt.wantErr)
		}
	}
}

// A certificate is refused with a hint, even a well-formed one.
func TestParsePublicKeyCertificateHint(t *testing.T) {
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "k"}, NotBefore: time.Unix(0, 0), NotAfter: time.Unix(1<<31, 0)}
	cert, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, testECKey().Public(), testECKey())
	if err != nil {
		t.Fatal(err)
	}
	_, err = signing.ParsePublicKey([]byte(pemBlock("CERTIFICATE", cert, nil)))
	if err == nil || !strings.Contains(err.Error(), "openssl x509 -pubkey") {
		t.Errorf("ParsePublicKey(certificate) = %v, want a hint to extract the public key", err)
	}
}

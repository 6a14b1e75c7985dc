package signing_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"testing"
	"time"

	"keyfront/signing"
)

// Benchmarks of the edge's verification and of the signer, next to the
// bare crypto/rsa and crypto/ecdsa operations they cannot avoid (issue 2:
// the verify path should add little beyond the crypto itself). Figures go
// to bench/README.md.

// benchURL is a typical object URL: 150-byte canned policy or so (§16).
const benchURL = site + "/media/2026/episode-01/segment-00042.ts?quality=1080p&session=abc123"

func BenchmarkVerify(b *testing.B) {
	keys := testKeys()
	rsa1 := newSigner(b, testRSAKey(), signing.SHA1)
	rsa256 := newSigner(b, testRSAKey(), signing.SHA256)
	ec := newSigner(b, testECKey(), signing.SHA256)
	canned := signing.Terms{DateLessThan: testExpiry}
	custom := signing.Terms{Resource: site + "/media/*", DateLessThan: testExpiry, DateGreaterThan: testNow.Add(-time.Hour), IPAddress: "192.0.2.0/24"}
	cookies, err := rsa1.SignCookies(signing.Terms{Resource: site + "/media/*", DateLessThan: testExpiry})
	if err != nil {
		b.Fatal(err)
	}
	cases := []struct {
		name string
		req  *signing.Request
	}{
		{"RSA-2048-SHA1", request(b, signURL(b, rsa1, benchURL, canned))},
		{"RSA-2048-SHA256", request(b, signURL(b, rsa256, benchURL, canned))},
		{"ECDSA-P256-SHA256", request(b, signURL(b, ec, benchURL, canned))},
		{"RSA-2048-SHA1-custom", request(b, signURL(b, rsa1, benchURL, custom))},
		{"RSA-2048-SHA1-cookies", request(b, benchURL, "session=abc; theme=dark; "+cookieHeader(cookies)+"; _ga=GA1.2.3")},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if _, err := signing.Verify(c.req, keys); err != nil {
				b.Fatalf("Verify: %v", err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := signing.Verify(c.req, keys); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkSign(b *testing.B) {
	for _, c := range []struct {
		name string
		s    *signing.Signer
	}{
		{"RSA-2048-SHA1", newSigner(b, testRSAKey(), signing.SHA1)},
		{"ECDSA-P256-SHA256", newSigner(b, testECKey(), signing.SHA256)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.s.SignURL(benchURL, signing.Terms{DateLessThan: testExpiry}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkCrypto is the floor: hashing the same canned policy and one
// bare signature operation.
func BenchmarkCrypto(b *testing.B) {
	msg := signing.CannedPolicy(benchURL, testExpiry.Unix())
	rk, ek := testRSAKey(), testECKey()
	d1 := sha1.Sum(msg)
	d256 := sha256.Sum256(msg)
	rsaSig1, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA1, d1[:])
	if err != nil {
		b.Fatal(err)
	}
	rsaSig256, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA256, d256[:])
	if err != nil {
		b.Fatal(err)
	}
	ecSig, err := ecdsa.SignASN1(rand.Reader, ek, d256[:])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("rsa.VerifyPKCS1v15-SHA1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha1.Sum(msg)
			if err := rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA1, d[:], rsaSig1); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("rsa.VerifyPKCS1v15-SHA256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(msg)
			if err := rsa.VerifyPKCS1v15(&rk.PublicKey, crypto.SHA256, d[:], rsaSig256); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdsa.VerifyASN1-SHA256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(msg)
			if !ecdsa.VerifyASN1(&ek.PublicKey, d[:], ecSig) {
				b.Fatal("ecdsa.VerifyASN1 failed")
			}
		}
	})
	b.Run("rsa.SignPKCS1v15-SHA1", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha1.Sum(msg)
			if _, err := rsa.SignPKCS1v15(nil, rk, crypto.SHA1, d[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ecdsa.SignASN1-SHA256", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			d := sha256.Sum256(msg)
			if _, err := ecdsa.SignASN1(rand.Reader, ek, d[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}

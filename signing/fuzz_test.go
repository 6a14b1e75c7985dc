package signing_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

// Fuzz targets for the parts of the package that read hostile input. The
// seed corpus lives in testdata/fuzz/<FuzzName>/; the f.Add seeds below are
// the spec's own examples.

func FuzzParsePolicy(f *testing.F) {
	for _, s := range []string{vecP1, vecP2, vecP3, vecP4, awsDocPolicy, `{"Statement":{"Condition":{"DateLessThan":{"AWS:EpochTime":"1"}}}}`, `{}`, `[`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := signing.ParsePolicy(b)
		if err != nil {
			var pe *signing.PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not a *PolicyError", err, err)
			}
			if pe.Reason.Code() != signing.MalformedPolicy {
				t.Fatalf("reason %q maps to %v, want MalformedPolicy", pe.Reason, pe.Reason.Code())
			}
			if p != nil {
				t.Fatalf("ParsePolicy returned a policy and an error")
			}
			return
		}
		// encoding/json agrees that it is JSON and on what it says.
		if !json.Valid(b) {
			t.Fatalf("ParsePolicy accepted invalid JSON %q", b)
		}
		if got, want := summarize(p), oraclePolicy(t, b); got != want {
			t.Fatalf("ParsePolicy(%q) = %+v, encoding/json reads %+v", b, got, want)
		}
		p.AllowsIP(netip.MustParseAddr("192.0.2.1"))
		p.AllowsIP(netip.MustParseAddr("2001:db8::1"))
		signing.MatchResource(p.Resource, "https", "h", "/", "")
		// What the signer can emit from the parsed terms, the edge parses
		// back to the same terms (§14.1, §4.3).
		out, err := p.Marshal()
		if err != nil {
			return
		}
		back, err := signing.ParsePolicy(out)
		if err != nil {
			t.Fatalf("ParsePolicy(Marshal(%q) = %s): %v", b, out, err)
		}
		want := summarize(p)
		if want.SourceIP != "" && !strings.Contains(want.SourceIP, "/") {
			want.SourceIP += "/32"
		}
		if got := summarize(back); got != want {
			t.Fatalf("round trip of %q: got %+v, want %+v", b, got, want)
		}
	})
}

// oraclePolicy reads an accepted policy with encoding/json (which keeps
// names exactly when decoding into maps) as an independent check of
// ParsePolicy's strings and numbers.
func oraclePolicy(t *testing.T, b []byte) parsed {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var doc map[string]any
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("encoding/json: %v", err)
	}
	st := doc["Statement"]
	if a, ok := st.([]any); ok {
		st = a[0]
	}
	stmt := st.(map[string]any)
	cond := stmt["Condition"].(map[string]any)
	epoch := func(name string) (int64, bool) {
		m, ok := cond[name].(map[string]any)
		if !ok {
			return 0, false
		}
		switch v := m["AWS:EpochTime"].(type) {
		case string:
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("encoding/json reads %s %q", name, v)
			}
			return n, true
		case json.Number:
			f, _, err := big.ParseFloat(string(v), 10, 256, big.ToNearestEven)
			if err != nil {
				t.Fatalf("encoding/json reads %s %s: %v", name, v, err)
			}
			n, acc := f.Int64()
			if acc != big.Exact {
				t.Fatalf("%s %s is not an int64", name, v)
			}
			return n, true
		}
		t.Fatalf("%s is %T", name, m["AWS:EpochTime"])
		return 0, false
	}
	var want parsed
	want.Resource, _ = stmt["Resource"].(string)
	want.DateLessThan, _ = epoch("DateLessThan")
	want.DateGreaterThan, want.HasDGT = epoch("DateGreaterThan")
	if ip, ok := cond["IpAddress"].(map[string]any); ok {
		want.SourceIP, _ = ip["AWS:SourceIp"].(string)
	}
	return want
}

func FuzzDecodeBase64(f *testing.F) {
	f.Add([]byte(vecP1), "")
	f.Add([]byte{0xfb, 0xff}, "-~8_")
	f.Add([]byte{}, "Zg")
	f.Add([]byte("x"), "Zm\r\n9v%7E")
	f.Fuzz(func(t *testing.T, data []byte, s string) {
		enc := signing.EncodeBase64(data)
		got, err := signing.DecodeBase64(enc)
		if err != nil || !bytes.Equal(got, data) {
			t.Fatalf("DecodeBase64(EncodeBase64(%x)) = %x, %v", data, got, err)
		}
		// Liberal forms decode to the same bytes (§3.1): unpadded, the
		// standard alphabet, line-wrapped.
		unpadded := strings.TrimRight(enc, "_")
		std := strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(enc)
		var wrapped strings.Builder
		for i := 0; i < len(enc); i += 7 {
			wrapped.WriteString(enc[i:min(i+7, len(enc))] + "\r\n")
		}
		for _, form := range []string{unpadded, std, wrapped.String()} {
			if got, err := signing.DecodeBase64(form); err != nil || !bytes.Equal(got, data) {
				t.Fatalf("DecodeBase64(%q) = %x, %v; want %x", form, got, err, data)
			}
		}
		// Arbitrary input: the same verdict as a plain reading of §3.1
		// through encoding/base64, and what decodes re-encodes to bytes
		// that decode the same.
		b, err := signing.DecodeBase64(s)
		ref, refErr := referenceDecodeBase64(s)
		if (err == nil) != (refErr == nil) || err == nil && !bytes.Equal(b, ref) {
			t.Fatalf("DecodeBase64(%q) = %x, %v; reference %x, %v", s, b, err, ref, refErr)
		}
		if err == nil {
			again, err := signing.DecodeBase64(signing.EncodeBase64(b))
			if err != nil || !bytes.Equal(again, b) {
				t.Fatalf("DecodeBase64(%q) = %x does not round-trip", s, b)
			}
		}
	})
}

// referenceDecodeBase64 is §3.1 spelt out with encoding/base64: map the
// CloudFront alphabet back, drop whitespace, require padding only at the
// end, then decode without padding.
func referenceDecodeBase64(s string) ([]byte, error) {
	s = strings.NewReplacer("-", "+", "~", "/", "_", "=", " ", "", "\t", "", "\r", "", "\n", "").Replace(s)
	data := strings.TrimRight(s, "=")
	if len(s)-len(data) > 2 || strings.Contains(data, "=") {
		return nil, errors.New("bad padding")
	}
	return base64.RawStdEncoding.DecodeString(data)
}

func FuzzVerify(f *testing.F) {
	keys := vecKeys(f)
	for _, v := range vectors {
		host, uri, _ := strings.Cut(strings.TrimPrefix(v.signedURL(), "https://"), "/")
		f.Add(host, "/"+uri, "", uint32(0xc0a80007))
		host, uri, _ = strings.Cut(strings.TrimPrefix(v.url, "https://"), "/")
		f.Add(host, "/"+uri, v.cookies(), uint32(0x0a010203))
	}
	p4 := vector{keyID: "K1TESTKEY", policy: vecP4, sig: vecP4Sig}
	f.Add("example.com", "/file?"+p4.urlParams(vecP4Sig, "K1TESTKEY"), "", uint32(0))
	f.Add("d111111abcdef8.cloudfront.net:443", "https://x/image.jpg?Expires=1767290400&Signature=%%%&Key-Pair-Id=K1TESTKEY", "", uint32(1))
	f.Add("h", "/", "CloudFront-Key-Pair-Id=\"K1TESTKEY\"; CloudFront-Expires=1", uint32(1))
	f.Fuzz(func(t *testing.T, host, requestURI, cookie string, viewer uint32) {
		req := &signing.Request{
			Scheme:     "https",
			Host:       host,
			RequestURI: requestURI,
			Cookies:    []string{cookie},
			ViewerIP:   netip.AddrFrom4([4]byte{byte(viewer >> 24), byte(viewer >> 16), byte(viewer >> 8), byte(viewer)}),
			Now:        time.Unix(vecNow, 0),
		}
		res, err := signing.Verify(req, keys)
		if res == nil {
			t.Fatal("nil Result")
		}
		_, checks := signing.Explain(req, keys)
		if len(checks) == 0 {
			t.Fatal("Explain returned no checks")
		}
		last := checks[len(checks)-1]
		if err != nil {
			var rej *signing.Rejection
			if !errors.As(err, &rej) {
				t.Fatalf("error %T %v is not a *Rejection", err, err)
			}
			if rej.Code == signing.OK || rej.Code != rej.Reason.Code() {
				t.Fatalf("rejection %v: Code %v, Reason.Code() %v", rej, rej.Code, rej.Reason.Code())
			}
			if len(rej.Code.Body()) == 0 {
				t.Fatalf("rejection %v has no body", rej)
			}
			if last.OK || last.Detail != rej.Detail {
				t.Fatalf("Explain ends with %+v, Verify says %v", last, rej)
			}
			return
		}
		// Admitted: the request carried a signature from a trusted key over
		// a policy in force now.
		if !last.OK {
			t.Fatalf("Verify admitted, Explain refused: %+v", last)
		}
		if res.Policy == nil || res.KeyPairID == "" {
			t.Fatalf("admitted with Result %+v", res)
		}
		if _, ok := keys[res.KeyPairID]; !ok {
			t.Fatalf("admitted with untrusted key %q", res.KeyPairID)
		}
		if vecNow >= res.Policy.DateLessThan || (res.Policy.HasDateGreaterThan() && vecNow <= res.Policy.DateGreaterThan) {
			t.Fatalf("admitted outside the policy's window: %+v", res.Policy)
		}
		if !res.Policy.AllowsIP(req.ViewerIP) {
			t.Fatalf("admitted viewer %s outside %s", req.ViewerIP, res.Policy.SourceIP)
		}
		_, rawQuery, _ := strings.Cut(requestURI, "?")
		if res.Mode == signing.ModeURL && res.Query != signing.StripQuery(rawQuery) {
			t.Fatalf("Query = %q, want StripQuery = %q", res.Query, signing.StripQuery(rawQuery))
		}
		if signing.HasSigningParams(res.Query) {
			t.Fatalf("Query %q still has signing parameters", res.Query)
		}
	})
}

func FuzzMatchResource(f *testing.F) {
	f.Add("https://d111111abcdef8.cloudfront.net/*game_download.zip*", "https", "d111111abcdef8.cloudfront.net", "/example_game_download.zip", "license=yes")
	f.Add(`https://h/horizon.jpg\?size=large&license=yes`, "https", "h", "/horizon.jpg", "size=large&license=yes")
	f.Add("*example.com", "http", "www.example.com:80", "/", "")
	f.Add("http://example.com*", "http", "example.com", "/a", "b")
	f.Add("https://[2001:db8::1]:8443/a?b?c", "https", "[2001:db8::1]:8443", "/a", "b?c")
	f.Add("*", "", "", "", "")
	f.Fuzz(func(t *testing.T, pattern, scheme, host, path, query string) {
		got := signing.MatchResource(pattern, scheme, host, path, query)
		if pattern == "*" && !got {
			t.Fatal(`"*" did not match`)
		}
		// A pattern that is the request's own URL, without wildcards,
		// always matches it (§6).
		if !literalSafe(scheme, host, path, query) {
			return
		}
		lit := scheme + "://" + host + path
		if query != "" {
			lit += "?" + query
		}
		if !signing.MatchResource(lit, scheme, host, path, query) {
			t.Fatalf("literal %q does not match its own URL", lit)
		}
	})
}

// literalSafe reports whether the URL parts, written as a pattern, hold no
// wildcard and split back into the same sections.
func literalSafe(scheme, host, path, query string) bool {
	if scheme == "" || strings.ContainsAny(scheme, "*?\\:/") || strings.ContainsAny(host, "*?\\/[]") ||
		!strings.HasPrefix(path, "/") || strings.ContainsAny(path, "*?\\") || strings.ContainsAny(query, "*?\\") {
		return false
	}
	return true
}

package signing_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"errors"
	"math/big"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

// site is the distribution the verification tests sign for.
const site = "https://d111111abcdef8.cloudfront.net"

// rawSign signs msg with key directly through crypto/rsa or crypto/ecdsa,
// not through signing.Signer, and returns CloudFront base64 (§9).
func rawSign(tb testing.TB, key crypto.Signer, h crypto.Hash, msg []byte) string {
	tb.Helper()
	var digest []byte
	switch h {
	case crypto.SHA1:
		d := sha1.Sum(msg)
		digest = d[:]
	case crypto.SHA256:
		d := sha256.Sum256(msg)
		digest = d[:]
	default:
		tb.Fatalf("rawSign: hash %v", h)
	}
	var sig []byte
	var err error
	switch k := key.(type) {
	case *rsa.PrivateKey:
		sig, err = rsa.SignPKCS1v15(nil, k, h, digest)
	case *ecdsa.PrivateKey:
		sig, err = ecdsa.SignASN1(rand.Reader, k, digest)
	}
	if err != nil || sig == nil {
		tb.Fatalf("rawSign: %v", err)
	}
	return signing.EncodeBase64(sig)
}

// customParams returns "Policy=…&Signature=…&Key-Pair-Id=…" for policy
// bytes signed with the generated RSA key and SHA1, by hand.
func customParams(tb testing.TB, policy string) string {
	tb.Helper()
	return "Policy=" + signing.EncodeBase64([]byte(policy)) +
		"&Signature=" + rawSign(tb, testRSAKey(), crypto.SHA1, []byte(policy)) +
		"&Key-Pair-Id=" + rsaKeyID
}

// cannedParams returns "Expires=…&Signature=…&Key-Pair-Id=…" for a canned
// policy over resource with the expiry digits as given, signed by hand.
func cannedParams(tb testing.TB, resource, expires string) string {
	tb.Helper()
	msg := `{"Statement":[{"Resource":"` + resource + `","Condition":{"DateLessThan":{"AWS:EpochTime":` + expires + `}}}]}`
	return "Expires=" + expires + "&Signature=" + rawSign(tb, testRSAKey(), crypto.SHA1, []byte(msg)) + "&Key-Pair-Id=" + rsaKeyID
}

// policyJSON is a custom policy with the given Resource member (omitted if
// empty) and extra Condition members after DateLessThan (one hour after
// testNow).
func policyJSON(resource, extraCondition string) string {
	s := `{"Statement":[{`
	if resource != "" {
		s += `"Resource":"` + resource + `",`
	}
	s += `"Condition":{"DateLessThan":{"AWS:EpochTime":` + strconv.FormatInt(testExpiry.Unix(), 10) + `}`
	if extraCondition != "" {
		s += "," + extraCondition
	}
	return s + `}}]}`
}

type verifyCase struct {
	name string
	req  *signing.Request
	want verdict
}

func runVerifyCases(t *testing.T, keys signing.Keys, tests []verifyCase) {
	t.Helper()
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantVerdict(t, tt.req, keys, tt.want)
		})
	}
}

// §2.3: any of the five names in the query, even empty or incomplete, makes
// a signed-URL request and the cookies are not examined.
func TestVerifyModeSelection(t *testing.T) {
	rsa1 := newSigner(t, testRSAKey(), signing.SHA1)
	obj := site + "/a.jpg"
	goodURL := signURL(t, rsa1, obj, signing.Terms{DateLessThan: testExpiry})
	cookies, err := rsa1.SignCookies(signing.Terms{Resource: obj, DateLessThan: testExpiry})
	if err != nil {
		t.Fatal(err)
	}
	good := cookieHeader(cookies)

	tests := []verifyCase{
		{"nothing", request(t, obj), denied(signing.ReasonKeyIDMissing)},
		{"cookies only", request(t, obj, good), ok},
		{"signed URL only", request(t, goodURL), ok},
		{"signed URL wins over bad cookies", request(t, goodURL, "CloudFront-Key-Pair-Id=KNOPE; CloudFront-Signature=x"), ok},
		{"bad signed URL, good cookies", request(t, strings.Replace(goodURL, "Expires=", "Expires=1", 1), good), denied(signing.ReasonSignatureMismatch)},
		{"unrelated query keeps cookie mode", request(t, obj+"?size=large", good), denied(signing.ReasonSignatureMismatch)},
		{"lower-case name is not a signing parameter", request(t, obj+"?signature=x", good), denied(signing.ReasonSignatureMismatch)},
		{"cookie name in the query is not a signing parameter", request(t, obj+"?CloudFront-Key-Pair-Id="+rsaKeyID), denied(signing.ReasonKeyIDMissing)},
	}
	for _, name := range []string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"} {
		tests = append(tests,
			verifyCase{"empty " + name + " disables cookies", request(t, obj+"?"+name+"=", good), denied(signing.ReasonKeyIDMissing)},
			verifyCase{"bare " + name + " disables cookies", request(t, obj+"?x=1&"+name, good), denied(signing.ReasonKeyIDMissing)},
		)
	}
	tests = append(tests,
		verifyCase{"percent-encoded name disables cookies", request(t, obj+"?%53ignature=", good), denied(signing.ReasonKeyIDMissing)},
		verifyCase{"Key-Pair-Id alone", request(t, obj+"?Key-Pair-Id="+rsaKeyID, good), denied(signing.ReasonPolicyMissing)},
	)
	runVerifyCases(t, testKeys(), tests)

	// The mode is reported in the result.
	for _, tt := range []struct {
		req  *signing.Request
		want signing.Mode
	}{
		{request(t, goodURL, good), signing.ModeURL},
		{request(t, obj+"?Hash-Algorithm=", good), signing.ModeURL},
		{request(t, obj, good), signing.ModeCookies},
		{request(t, obj), signing.ModeCookies},
	} {
		res, _ := signing.Verify(tt.req, testKeys())
		if res.Mode != tt.want {
			t.Errorf("Verify(%s, cookies %q).Mode = %v, want %v", tt.req.RequestURI, tt.req.Cookies, res.Mode, tt.want)
		}
	}
}

// §11 step 3 and §3.2: Key-Pair-Id trimmed, first occurrence wins.
func TestVerifyKeyPairID(t *testing.T) {
	obj := site + "/a.jpg"
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	params := cannedParams(t, obj, exp)
	withKey := func(id string) string {
		return obj + "?" + strings.Replace(params, "Key-Pair-Id="+rsaKeyID, "Key-Pair-Id="+id, 1)
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"exact", request(t, withKey(rsaKeyID)), ok},
		{"surrounded by encoded spaces", request(t, withKey("%20%09"+rsaKeyID+"%20")), ok},
		{"percent-encoded", request(t, withKey("%4B"+rsaKeyID[1:])), ok},
		{"case differs", request(t, withKey(strings.ToLower(rsaKeyID))), denied(signing.ReasonKeyUnknown)},
		{"empty", request(t, withKey("")), denied(signing.ReasonKeyIDMissing)},
		{"only spaces", request(t, withKey("%20%20")), denied(signing.ReasonKeyIDMissing)},
		{"CRLF and vertical tab trimmed", request(t, withKey("%0D%0A%0B"+rsaKeyID+"%0C")), ok},
		{"non-ASCII space not trimmed", request(t, withKey(rsaKeyID+"%C2%A0")), denied(signing.ReasonKeyUnknown)},
		{"absent", request(t, obj+"?"+strings.Replace(params, "&Key-Pair-Id="+rsaKeyID, "", 1)), denied(signing.ReasonKeyIDMissing)},
		{"unknown", request(t, withKey("K0000000000000")), denied(signing.ReasonKeyUnknown)},
		{"a whole PEM is InvalidKey, not MissingKey", request(t, withKey("-----BEGIN%20PUBLIC%20KEY-----")), denied(signing.ReasonKeyUnknown)},
		{"duplicate, first trusted", request(t, withKey(rsaKeyID)+"&Key-Pair-Id=KNOPE"), ok},
		{"duplicate, first unknown", request(t, withKey("KNOPE")+"&Key-Pair-Id="+rsaKeyID), denied(signing.ReasonKeyUnknown)},
		{"duplicate, first empty", request(t, withKey("")+"&Key-Pair-Id="+rsaKeyID), denied(signing.ReasonKeyIDMissing)},
	})
	// A nil key set trusts nothing.
	wantVerdict(t, request(t, withKey(rsaKeyID)), nil, denied(signing.ReasonKeyUnknown))
	wantVerdict(t, request(t, withKey(rsaKeyID)), signing.KeyMap{}, denied(signing.ReasonKeyUnknown))
}

// §9 and §11 step 4: Hash-Algorithm is case-insensitive, empty means SHA1,
// anything else is MalformedPolicy, and there is no fallback.
func TestVerifyHashAlgorithm(t *testing.T) {
	obj := site + "/a.jpg"
	t1 := signing.Terms{DateLessThan: testExpiry}
	sha1URL := signURL(t, newSigner(t, testRSAKey(), signing.SHA1), obj, t1)
	sha256URL := signURL(t, newSigner(t, testRSAKey(), signing.SHA256), obj, t1)
	base256 := strings.TrimSuffix(sha256URL, "&Hash-Algorithm=SHA256")
	if base256 == sha256URL {
		t.Fatalf("SHA256 URL %s does not end in &Hash-Algorithm=SHA256", sha256URL)
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"SHA1 by default", request(t, sha1URL), ok},
		{"SHA1 named", request(t, sha1URL+"&Hash-Algorithm=SHA1"), ok},
		{"SHA1 empty value", request(t, sha1URL+"&Hash-Algorithm="), ok},
		{"sha1 lower case", request(t, sha1URL+"&Hash-Algorithm=sha1"), ok},
		{"SHA256", request(t, sha256URL), ok},
		{"sha256 lower case", request(t, base256+"&Hash-Algorithm=sha256"), ok},
		{"Sha256 mixed case", request(t, base256+"&Hash-Algorithm=Sha256"), ok},
		{"Hash-Algorithm first in the query", request(t, strings.Replace(base256, "?", "?Hash-Algorithm=SHA256&", 1)), ok},
		{"SHA-256 is unknown", request(t, base256+"&Hash-Algorithm=SHA-256"), denied(signing.ReasonHashAlgUnsupported)},
		{"MD5 is unknown", request(t, sha1URL+"&Hash-Algorithm=MD5"), denied(signing.ReasonHashAlgUnsupported)},
		{"SHA512 is unknown", request(t, sha1URL+"&Hash-Algorithm=SHA512"), denied(signing.ReasonHashAlgUnsupported)},
		{"unknown before an unknown key", request(t, strings.Replace(sha1URL, rsaKeyID, "KNOPE", 1)+"&Hash-Algorithm=x"), denied(signing.ReasonHashAlgUnsupported)},
		{"SHA256 signature without the parameter: no fallback", request(t, base256), denied(signing.ReasonSignatureMismatch)},
		{"SHA1 signature named SHA256: no fallback", request(t, sha1URL+"&Hash-Algorithm=SHA256"), denied(signing.ReasonSignatureMismatch)},
		{"duplicate, first wins", request(t, base256+"&Hash-Algorithm=SHA256&Hash-Algorithm=SHA1"), ok},
		{"duplicate, first empty wins", request(t, base256+"&Hash-Algorithm=&Hash-Algorithm=SHA256"), denied(signing.ReasonSignatureMismatch)},
	})
}

// §11 step 5 and §2.1: Policy or Expires, Policy wins, Expires is 1 to 19
// digits within int64 inserted as received.
func TestVerifyPolicyParameter(t *testing.T) {
	obj := site + "/a.jpg"
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	canned := cannedParams(t, obj, exp)
	custom := customParams(t, policyJSON(obj, ""))
	sigAndKey := custom[strings.Index(custom, "&Signature="):]
	policyOnly := custom[:strings.Index(custom, "&Signature=")]
	runVerifyCases(t, testKeys(), []verifyCase{
		{"canned", request(t, obj+"?"+canned), ok},
		{"custom", request(t, obj+"?"+custom), ok},
		{"Expires and Policy: Policy wins", request(t, obj+"?Expires="+exp+"&"+custom), ok},
		{"Policy and Expires: Policy wins", request(t, obj+"?"+policyOnly+"&Expires="+exp+sigAndKey), ok},
		{"Policy wins over a malformed Expires", request(t, obj+"?Expires=soon&"+custom), ok},
		{"Policy wins, so a canned signature fails", request(t, obj+"?Policy="+signing.EncodeBase64([]byte(policyJSON(site+"/*", "")))+"&"+canned), denied(signing.ReasonSignatureMismatch)},
		{"empty Policy fails even with Expires", request(t, obj+"?Policy=&"+canned), denied(signing.ReasonPolicyB64)},
		{"Policy not base64", request(t, obj+"?Policy=!!!!"+sigAndKey), denied(signing.ReasonPolicyB64)},
		{"Policy of one base64 char", request(t, obj+"?Policy=e"+sigAndKey), denied(signing.ReasonPolicyB64)},
		{"Policy decodes to nothing", request(t, obj+"?Policy=__"+sigAndKey), denied(signing.ReasonPolicyB64)},
		{"Policy not JSON", request(t, obj+"?Policy="+signing.EncodeBase64([]byte("hello"))+sigAndKey), denied(signing.ReasonPolicyJSON)},
		{"Policy malformed before the key is checked", request(t, obj+"?Policy="+signing.EncodeBase64([]byte("{}"))+"&Signature=x&Key-Pair-Id=KNOPE"), denied(signing.ReasonPolicyStatementCount)},
		{"neither Policy nor Expires", request(t, obj+"?"+sigAndKey[1:]), denied(signing.ReasonPolicyMissing)},
		{"Expires empty", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires not digits", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=1e9", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires negative", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=-1", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires with plus", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=+"+exp, 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires fractional", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires="+exp+".0", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires 20 digits", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=00000000001767293600", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires beyond int64", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=9223372036854775808", 1)), denied(signing.ReasonExpiresInvalid)},
		{"Expires int64 max", request(t, obj+"?"+cannedParams(t, obj, "9223372036854775807")), ok},
		{"Expires with leading zeros, signed as sent", request(t, obj+"?"+cannedParams(t, obj, "0"+exp)), ok},
		{"Expires milliseconds (13 digits) are far future", request(t, obj+"?"+cannedParams(t, obj, exp+"000")), ok},
		{"Expires percent-encoded digits", request(t, obj+"?"+strings.Replace(canned, "Expires="+exp, "Expires=%3"+exp[:1]+exp[1:], 1)), ok},
		{"duplicate Expires, first wins", request(t, obj+"?"+canned+"&Expires=1"), ok},
		{"duplicate Expires, first wrong", request(t, obj+"?Expires=1&"+canned), denied(signing.ReasonSignatureMismatch)},
		{"duplicate Policy, first wins", request(t, obj+"?"+custom+"&Policy=x"), ok},
	})
}

// §11 steps 8 to 10 and §3: the signature's presence, encoding and value.
func TestVerifySignature(t *testing.T) {
	obj := site + "/a.jpg"
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	msg := signing.CannedPolicy(obj, testExpiry.Unix())
	sig := rawSign(t, testRSAKey(), crypto.SHA1, msg)
	withSig := func(s string) string {
		return obj + "?Expires=" + exp + "&Signature=" + s + "&Key-Pair-Id=" + rsaKeyID
	}
	std := strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(sig)
	if !strings.ContainsAny(sig, "-~") {
		// Make sure the encoding cases below exercise the mapping.
		for i := 0; i < 50 && !strings.ContainsAny(sig, "-~"); i++ {
			obj = site + "/a" + strconv.Itoa(i) + ".jpg"
			msg = signing.CannedPolicy(obj, testExpiry.Unix())
			sig = rawSign(t, testRSAKey(), crypto.SHA1, msg)
		}
		std = strings.NewReplacer("-", "+", "_", "=", "~", "/").Replace(sig)
	}
	pctStd := strings.NewReplacer("+", "%2B", "/", "%2F", "=", "%3D").Replace(std)
	var wrapped strings.Builder
	for i := 0; i < len(sig); i += 40 {
		wrapped.WriteString(sig[i:min(i+40, len(sig))])
		wrapped.WriteString("%0D%0A")
	}
	ecMsg := signing.CannedPolicy(obj, testExpiry.Unix())
	ecURL := func(s, hashParam string) string {
		u := obj + "?Expires=" + exp + "&Signature=" + s + "&Key-Pair-Id=" + ecKeyID
		if hashParam != "" {
			u += "&Hash-Algorithm=" + hashParam
		}
		return u
	}
	d := sha256.Sum256(ecMsg)
	r, s, err := ecdsa.Sign(rand.Reader, testECKey(), d[:])
	if err != nil {
		t.Fatal(err)
	}
	raw := append(r.FillBytes(make([]byte, 32)), s.FillBytes(make([]byte, 32))...)
	raw[0] &^= 0x80 // keep it clearly not a DER header
	if raw[0] == 0x30 {
		raw[0] = 0x31
	}

	runVerifyCases(t, testKeys(), []verifyCase{
		{"valid", request(t, withSig(sig)), ok},
		{"absent", request(t, obj+"?Expires="+exp+"&Key-Pair-Id="+rsaKeyID), denied(signing.ReasonSignatureMissing)},
		{"empty", request(t, withSig("")), denied(signing.ReasonSignatureMissing)},
		{"absent with unknown key is InvalidKey", request(t, obj+"?Expires="+exp+"&Key-Pair-Id=KNOPE"), denied(signing.ReasonKeyUnknown)},
		{"%%%", request(t, withSig("%%%")), denied(signing.ReasonSignatureB64)},
		{"not base64", request(t, withSig("abc$def")), denied(signing.ReasonSignatureB64)},
		{"length 1 mod 4", request(t, withSig(strings.TrimRight(sig, "_")+"AAA")), denied(signing.ReasonSignatureB64)},
		{"padding in the middle", request(t, withSig(sig[:8]+"_"+sig[8:])), denied(signing.ReasonSignatureB64)},
		{"three padding chars", request(t, withSig(strings.TrimRight(sig, "_")+"___")), denied(signing.ReasonSignatureB64)},
		{"standard alphabet", request(t, withSig(strings.ReplaceAll(std, "+", "%2B"))), ok},
		{"standard alphabet percent-encoded", request(t, withSig(pctStd)), ok},
		{"raw + stays + (never space)", request(t, withSig(std)), ok},
		{"%7E for ~", request(t, withSig(strings.ReplaceAll(sig, "~", "%7E"))), ok},
		{"%7e for ~", request(t, withSig(strings.ReplaceAll(sig, "~", "%7e"))), ok},
		{"every byte percent-encoded", request(t, withSig(percentEncodeAll(sig))), ok},
		{"unpadded", request(t, withSig(strings.TrimRight(sig, "_"))), ok},
		{"CRLF every 40 chars", request(t, withSig(wrapped.String())), ok},
		{"spaces and tabs", request(t, withSig("%20"+sig[:10]+"%09"+sig[10:]+"%20")), ok},
		{"truncated", request(t, withSig(sig[:len(sig)-8])), denied(signing.ReasonSignatureMismatch)},
		{"decodes to nothing", request(t, withSig("__")), denied(signing.ReasonSignatureMismatch)},
		{"another key's signature", request(t, obj+"?Expires="+exp+"&Signature="+sig+"&Key-Pair-Id="+ecKeyID), denied(signing.ReasonSignatureMismatch)},
		{"duplicate, first wins", request(t, withSig(sig)+"&Signature=AAAA"), ok},
		{"duplicate, first bad", request(t, obj+"?Signature=AAAA&Expires="+exp+"&Signature="+sig+"&Key-Pair-Id="+rsaKeyID), denied(signing.ReasonSignatureMismatch)},

		// ECDSA: DER signatures with either hash (§9).
		{"ECDSA SHA1 without parameter", request(t, ecURL(rawSign(t, testECKey(), crypto.SHA1, ecMsg), "")), ok},
		{"ECDSA SHA1 named", request(t, ecURL(rawSign(t, testECKey(), crypto.SHA1, ecMsg), "SHA1")), ok},
		{"ECDSA SHA256", request(t, ecURL(rawSign(t, testECKey(), crypto.SHA256, ecMsg), "SHA256")), ok},
		{"ECDSA SHA256 without parameter", request(t, ecURL(rawSign(t, testECKey(), crypto.SHA256, ecMsg), "")), denied(signing.ReasonSignatureMismatch)},
		{"ECDSA SHA1 named SHA256", request(t, ecURL(rawSign(t, testECKey(), crypto.SHA1, ecMsg), "SHA256")), denied(signing.ReasonSignatureMismatch)},
		{"ECDSA raw r||s", request(t, ecURL(signing.EncodeBase64(raw), "SHA256")), denied(signing.ReasonSignatureNotDER)},
		{"ECDSA 64 bytes of zeros", request(t, ecURL(signing.EncodeBase64(make([]byte, 64)), "SHA256")), denied(signing.ReasonSignatureNotDER)},
		{"ECDSA 63 bytes", request(t, ecURL(signing.EncodeBase64(raw[:63]), "SHA256")), denied(signing.ReasonSignatureMismatch)},
		{"RSA key, 64 bytes", request(t, withSig(signing.EncodeBase64(raw))), denied(signing.ReasonSignatureMismatch)},
	})
}

// percentEncodeAll percent-encodes every byte of s.
func percentEncodeAll(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteString("%" + strings.ToUpper(strconv.FormatUint(uint64(s[i])|0x100, 16)[1:]))
	}
	return b.String()
}

// A DER signature that happens to be 64 bytes long is judged on its merits,
// not reported as raw r||s.
func TestVerifyShortDERSignatureIsNotRaw(t *testing.T) {
	obj := site + "/a.jpg"
	// A DER SEQUENCE of two 29-byte INTEGERs is 64 bytes.
	r := new(big.Int).Lsh(big.NewInt(1), 8*29-2)
	der := []byte{0x30, 62, 0x02, 29}
	der = append(der, r.FillBytes(make([]byte, 29))...)
	der = append(der, 0x02, 29)
	der = append(der, r.FillBytes(make([]byte, 29))...)
	if len(der) != 64 {
		t.Fatalf("built a %d-byte DER signature, want 64", len(der))
	}
	u := obj + "?Expires=" + strconv.FormatInt(testExpiry.Unix(), 10) + "&Signature=" + signing.EncodeBase64(der) + "&Key-Pair-Id=" + ecKeyID + "&Hash-Algorithm=SHA256"
	wantVerdict(t, request(t, u), testKeys(), denied(signing.ReasonSignatureMismatch))
}

// §7, §8, §11 steps 11 to 14 with hand-built custom policies.
func TestVerifyConditions(t *testing.T) {
	obj := site + "/a.jpg"
	at := func(u string, now int64, ip string) *signing.Request {
		req := request(t, u)
		req.Now = time.Unix(now, 0)
		return withIP(req, ip)
	}
	now := testNow.Unix()
	dlt := testExpiry.Unix()
	epoch := func(n int64) string { return `{"AWS:EpochTime":` + strconv.FormatInt(n, 10) + `}` }
	url := func(policy string) string { return obj + "?" + customParams(t, policy) }
	p := func(cond string) string {
		return `{"Statement":[{"Resource":"` + obj + `","Condition":{` + cond + `}}]}`
	}
	dltOnly := url(p(`"DateLessThan":` + epoch(dlt)))
	window := url(p(`"DateGreaterThan":` + epoch(now-10) + `,"DateLessThan":` + epoch(now+10)))
	ip := func(cidr string) string {
		return url(p(`"DateLessThan":` + epoch(dlt) + `,"IpAddress":{"AWS:SourceIp":"` + cidr + `"}`))
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"before expiry", at(dltOnly, dlt-1, ""), ok},
		{"at expiry", at(dltOnly, dlt, ""), denied(signing.ReasonExpired)},
		{"after expiry", at(dltOnly, dlt+1, ""), denied(signing.ReasonExpired)},
		{"fraction of a second before expiry counts as the whole second", &signing.Request{Scheme: "https", Host: "d111111abcdef8.cloudfront.net", RequestURI: dltOnly[len(site):], Now: time.Unix(dlt-1, 999999999)}, ok},
		{"window: at start", at(window, now-10, ""), denied(signing.ReasonNotYetValid)},
		{"window: inside", at(window, now, ""), ok},
		{"window: at end", at(window, now+10, ""), denied(signing.ReasonExpired)},
		{"window: before start", at(window, now-11, ""), denied(signing.ReasonNotYetValid)},
		{"DateGreaterThan equal to DateLessThan never admits (before)", at(url(p(`"DateLessThan":`+epoch(now)+`,"DateGreaterThan":`+epoch(now))), now-1, ""), denied(signing.ReasonNotYetValid)},
		{"DateGreaterThan equal to DateLessThan never admits (at)", at(url(p(`"DateLessThan":`+epoch(now)+`,"DateGreaterThan":`+epoch(now))), now, ""), denied(signing.ReasonExpired)},
		{"DateGreaterThan after DateLessThan never admits", at(url(p(`"DateLessThan":`+epoch(now+10)+`,"DateGreaterThan":`+epoch(now+20))), now, ""), denied(signing.ReasonNotYetValid)},
		{"DateGreaterThan zero is a start", at(url(p(`"DateLessThan":`+epoch(dlt)+`,"DateGreaterThan":`+epoch(0))), 0, ""), denied(signing.ReasonNotYetValid)},
		{"expiry checked before the start", at(window, now+20, ""), denied(signing.ReasonExpired)},
		{"IP inside /24", at(ip("192.0.2.0/24"), now, "192.0.2.200"), ok},
		{"IP outside /24", at(ip("192.0.2.0/24"), now, "192.0.3.1"), denied(signing.ReasonIPMismatch)},
		{"IP bare address matches itself", at(ip("192.0.2.7"), now, "192.0.2.7"), ok},
		{"IP bare address is /32", at(ip("192.0.2.7"), now, "192.0.2.8"), denied(signing.ReasonIPMismatch)},
		{"IP /32", at(ip("192.0.2.7/32"), now, "192.0.2.7"), ok},
		{"IP /0 admits every IPv4 viewer", at(ip("0.0.0.0/0"), now, "203.0.113.9"), ok},
		{"IP /0 never admits an IPv6 viewer", at(ip("0.0.0.0/0"), now, "2001:db8::1"), denied(signing.ReasonIPMismatch)},
		{"IP host bits are masked", at(ip("192.0.2.77/24"), now, "192.0.2.1"), ok},
		{"IPv4-mapped viewer is unmapped", at(ip("192.0.2.0/24"), now, "::ffff:192.0.2.1"), ok},
		{"IPv4-mapped viewer outside", at(ip("192.0.2.0/24"), now, "::ffff:192.0.3.1"), denied(signing.ReasonIPMismatch)},
		{"IPv6 viewer", at(ip("192.0.2.0/24"), now, "2001:db8::1"), denied(signing.ReasonIPMismatch)},
		{"IPv6 policy parses but never matches", at(ip("2001:db8::/32"), now, "2001:db8::1"), denied(signing.ReasonIPMismatch)},
		{"IPv6 bare policy never matches", at(ip("2001:db8::1"), now, "2001:db8::1"), denied(signing.ReasonIPMismatch)},
		{"IPv4-mapped policy never matches", at(ip("::ffff:192.0.2.1"), now, "192.0.2.1"), denied(signing.ReasonIPMismatch)},
		{"no viewer address", at(ip("192.0.2.0/24"), now, ""), denied(signing.ReasonIPMismatch)},
		{"no IP condition, IPv6 viewer", at(dltOnly, now, "2001:db8::1"), ok},
		{"expired and outside: expiry first", at(ip("192.0.2.0/24"), dlt, "192.0.3.1"), denied(signing.ReasonExpired)},
		{"outside and wrong resource: IP first", at(site+"/b.jpg?"+customParams(t, p(`"DateLessThan":`+epoch(dlt)+`,"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"}`)), now, "192.0.3.1"), denied(signing.ReasonIPMismatch)},
		{"bad signature and expired: signature first", at(strings.Replace(dltOnly, "Signature=", "Signature=A", 1), dlt+1, ""), denied(signing.ReasonSignatureMismatch)},
		{"no Resource admits any URL", at(site+"/any/thing?x=1&"+customParams(t, policyJSON("", "")), now, ""), ok},
		{"no Resource admits another host", at("http://example.org/?"+customParams(t, policyJSON("", "")), now, ""), ok},
		{"Resource mismatch", at(site+"/b.jpg?"+customParams(t, policyJSON(obj, "")), now, ""), denied(signing.ReasonResourceMismatch)},
		{"Resource *", at("http://example.org/x?"+customParams(t, policyJSON("*", "")), now, ""), ok},
	})
}

// §5: the canned resource is rebuilt from the raw request, byte for byte;
// signing parameters may be anywhere; other items keep order and bytes.
func TestVerifyReconstruction(t *testing.T) {
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	signed := func(resource string) string {
		return cannedParams(t, resource, exp)
	}
	host := "d111111abcdef8.cloudfront.net"
	req := func(scheme, h, uri string) *signing.Request {
		r := request(t, "https://x/")
		r.Scheme, r.Host, r.RequestURI = scheme, h, uri
		return r
	}
	pAB := signed(site + "/p?b=2&a=1")
	runVerifyCases(t, testKeys(), []verifyCase{
		{"params last", request(t, site+"/p?b=2&a=1&"+pAB), ok},
		{"params first", request(t, site+"/p?"+pAB+"&b=2&a=1"), ok},
		{"params interleaved", request(t, site+"/p?"+interleave(pAB, "b=2", "a=1")), ok},
		{"query order matters", request(t, site+"/p?a=1&b=2&"+pAB), denied(signing.ReasonSignatureMismatch)},
		{"extra parameter after signing", request(t, site+"/p?b=2&a=1&c=3&"+pAB), denied(signing.ReasonSignatureMismatch)},
		{"duplicates of signing params are all removed", request(t, site+"/p?b=2&Hash-Algorithm=&a=1&"+pAB+"&Signature=x&Expires=2"), ok},
		{"empty query items keep their place", request(t, site+"/p?&x=1&"+signed(site+"/p?&x=1")), ok},
		{"empty item at the end", request(t, site+"/p?x=1&&"+signed(site+"/p?x=1&")), ok},
		{"empty item dropped is a different URL", request(t, site+"/p?x=1&"+signed(site+"/p?&x=1")), denied(signing.ReasonSignatureMismatch)},
		{"only signing params: no ?", request(t, site+"/p?"+signed(site+"/p")), ok},
		{"only signing params: ? signed", request(t, site+"/p?"+signed(site+"/p?")), denied(signing.ReasonSignatureMismatch)},
		{"query value bytes kept", request(t, site+"/p?q=a%2Bb+c&"+signed(site+"/p?q=a%2Bb+c")), ok},
		{"query value re-encoded", request(t, site+"/p?q=a%2bb+c&"+signed(site+"/p?q=a%2Bb+c")), denied(signing.ReasonSignatureMismatch)},
		{"%20 signed, %20 sent", request(t, site+"/a%20b.jpg?"+signed(site+"/a%20b.jpg")), ok},
		{"%20 signed, + sent", request(t, site+"/a+b.jpg?"+signed(site+"/a%20b.jpg")), denied(signing.ReasonSignatureMismatch)},
		{"unencoded signed, encoded sent", request(t, site+"/%61.jpg?"+signed(site+"/a.jpg")), denied(signing.ReasonSignatureMismatch)},
		{"%2A signed, * sent", request(t, site+"/*.jpg?"+signed(site+"/%2A.jpg")), denied(signing.ReasonSignatureMismatch)},
		{"%2F kept", request(t, site+"/a%2Fb?"+signed(site+"/a%2Fb")), ok},
		{"%2f is not %2F", request(t, site+"/a%2fb?"+signed(site+"/a%2Fb")), denied(signing.ReasonSignatureMismatch)},
		{"no dot-segment removal", request(t, site+"/a/../b?"+signed(site+"/a/../b")), ok},
		{"dot segments are not resolved", request(t, site+"/a/../b?"+signed(site+"/b")), denied(signing.ReasonSignatureMismatch)},
		{"double slash kept", request(t, site+"//a?"+signed(site+"//a")), ok},
		{"host exactly as sent", req("https", "D111111ABCDEF8.cloudfront.net", "/p?"+signed("https://D111111ABCDEF8.cloudfront.net/p")), ok},
		{"host case matters for canned", req("https", "D111111ABCDEF8.cloudfront.net", "/p?"+signed(site+"/p")), denied(signing.ReasonSignatureMismatch)},
		{"scheme http", req("http", host, "/p?"+signed("http://"+host+"/p")), ok},
		{"scheme never swapped", req("http", host, "/p?"+signed(site+"/p")), denied(signing.ReasonSignatureMismatch)},
		{"absolute-form request-target", req("https", host, site+"/p?b=2&a=1&"+pAB), ok},
		{"absolute-form with another authority", req("https", host, "https://other.example/p?b=2&a=1&"+pAB), ok},
		{"absolute-form without a path", req("https", host, site+"?"+signed(site+"/")), ok},
		{"empty request-target is /", req("https", host, "?"+signed(site+"/")), ok},
	})
}

// interleave puts items between the &-separated signing params.
func interleave(params string, items ...string) string {
	ps := strings.Split(params, "&")
	var out []string
	for i, p := range ps {
		out = append(out, p)
		if i < len(items) {
			out = append(out, items[i])
		}
	}
	return strings.Join(out, "&")
}

// §5 choice: a default port in Host is also tried without it; the scheme
// is never swapped; a port is never added.
func TestVerifyDefaultPort(t *testing.T) {
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	host := "d111111abcdef8.cloudfront.net"
	req := func(scheme, h, resource string) *signing.Request {
		r := request(t, "https://x/")
		r.Scheme, r.Host, r.RequestURI = scheme, h, "/p?"+cannedParams(t, resource, exp)
		return r
	}
	custom := func(scheme, h, pattern string) *signing.Request {
		r := request(t, "https://x/")
		r.Scheme, r.Host, r.RequestURI = scheme, h, "/p?"+customParams(t, policyJSON(pattern, ""))
		return r
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"https :443 sent, signed without", req("https", host+":443", "https://"+host+"/p"), ok},
		{"https :443 sent, signed with", req("https", host+":443", "https://"+host+":443/p"), ok},
		{"http :80 sent, signed without", req("http", host+":80", "http://"+host+"/p"), ok},
		{"http :443 is not default", req("http", host+":443", "http://"+host+"/p"), denied(signing.ReasonSignatureMismatch)},
		{"https :80 is not default", req("https", host+":80", "https://"+host+"/p"), denied(signing.ReasonSignatureMismatch)},
		{"https :8443", req("https", host+":8443", "https://"+host+"/p"), denied(signing.ReasonSignatureMismatch)},
		{"port never added", req("https", host, "https://"+host+":443/p"), denied(signing.ReasonSignatureMismatch)},
		{"IPv6 literal with default port", req("https", "[2001:db8::1]:443", "https://[2001:db8::1]/p"), ok},
		{"custom: pattern without port ignores the port", custom("https", host+":8443", "https://"+host+"/p"), ok},
		{"custom: pattern with port, same port", custom("https", host+":8443", "https://"+host+":8443/p"), ok},
		{"custom: pattern with port, no port sent", custom("https", host, "https://"+host+":8443/p"), denied(signing.ReasonResourceMismatch)},
		{"custom: pattern with port, other port", custom("https", host+":9443", "https://"+host+":8443/p"), denied(signing.ReasonResourceMismatch)},
		{"custom: pattern with :443, :443 sent", custom("https", host+":443", "https://"+host+":443/p"), ok},
	})
	// The result names the resource that was signed.
	for _, tt := range []struct{ sent, signed string }{
		{host + ":443", "https://" + host + "/p"},
		{host + ":443", "https://" + host + ":443/p"},
		{host, "https://" + host + "/p"},
	} {
		res := wantVerdict(t, req("https", tt.sent, tt.signed), testKeys(), ok)
		if res.Resource != tt.signed || res.Policy.Resource != tt.signed {
			t.Errorf("Host %s: Resource = %q, Policy.Resource = %q, want %q", tt.sent, res.Resource, res.Policy.Resource, tt.signed)
		}
	}
}

// §2.2, §3.2: signed cookies.
func TestVerifyCookies(t *testing.T) {
	obj := site + "/a.jpg"
	exp := strconv.FormatInt(testExpiry.Unix(), 10)
	sig := rawSign(t, testRSAKey(), crypto.SHA1, signing.CannedPolicy(obj, testExpiry.Unix()))
	c := func(name, value string) string { return name + "=" + value }
	exps, sigs, kid := c("CloudFront-Expires", exp), c("CloudFront-Signature", sig), c("CloudFront-Key-Pair-Id", rsaKeyID)
	good := exps + "; " + sigs + "; " + kid
	rsa256 := newSigner(t, testRSAKey(), signing.SHA256)
	ec := newSigner(t, testECKey(), signing.SHA256)
	wild, err := rsa256.SignCookies(signing.Terms{Resource: site + "/*", DateLessThan: testExpiry})
	if err != nil {
		t.Fatal(err)
	}
	ecCookies, err := ec.SignCookies(signing.Terms{Resource: obj, DateLessThan: testExpiry})
	if err != nil {
		t.Fatal(err)
	}
	runVerifyCases(t, testKeys(), []verifyCase{
		{"canned", request(t, obj, good), ok},
		{"canned grants only that URL", request(t, site+"/b.jpg", good), denied(signing.ReasonSignatureMismatch)},
		{"canned with a query is another URL", request(t, obj+"?x=1", good), denied(signing.ReasonSignatureMismatch)},
		{"among other cookies", request(t, obj, "session=abc; "+exps+"; theme=dark; "+sigs+"; "+kid+"; z=1"), ok},
		{"no spaces", request(t, obj, exps+";"+sigs+";"+kid), ok},
		{"extra spaces", request(t, obj, "  "+exps+" ;   "+sigs+" ; "+kid+" ;"), ok},
		{"across Cookie headers", request(t, obj, exps, sigs+"; a=b", kid), ok},
		{"quoted values", request(t, obj, `CloudFront-Expires="`+exp+`"; CloudFront-Signature="`+sig+`"; CloudFront-Key-Pair-Id="`+rsaKeyID+`"`), ok},
		{"percent-encoded values", request(t, obj, exps+"; "+c("CloudFront-Signature", percentEncodeAll(sig))+"; "+kid), ok},
		{"one quote is not a pair", request(t, obj, exps+`; CloudFront-Signature="`+sig+"; "+kid), denied(signing.ReasonSignatureB64)},
		{"duplicate, first wins", request(t, obj, good+"; CloudFront-Signature=AAAA"), ok},
		{"duplicate, first bad", request(t, obj, "CloudFront-Signature=AAAA; "+good), denied(signing.ReasonSignatureMismatch)},
		{"duplicate across headers, first header wins", request(t, obj, "CloudFront-Key-Pair-Id=KNOPE", good), denied(signing.ReasonKeyUnknown)},
		{"names are case-sensitive", request(t, obj, strings.ToLower(good)), denied(signing.ReasonKeyIDMissing)},
		{"no key", request(t, obj, exps+"; "+sigs), denied(signing.ReasonKeyIDMissing)},
		{"no signature", request(t, obj, exps+"; "+kid), denied(signing.ReasonSignatureMissing)},
		{"no policy", request(t, obj, sigs+"; "+kid), denied(signing.ReasonPolicyMissing)},
		{"unknown hash", request(t, obj, good+"; CloudFront-Hash-Algorithm=MD5"), denied(signing.ReasonHashAlgUnsupported)},
		{"cookie without value", request(t, obj, "CloudFront-Key-Pair-Id; "+exps+"; "+sigs), denied(signing.ReasonKeyIDMissing)},
		{"custom SHA256 wildcard", request(t, site+"/x/y.jpg?q=1", cookieHeader(wild)), ok},
		{"custom wildcard, other host", request(t, "https://example.org/x", cookieHeader(wild)), denied(signing.ReasonResourceMismatch)},
		{"ECDSA SHA256 canned", request(t, obj, cookieHeader(ecCookies)), ok},
		{"URL parameter names as cookies are ignored", request(t, obj, "Expires="+exp+"; Signature="+sig+"; Key-Pair-Id="+rsaKeyID), denied(signing.ReasonKeyIDMissing)},
	})
}

// Explain runs the same checks as Verify and stops at the failing one.
func TestExplain(t *testing.T) {
	rsa1 := newSigner(t, testRSAKey(), signing.SHA1)
	good := signURL(t, rsa1, site+"/a.jpg", signing.Terms{DateLessThan: testExpiry, IPAddress: "192.0.2.0/24"})
	tests := []struct {
		name      string
		req       *signing.Request
		wantNames []string
		wantOK    bool
	}{
		{"admitted", request(t, good), []string{"mode", "key-pair-id", "hash-algorithm", "policy", "key", "signature", "expiry", "ip-address", "resource"}, true},
		{"missing key", request(t, site+"/a.jpg"), []string{"mode", "key-pair-id"}, false},
		{"bad signature", request(t, strings.Replace(good, "Signature=", "Signature=A", 1)), []string{"mode", "key-pair-id", "hash-algorithm", "policy", "key", "signature"}, false},
		{"outside the range", withIP(request(t, good), "198.51.100.1"), []string{"mode", "key-pair-id", "hash-algorithm", "policy", "key", "signature", "expiry", "ip-address"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, checks := signing.Explain(tt.req, testKeys())
			var names []string
			for i, c := range checks {
				names = append(names, c.Name)
				last := i == len(checks)-1
				if c.OK != (!last || tt.wantOK) {
					t.Errorf("check %s OK = %v", c.Name, c.OK)
				}
				if c.Detail == "" {
					t.Errorf("check %s has no detail", c.Name)
				}
			}
			if got, want := strings.Join(names, ","), strings.Join(tt.wantNames, ","); got != want {
				t.Errorf("checks = %s, want %s", got, want)
			}
			_, err := signing.Verify(tt.req, testKeys())
			var rej *signing.Rejection
			if errors.As(err, &rej) && len(checks) > 0 && checks[len(checks)-1].Detail != rej.Detail {
				t.Errorf("Explain's failing detail %q differs from Verify's %q", checks[len(checks)-1].Detail, rej.Detail)
			}
		})
	}
}

// The explanation names the likely mistake when the other hash verifies.
func TestExplainNamesOtherHash(t *testing.T) {
	sha256URL := signURL(t, newSigner(t, testRSAKey(), signing.SHA256), site+"/a.jpg", signing.Terms{DateLessThan: testExpiry})
	_, err := signing.Verify(request(t, strings.TrimSuffix(sha256URL, "&Hash-Algorithm=SHA256")), testKeys())
	if err == nil || !strings.Contains(err.Error(), "it does with SHA256") {
		t.Errorf("Verify error = %v, want it to say the signature verifies with SHA256", err)
	}
}

// Result.Query is the query without signing parameters: the cache key's
// and the origin's (§13).
func TestVerifyResultQuery(t *testing.T) {
	u := signURL(t, newSigner(t, testRSAKey(), signing.SHA256), site+"/a.jpg?b=2&a=1", signing.Terms{DateLessThan: testExpiry})
	res := wantVerdict(t, request(t, u), testKeys(), ok)
	if got, want := res.Query, "b=2&a=1"; got != want {
		t.Errorf("Query = %q, want %q", got, want)
	}
	res, _ = signing.Verify(request(t, site+"/a.jpg?x=1&Expires=zz"), testKeys())
	if got, want := res.Query, "x=1"; got != want {
		t.Errorf("Query of a refused request = %q, want %q", got, want)
	}
	res, _ = signing.Verify(request(t, site+"/a.jpg?x=1", "CloudFront-Key-Pair-Id=K"), testKeys())
	if got, want := res.Query, "x=1"; got != want {
		t.Errorf("Query in cookie mode = %q, want %q", got, want)
	}
}

// Verify never reads the clock: a zero Now is year 1, before any expiry.
func TestVerifyUsesRequestTime(t *testing.T) {
	u := signURL(t, newSigner(t, testRSAKey(), signing.SHA1), site+"/a.jpg", signing.Terms{DateLessThan: time.Unix(1000, 0)})
	req := request(t, u)
	req.Now = time.Time{}
	wantVerdict(t, req, testKeys(), ok)
	req.Now = time.Unix(1000, 0)
	wantVerdict(t, req, testKeys(), denied(signing.ReasonExpired))
	req.ViewerIP = netip.Addr{}
	wantVerdict(t, req, testKeys(), denied(signing.ReasonExpired))
}

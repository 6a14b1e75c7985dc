package main_test

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"keyfront/signing"
)

const h = "https://d111111abcdef8.cloudfront.net"

// badKeys writes private key files that must be refused, by name.
func badKeys(t *testing.T) map[string]string {
	t.Helper()
	dir := t.TempDir()
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{
		"rsa1024": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(small)}),
		// A legacy OpenSSL-encrypted PEM: the headers are what matter.
		"encrypted": pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY",
			Headers: map[string]string{"Proc-Type": "4,ENCRYPTED", "DEK-Info": "AES-128-CBC,00112233445566778899AABBCCDDEEFF"},
			Bytes:   []byte("not really ciphertext")}),
		"pkcs8-encrypted": pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: []byte("not really ciphertext")}),
		"dsa":             pem.EncodeToMemory(&pem.Block{Type: "DSA PRIVATE KEY", Bytes: []byte("whatever")}),
		"garbage":         []byte("this is not a key\n"),
	}
	paths := map[string]string{}
	for name, data := range files {
		paths[name] = filepath.Join(dir, name+".pem")
		writeFile(t, paths[name], data, 0o600)
	}
	return paths
}

func TestSignBadInput(t *testing.T) {
	rsaKey := newKeyPair(t)
	ecKey := newKeyPair(t, "--type", "ecdsa")
	bad := badKeys(t)
	base := func(key string, extra ...string) []string {
		return append([]string{"--key-pair-id", keyID, "--private-key", "file://" + key, "--date-less-than", "2030-01-01"}, extra...)
	}
	sign := func(extra ...string) []string {
		return append([]string{"sign", "--url", h + "/image.jpg"}, base(rsaKey.priv, extra...)...)
	}
	signURL := func(u string) []string {
		return append([]string{"sign", "--url", u}, base(rsaKey.priv)...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		// Argument validation: 252, as the AWS CLI.
		{"no arguments", []string{"sign"}, 252, "the following arguments are required: --url, --key-pair-id, --private-key, --date-less-than"},
		{"missing date-less-than", []string{"sign", "--url", h + "/a", "--key-pair-id", keyID, "--private-key", rsaKey.priv}, 252,
			"the following arguments are required: --date-less-than"},
		{"unknown date format", sign("--date-less-than", "tomorrow"), 252, `--date-less-than "tomorrow" is not a date`},
		{"impossible date", sign("--date-less-than", "2030-13-01"), 252, "is not a date"},
		{"date-less-than at epoch", sign("--date-less-than", "0"), 252, "is not after 1970-01-01"},
		{"bad date-greater-than", sign("--date-greater-than", "soon"), 252, `--date-greater-than "soon" is not a date`},
		{"start after end", sign("--date-greater-than", "2031-01-01"), 252,
			"--date-greater-than (2031-01-01T00:00:00Z) must be before --date-less-than (2030-01-01T00:00:00Z)"},
		{"start equals end", sign("--date-greater-than", "2030-01-01T00:00:00"), 252, "must be before"},
		{"ipv6 address", sign("--ip-address", "2001:db8::1"), 252, "IPv6"},
		{"ipv6 range", sign("--ip-address", "2001:db8::/32"), 252, "IPv6"},
		{"not an address", sign("--ip-address", "example.com"), 252, "is not IPv4"},
		{"prefix too long", sign("--ip-address", "10.0.0.0/33"), 252, "not valid"},
		{"url with space", signURL(h + "/my file.jpg"), 252, "space"},
		{"url already signed", signURL(h + "/a.jpg?Expires=1&Signature=abc&Key-Pair-Id=K"), 252, "already contains the signing parameter Expires"},
		{"url with Signature only", signURL(h + "/a.jpg?x=1&Signature=abc"), 252, "already contains the signing parameter Signature"},
		{"url with fragment", signURL(h + "/a.jpg#top"), 252, "fragment"},
		{"url without scheme", signURL("d111111abcdef8.cloudfront.net/a.jpg"), 252, "must be an absolute URL"},
		{"url with quote", signURL(h + `/a".jpg`), 252, "cannot appear in a policy"},
		{"url outside policy resource", sign("--policy-resource", h+"/videos/*"), 252, "does not match the policy resource"},
		{"policy resource with space", sign("--policy-resource", h+"/my videos/*"), 252, "invalid --policy-resource"},
		{"key pair id with dash", []string{"sign", "--url", h + "/a", "--key-pair-id", "K-1", "--private-key", rsaKey.priv,
			"--date-less-than", "2030-01-01"}, 252, "must contain only letters and digits"},
		{"unsupported hash", sign("--hash-algorithm", "MD5"), 252, `--hash-algorithm "MD5" is not supported`},
		{"ecdsa with sha1", append([]string{"sign", "--url", h + "/a"}, base(ecKey.priv, "--hash-algorithm", "SHA1")...), 252,
			"ECDSA keys sign with SHA256 only"},
		{"unknown flag", sign("--expires", "1"), 252, "unknown flag --expires"},
		{"flag without value", []string{"sign", "--url"}, 252, "flag --url needs a value"},
		{"positional argument", append(sign(), "extra"), 252, `unexpected argument "extra"`},
		{"url and urls-from", sign("--urls-from", "-"), 252, "--url and --urls-from cannot be used together"},
		{"urls-from missing file", append([]string{"sign", "--urls-from", filepath.Join(t.TempDir(), "none.txt")}, base(rsaKey.priv)...), 252,
			"cannot read --urls-from"},

		// Key problems: 255, as the AWS CLI.
		{"key file missing", []string{"sign", "--url", h + "/a", "--key-pair-id", keyID, "--private-key", "file:///nonexistent/key.pem",
			"--date-less-than", "2030-01-01"}, 255, "--private-key file /nonexistent/key.pem does not exist"},
		{"rsa 1024", append([]string{"sign", "--url", h + "/a"}, base(bad["rsa1024"])...), 255, "RSA-1024"},
		{"encrypted key", append([]string{"sign", "--url", h + "/a"}, base(bad["encrypted"])...), 255, "encrypted"},
		{"encrypted pkcs8 key", append([]string{"sign", "--url", h + "/a"}, base(bad["pkcs8-encrypted"])...), 255, "encrypted"},
		{"dsa key", append([]string{"sign", "--url", h + "/a"}, base(bad["dsa"])...), 255, "DSA PRIVATE KEY is not supported"},
		{"not a key", append([]string{"sign", "--url", h + "/a"}, base(bad["garbage"])...), 255, "no PEM private key found"},
		{"public key given", append([]string{"sign", "--url", h + "/a"}, base(rsaKey.pub)...), 255, "found a public key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFailure(t, run(t, "", tt.args...), tt.wantCode, tt.want)
		})
	}
}

func TestSignCookiesBadInput(t *testing.T) {
	rsaKey := newKeyPair(t)
	ecKey := newKeyPair(t, "--type", "ecdsa")
	bad := badKeys(t)
	cookies := func(key string, extra ...string) []string {
		return append([]string{"sign-cookies", "--resource", h + "/private/*", "--key-pair-id", keyID,
			"--private-key", key, "--date-less-than", "2030-01-01"}, extra...)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string
	}{
		{"no arguments", []string{"sign-cookies"}, 252, "the following arguments are required: --resource, --key-pair-id, --private-key, --date-less-than"},
		{"resource with space", []string{"sign-cookies", "--resource", h + "/my videos/*", "--key-pair-id", keyID,
			"--private-key", rsaKey.priv, "--date-less-than", "2030-01-01"}, 252, "space"},
		{"resource with quote", []string{"sign-cookies", "--resource", h + `/x","Resource":"*`, "--key-pair-id", keyID,
			"--private-key", rsaKey.priv, "--date-less-than", "2030-01-01"}, 252, "cannot appear in a policy"},
		{"bad date", cookies(rsaKey.priv, "--date-less-than", "next week"), 252, "is not a date"},
		{"ipv6", cookies(rsaKey.priv, "--ip-address", "::1"), 252, "IPv6"},
		{"start after end", cookies(rsaKey.priv, "--date-greater-than", "2035-01-01"), 252, "must be before"},
		{"unknown output", cookies(rsaKey.priv, "--output", "xml"), 252, `--output "xml" is not supported`},
		{"attribute with json", cookies(rsaKey.priv, "--cookie-domain", "example.com"), 252, "--cookie-domain applies only to --output set-cookie"},
		{"bad same-site", cookies(rsaKey.priv, "--output", "set-cookie", "--same-site", "sometimes"), 252, `--same-site "sometimes" is not supported`},
		{"same-site none without secure", cookies(rsaKey.priv, "--output", "set-cookie", "--same-site", "none", "--no-secure"), 252,
			"browsers reject SameSite=None without Secure"},
		{"relative cookie path", cookies(rsaKey.priv, "--output", "set-cookie", "--cookie-path", "videos"), 252, "must start with /"},
		{"bad cookie domain", cookies(rsaKey.priv, "--output", "set-cookie", "--cookie-domain", "exa mple.com"), 252, "is not a domain name"},
		{"ecdsa with sha1", cookies(ecKey.priv, "--hash-algorithm", "SHA1"), 252, "ECDSA keys sign with SHA256 only"},
		{"rsa 1024", cookies(bad["rsa1024"]), 255, "RSA-1024"},
		{"encrypted key", cookies(bad["encrypted"]), 255, "encrypted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkFailure(t, run(t, "", tt.args...), tt.wantCode, tt.want)
		})
	}
}

// TestSignOutput pins what a script sees: the URL alone, no newline, in the
// spec's parameter order (§14.2).
func TestSignOutput(t *testing.T) {
	k := newKeyPair(t)
	ec := newKeyPair(t, "--type", "ecdsa")
	tests := []struct {
		name       string
		key        string
		args       []string
		wantPrefix string
		wantSuffix string
	}{
		{"canned", k.priv, []string{"--url", h + "/a.jpg"}, h + "/a.jpg?Expires=1893456000&Signature=", "&Key-Pair-Id=" + keyID},
		{"canned sha256", k.priv, []string{"--url", h + "/a.jpg", "--hash-algorithm", "SHA256"},
			h + "/a.jpg?Expires=1893456000&Signature=", "&Key-Pair-Id=" + keyID + "&Hash-Algorithm=SHA256"},
		{"existing query", k.priv, []string{"--url", h + "/a.jpg?b=1"}, h + "/a.jpg?b=1&Expires=1893456000&Signature=", "&Key-Pair-Id=" + keyID},
		{"policy resource", k.priv, []string{"--url", h + "/v/a.ts", "--policy-resource", h + "/v/*"}, h + "/v/a.ts?Policy=", "&Key-Pair-Id=" + keyID},
		{"ecdsa defaults to sha256", ec.priv, []string{"--url", h + "/a.jpg"}, h + "/a.jpg?Expires=1893456000&Signature=",
			"&Key-Pair-Id=" + keyID + "&Hash-Algorithm=SHA256"},
		{"private key as plain path", k.priv, []string{"--url", h + "/a.jpg"}, h + "/a.jpg?Expires=", keyID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"sign", "--key-pair-id", keyID, "--private-key", tt.key, "--date-less-than", "2030-01-01"}, tt.args...)
			r := run(t, "", args...)
			if r.code != 0 || r.stderr != "" {
				t.Fatalf("exit %d, stderr %q", r.code, r.stderr)
			}
			if !strings.HasPrefix(r.stdout, tt.wantPrefix) || !strings.HasSuffix(r.stdout, tt.wantSuffix) {
				t.Errorf("got %q\nwant %q…%q", r.stdout, tt.wantPrefix, tt.wantSuffix)
			}
		})
	}
	t.Run("private key as PEM text", func(t *testing.T) {
		got := mustRun(t, "", "sign", "--url", h+"/a.jpg", "--key-pair-id", keyID, "--private-key", string(readFile(t, k.priv)),
			"--date-less-than", "2030-01-01")
		want := mustRun(t, "", "sign", "--url", h+"/a.jpg", "--key-pair-id", keyID, "--private-key", "fileb://"+k.priv,
			"--date-less-than", "2030-01-01")
		if got != want {
			t.Errorf("inline PEM gives %q, file gives %q", got, want)
		}
	})
}

// TestSignBatch: --urls-from signs N lines into N URLs, each the URL that
// signing the line alone gives.
func TestSignBatch(t *testing.T) {
	k := newKeyPair(t)
	urls := []string{
		h + "/a.jpg",
		h + "/b/c%20d.jpg?size=large",
		"http://cdn.example.com:8080/e.txt",
		h + "/videos/f.m3u8",
	}
	// Blank lines, surrounding spaces and CRLF line ends are what files
	// edited by hand contain.
	input := "\n" + urls[0] + "\r\n   " + urls[1] + "  \n\n" + urls[2] + "\n" + urls[3]
	path := filepath.Join(t.TempDir(), "urls.txt")
	writeFile(t, path, []byte(input), 0o644)

	tests := []struct {
		name  string
		extra []string
	}{
		{"canned", nil},
		{"custom with ip", []string{"--ip-address", "10.0.0.0/8", "--date-greater-than", "2026-01-01"}},
		{"sha256", []string{"--hash-algorithm", "SHA256"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			common := append([]string{"--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01"}, tt.extra...)
			var want strings.Builder
			for _, u := range urls {
				want.WriteString(mustRun(t, "", append([]string{"sign", "--url", u}, common...)...) + "\n")
			}
			for _, source := range []struct{ name, arg, stdin string }{{"file", path, ""}, {"stdin", "-", input}} {
				got := mustRun(t, source.stdin, append([]string{"sign", "--urls-from", source.arg}, common...)...)
				if got != want.String() {
					t.Errorf("--urls-from %s:\n got %q\nwant %q", source.name, got, want.String())
				}
			}
		})
	}

	t.Run("bad line", func(t *testing.T) {
		in := urls[0] + "\n" + urls[1] + "\n" + h + "/bad path.jpg\n" + urls[2] + "\n"
		r := run(t, in, "sign", "--urls-from", "-", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01")
		if r.code != 252 {
			t.Errorf("exit %d, want 252", r.code)
		}
		if !strings.Contains(r.stderr, "stdin line 3:") || !strings.Contains(r.stderr, "space") {
			t.Errorf("stderr %q does not name line 3 and its problem", r.stderr)
		}
		// The lines before the bad one were signed; nothing after it.
		if got := strings.Count(r.stdout, "\n"); got != 2 {
			t.Errorf("stdout has %d signed URLs, want the 2 before the bad line", got)
		}
	})

	// Lines are signed in parallel batches; the output keeps input order
	// across batch boundaries, and a bad line deep in the input stops
	// the output right before it.
	t.Run("order across batches", func(t *testing.T) {
		var in strings.Builder
		const n, bad = 600, 400
		for i := 1; i <= n; i++ {
			if i == bad {
				fmt.Fprintf(&in, "%s/bad path %d.ts\n", h, i)
				continue
			}
			fmt.Fprintf(&in, "%s/seg/%d.ts\n", h, i)
		}
		r := run(t, in.String(), "sign", "--urls-from", "-", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01")
		if r.code != 252 || !strings.Contains(r.stderr, fmt.Sprintf("stdin line %d:", bad)) {
			t.Fatalf("exit %d, stderr %q; want 252 naming line %d", r.code, r.stderr, bad)
		}
		lines := strings.Split(strings.TrimSuffix(r.stdout, "\n"), "\n")
		if len(lines) != bad-1 {
			t.Fatalf("stdout has %d signed URLs, want the %d before the bad line", len(lines), bad-1)
		}
		for i, l := range lines {
			if want := fmt.Sprintf("%s/seg/%d.ts?Expires=", h, i+1); !strings.HasPrefix(l, want) {
				t.Fatalf("output line %d = %.60q…, want it to sign input line %d", i+1, l, i+1)
			}
		}
	})

	t.Run("empty input", func(t *testing.T) {
		r := run(t, "\n\n", "sign", "--urls-from", "-", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01")
		if r.code != 0 || r.stdout != "" {
			t.Errorf("exit %d, stdout %q; want 0 and nothing", r.code, r.stdout)
		}
	})
}

// TestSignCookiesOutput pins the JSON (the AWS CLI's layout) and the
// Set-Cookie lines.
func TestSignCookiesOutput(t *testing.T) {
	k := newKeyPair(t)
	expires := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	signer, err := signing.NewSigner(keyID, k.signer(t), signing.SHA1)
	if err != nil {
		t.Fatal(err)
	}
	common := []string{"sign-cookies", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01"}

	t.Run("json canned", func(t *testing.T) {
		want, err := signer.SignCookies(signing.Terms{Resource: h + "/a.mp4", DateLessThan: expires})
		if err != nil {
			t.Fatal(err)
		}
		got := mustRun(t, "", append(common, "--resource", h+"/a.mp4")...)
		wantText := fmt.Sprintf("{\n    %q: %q,\n    %q: %q,\n    %q: %q\n}\n",
			want[0].Name, want[0].Value, want[1].Name, want[1].Value, want[2].Name, want[2].Value)
		if got != wantText {
			t.Errorf("got\n%s\nwant\n%s", got, wantText)
		}
		if want[0].Name != signing.CookieExpires {
			t.Errorf("first cookie %s, want %s", want[0].Name, signing.CookieExpires)
		}
	})

	tests := []struct {
		name    string
		args    []string
		want    []string // in every Set-Cookie line
		notWant []string
	}{
		{"defaults", nil, []string{"Path=/", "; Secure", "; HttpOnly"}, []string{"Domain=", "SameSite"}},
		{"domain path samesite", []string{"--cookie-domain", "example.com", "--cookie-path", "/videos", "--same-site", "lax"},
			[]string{"Domain=example.com", "Path=/videos", "SameSite=Lax", "; Secure", "; HttpOnly"}, nil},
		{"insecure for http", []string{"--no-secure", "--no-http-only"}, []string{"Path=/"}, []string{"Secure", "HttpOnly"}},
		{"samesite none", []string{"--same-site", "None"}, []string{"SameSite=None", "; Secure"}, nil},
	}
	for _, tt := range tests {
		t.Run("set-cookie "+tt.name, func(t *testing.T) {
			args := append(append(common, "--resource", h+"/videos/*", "--output", "set-cookie"), tt.args...)
			lines := strings.Split(strings.TrimSuffix(mustRun(t, "", args...), "\n"), "\n")
			names := []string{signing.CookiePolicy, signing.CookieSignature, signing.CookieKeyPairID}
			if len(lines) != len(names) {
				t.Fatalf("got %d lines, want %d: %q", len(lines), len(names), lines)
			}
			for i, line := range lines {
				if !strings.HasPrefix(line, "Set-Cookie: "+names[i]+"=") {
					t.Errorf("line %d = %q, want Set-Cookie: %s=…", i, line, names[i])
				}
				for _, w := range tt.want {
					if !strings.Contains(line, w) {
						t.Errorf("line %q lacks %q", line, w)
					}
				}
				for _, w := range tt.notWant {
					if strings.Contains(line, w) {
						t.Errorf("line %q has %q", line, w)
					}
				}
			}
		})
	}
}

// TestECDSA: ECDSA signatures differ per run, so they are checked by
// verification (the AWS CLI v1 cannot sign with ECDSA at all).
func TestECDSA(t *testing.T) {
	for _, format := range []string{"sec1", "pkcs8"} {
		t.Run(format, func(t *testing.T) {
			k := newKeyPair(t, "--type", "ecdsa", "--format", format)
			now := time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
			args := []string{"sign", "--url", h + "/video.mp4", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01"}
			first, second := mustRun(t, "", args...), mustRun(t, "", args...)
			if first == second {
				t.Error("two ECDSA signatures are identical; ECDSA signing must be randomised")
			}
			for _, u := range []string{first, second} {
				if !strings.HasSuffix(u, "&Hash-Algorithm=SHA256") {
					t.Errorf("ECDSA URL %q lacks Hash-Algorithm=SHA256", u)
				}
				mustVerify(t, requestFor(t, u, nil, now, ""), k.keys(t))
				if out := mustRun(t, "", "verify", u, "--public-key", k.pub, "--key-pair-id", keyID, "--now", "2027-01-01"); !strings.HasSuffix(out, "would be served\n") {
					t.Errorf("keyfront verify:\n%s", out)
				}
			}
			explicit := mustRun(t, "", append(args, "--hash-algorithm", "SHA256", "--ip-address", "192.0.2.1")...)
			mustVerify(t, requestFor(t, explicit, nil, now, "192.0.2.1"), k.keys(t))

			out := mustRun(t, "", "sign-cookies", "--resource", h+"/private/*", "--key-pair-id", keyID, "--private-key", k.priv,
				"--date-less-than", "2030-01-01", "--output", "set-cookie")
			var cookies []string
			for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
				v, _, _ := strings.Cut(strings.TrimPrefix(line, "Set-Cookie: "), ";")
				cookies = append(cookies, v)
			}
			if got := cookies[len(cookies)-1]; got != signing.CookieHashAlgorithm+"=SHA256" {
				t.Errorf("last cookie %q, want %s=SHA256", got, signing.CookieHashAlgorithm)
			}
			mustVerify(t, requestFor(t, h+"/private/x/y.ts", cookies, now, ""), k.keys(t))
		})
	}
}

// BenchmarkSignBatch measures `keyfront sign --urls-from -` end to end, in
// process: one key parse, then one RSA-2048 signature per URL. Compare
// ns/url with the bare crypto/rsa signing benchmark of signing/.
func BenchmarkSignBatch(b *testing.B) {
	k := newKeyPair(b)
	const n = 100
	var in strings.Builder
	for i := range n {
		fmt.Fprintf(&in, "%s/videos/%d/segment.ts?quality=high\n", h, i)
	}
	args := []string{"sign", "--urls-from", "-", "--key-pair-id", keyID, "--private-key", k.priv, "--date-less-than", "2030-01-01"}
	for b.Loop() {
		if r := run(b, in.String(), args...); r.code != 0 {
			b.Fatal(r.stderr)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/url")
}

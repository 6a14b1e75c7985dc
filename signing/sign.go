package signing

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Signer makes CloudFront signed URLs and cookies with one private key.
// It is safe for concurrent use; parse the key once and reuse the Signer.
type Signer struct {
	keyPairID string
	key       crypto.Signer
	hash      HashAlgorithm
}

// NewSigner returns a Signer for the public key keyPairID whose private half
// is key. The key must be RSA-2048 or ECDSA P-256 (what key groups accept)
// and keyPairID must be alphanumeric. ECDSA keys sign with SHA256 only, as
// the AWS CLI does (§14.3).
func NewSigner(keyPairID string, key crypto.Signer, hash HashAlgorithm) (*Signer, error) {
	if keyPairID == "" {
		return nil, errors.New("key pair ID is empty")
	}
	for i := 0; i < len(keyPairID); i++ {
		if c := keyPairID[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return nil, fmt.Errorf("key pair ID %q must contain only letters and digits", keyPairID)
		}
	}
	if hash != SHA1 && hash != SHA256 {
		return nil, fmt.Errorf("unknown hash algorithm %d: use SHA1 or SHA256", hash)
	}
	if err := CheckCloudFrontKey(key); err != nil {
		return nil, err
	}
	if _, ok := key.(*ecdsa.PrivateKey); ok && hash != SHA256 {
		return nil, errors.New("ECDSA keys sign with SHA256 only, as the AWS CLI does")
	}
	return &Signer{keyPairID: keyPairID, key: key, hash: hash}, nil
}

// KeyPairID returns the public key ID the signer writes into URLs.
func (s *Signer) KeyPairID() string { return s.keyPairID }

// Hash returns the hash algorithm the signer uses.
func (s *Signer) Hash() HashAlgorithm { return s.hash }

// Sign returns the raw signature over msg: RSASSA-PKCS1-v1_5 for RSA keys
// (deterministic) or ASN.1 DER for ECDSA (§9).
func (s *Signer) Sign(msg []byte) ([]byte, error) {
	var buf [sha256.Size]byte
	digest := s.hash.digest(&buf, msg)
	var rnd = rand.Reader
	sig, err := s.key.Sign(rnd, digest, s.hash.cryptoHash())
	if err != nil {
		return nil, fmt.Errorf("signing: %w", err)
	}
	return sig, nil
}

// Terms are what a signature grants.
type Terms struct {
	// Resource is the policy's Resource: a URL or pattern with '*' and '?'
	// wildcards. For SignURL, empty means the URL being signed.
	Resource string
	// DateLessThan is when access ends. Required; whole seconds count.
	DateLessThan time.Time
	// DateGreaterThan is when access begins. The zero Time sets no start.
	DateGreaterThan time.Time
	// IPAddress restricts access to one IPv4 address or CIDR range. Empty
	// means any address.
	IPAddress string
}

func (t Terms) policy(resource string) *Policy {
	p := &Policy{Resource: resource, DateLessThan: t.DateLessThan.Unix(), SourceIP: t.IPAddress}
	if !t.DateGreaterThan.IsZero() {
		p.DateGreaterThan, p.hasDateGreaterThan = t.DateGreaterThan.Unix(), true
	}
	return p
}

// custom reports whether the terms need a custom policy for resource: a
// start time, an address, or a resource other than the URL itself.
func (t Terms) custom(url string) bool {
	return !t.DateGreaterThan.IsZero() || t.IPAddress != "" || (t.Resource != "" && t.Resource != url)
}

// reservedParams are the query parameters CloudFront reads from a signed URL
// (§2.1).
var reservedParams = [...]string{"Expires", "Policy", "Signature", "Key-Pair-Id", "Hash-Algorithm"}

// SignURL returns rawURL signed under t, with a canned policy when t allows
// one (no start, no address, Resource empty or equal to the URL) and a
// custom policy otherwise; the parameters are appended in the AWS CLI's
// order (§14.2). The URL must be absolute http(s), without a fragment or
// signing parameters, and must itself match t.Resource.
func (s *Signer) SignURL(rawURL string, t Terms) (string, error) {
	if err := checkURLToSign(rawURL); err != nil {
		return "", err
	}
	if t.Resource != "" && t.Resource != rawURL {
		// Name an unusable resource before reporting that the URL does not
		// match it.
		if err := ValidateResource(t.Resource); err != nil {
			return "", err
		}
	}
	if t.Resource != "" && t.Resource != rawURL && !globMatch(t.Resource, rawURL) {
		return "", fmt.Errorf("URL %s does not match the policy resource %s", rawURL, t.Resource)
	}
	b := make([]byte, 0, len(rawURL)+512)
	b = append(b, rawURL...)
	if strings.Contains(rawURL, "?") {
		b = append(b, '&')
	} else {
		b = append(b, '?')
	}
	var msg []byte
	if t.custom(rawURL) {
		resource := t.Resource
		if resource == "" {
			resource = rawURL
		}
		var err error
		if msg, err = t.policy(resource).Marshal(); err != nil {
			return "", err
		}
		b = append(b, "Policy="...)
		b = AppendBase64(b, msg)
	} else {
		if t.DateLessThan.Unix() <= 0 {
			return "", errors.New("expiry must be after 1970-01-01T00:00:00Z")
		}
		e := strconv.FormatInt(t.DateLessThan.Unix(), 10)
		msg = appendCanned(nil, rawURL, e)
		b = append(b, "Expires="...)
		b = append(b, e...)
	}
	sig, err := s.Sign(msg)
	if err != nil {
		return "", err
	}
	b = append(b, "&Signature="...)
	b = AppendBase64(b, sig)
	b = append(b, "&Key-Pair-Id="...)
	b = append(b, s.keyPairID...)
	if s.hash != SHA1 {
		b = append(b, "&Hash-Algorithm="...)
		b = append(b, s.hash.String()...)
	}
	return string(b), nil
}

func checkURLToSign(u string) error {
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") {
		return fmt.Errorf("URL %q must start with http:// or https://", u)
	}
	if err := ValidateResource(u); err != nil {
		return fmt.Errorf("cannot sign: %s", strings.TrimPrefix(err.Error(), "resource "))
	}
	rest := u[strings.Index(u, "://")+3:]
	if rest == "" || rest[0] == '/' || rest[0] == '?' {
		return fmt.Errorf("URL %q has no host", u)
	}
	// Every client requests "/" for a URL without a path, and the edge
	// rebuilds the resource from the request (§5), so a signature over the
	// path-less form could never verify.
	if host := rest[:strings.IndexAny(rest+"/", "/?")]; len(host) == len(rest) || rest[len(host)] == '?' {
		return fmt.Errorf("URL %q has no path: clients request %s/, so sign that URL instead", u, u[:len(u)-len(rest)]+host)
	}
	if i := strings.IndexByte(u, '?'); i >= 0 {
		for _, item := range strings.Split(u[i+1:], "&") {
			name, _, _ := strings.Cut(item, "=")
			name = percentDecode(name)
			for _, r := range reservedParams {
				if name == r {
					return fmt.Errorf("URL already contains the signing parameter %s; sign the URL without it", r)
				}
			}
		}
	}
	return nil
}

// Cookie names of signed cookies (§2.2).
const (
	CookieExpires       = "CloudFront-Expires"
	CookiePolicy        = "CloudFront-Policy"
	CookieSignature     = "CloudFront-Signature"
	CookieKeyPairID     = "CloudFront-Key-Pair-Id"
	CookieHashAlgorithm = "CloudFront-Hash-Algorithm"
)

// Cookie is one signed cookie: a name and its value.
type Cookie struct {
	Name  string
	Value string
}

// SignCookies returns the signed cookies granting t.Resource under t: canned
// (CloudFront-Expires) when the resource has no '*' and t sets no start or
// address, custom (CloudFront-Policy) otherwise, then CloudFront-Signature,
// CloudFront-Key-Pair-Id and, for SHA256, CloudFront-Hash-Algorithm (§14.2).
// A canned cookie grants exactly the one URL named by t.Resource.
func (s *Signer) SignCookies(t Terms) ([]Cookie, error) {
	if t.Resource == "" {
		return nil, errors.New("signed cookies need a resource")
	}
	if err := ValidateResource(t.Resource); err != nil {
		return nil, err
	}
	var cookies []Cookie
	var msg []byte
	if strings.Contains(t.Resource, "*") || !t.DateGreaterThan.IsZero() || t.IPAddress != "" {
		var err error
		if msg, err = t.policy(t.Resource).Marshal(); err != nil {
			return nil, err
		}
		cookies = append(cookies, Cookie{CookiePolicy, EncodeBase64(msg)})
	} else {
		if t.DateLessThan.Unix() <= 0 {
			return nil, errors.New("expiry must be after 1970-01-01T00:00:00Z")
		}
		e := strconv.FormatInt(t.DateLessThan.Unix(), 10)
		msg = appendCanned(nil, t.Resource, e)
		cookies = append(cookies, Cookie{CookieExpires, e})
	}
	sig, err := s.Sign(msg)
	if err != nil {
		return nil, err
	}
	cookies = append(cookies, Cookie{CookieSignature, EncodeBase64(sig)}, Cookie{CookieKeyPairID, s.keyPairID})
	if s.hash != SHA1 {
		cookies = append(cookies, Cookie{CookieHashAlgorithm, s.hash.String()})
	}
	return cookies, nil
}

// CookieAttributes are the Set-Cookie attributes a browser needs to send
// signed cookies back to the edge.
type CookieAttributes struct {
	// Domain is the Domain attribute; empty means host-only.
	Domain string
	// Path is the Path attribute; empty means "/".
	Path string
	// Secure sends the cookie over HTTPS only.
	Secure bool
	// HttpOnly hides the cookie from scripts.
	HttpOnly bool
	// SameSite is the SameSite attribute; zero omits it.
	SameSite http.SameSite
	// Expires is the Expires attribute; zero makes a session cookie.
	Expires time.Time
}

// SetCookie formats c as the value of a Set-Cookie header with attributes a.
func (a CookieAttributes) SetCookie(c Cookie) string {
	path := a.Path
	if path == "" {
		path = "/"
	}
	hc := &http.Cookie{Name: c.Name, Value: c.Value, Domain: a.Domain, Path: path,
		Secure: a.Secure, HttpOnly: a.HttpOnly, SameSite: a.SameSite, Expires: a.Expires}
	return hc.String()
}

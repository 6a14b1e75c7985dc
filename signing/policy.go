package signing

import (
	"errors"
	"fmt"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Policy is the single statement of a CloudFront policy (§4): which URLs it
// grants, between which times, and to which viewer addresses.
//
// The zero value of an optional field means the condition is absent:
// Resource "" admits every URL of a behavior that trusts the key,
// DateGreaterThan 0 sets no start, SourceIP "" admits every address.
type Policy struct {
	// Resource is the URL pattern the policy grants, with '*' and '?'
	// wildcards (§6). Empty means no Resource member.
	Resource string
	// DateLessThan is the expiry in Unix seconds: the policy admits requests
	// strictly before it (§7). Required.
	DateLessThan int64
	// DateGreaterThan is the start in Unix seconds: the policy admits
	// requests strictly after it (§7). Zero means no start.
	DateGreaterThan int64
	// SourceIP is the AWS:SourceIp value as written: an IPv4 address or CIDR
	// range. Empty means any address.
	SourceIP string

	hasDateGreaterThan bool
	prefix             netip.Prefix // parsed SourceIP; invalid for IPv6 (never matches, §8)
}

// HasDateGreaterThan reports whether the policy names a start time, even one
// of zero.
func (p *Policy) HasDateGreaterThan() bool { return p.hasDateGreaterThan || p.DateGreaterThan != 0 }

// AllowsIP reports whether the policy admits a viewer at ip. A policy without
// SourceIP admits everyone; an IPv4-mapped IPv6 address is unmapped first; a
// native IPv6 viewer never matches an address condition (§8).
func (p *Policy) AllowsIP(ip netip.Addr) bool {
	if p.SourceIP == "" {
		return true
	}
	prefix := p.prefix
	if !prefix.IsValid() {
		var err error
		if prefix, err = parseSourceIP(p.SourceIP); err != nil {
			return false
		}
	}
	if !prefix.Addr().Is4() {
		return false
	}
	ip = ip.Unmap()
	return ip.Is4() && prefix.Contains(ip)
}

// parseSourceIP parses an AWS:SourceIp value: IPv4 "a.b.c.d/n" or a bare
// address meaning /32. Host bits are masked. IPv6 values parse (and never
// match); anything else is an error.
func parseSourceIP(s string) (netip.Prefix, error) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return netip.Prefix{}, err
		}
		return p.Masked(), nil
	}
	a, err := netip.ParseAddr(s)
	if err != nil {
		return netip.Prefix{}, err
	}
	return netip.PrefixFrom(a, a.BitLen()), nil
}

// CannedPolicy returns the exact bytes CloudFront signs for a canned policy
// over resource expiring at expires (§4.1). resource goes in raw: no JSON or
// HTML escaping, as CloudFront rebuilds it.
func CannedPolicy(resource string, expires int64) []byte {
	return appendCanned(nil, resource, strconv.FormatInt(expires, 10))
}

func appendCanned(dst []byte, resource, expiresDigits string) []byte {
	dst = slices.Grow(dst, len(cannedHead)+len(resource)+len(cannedMid)+len(expiresDigits)+len(cannedTail))
	dst = append(dst, cannedHead...)
	dst = append(dst, resource...)
	dst = append(dst, cannedMid...)
	dst = append(dst, expiresDigits...)
	return append(dst, cannedTail...)
}

// The fixed parts of a canned policy (§4.1).
const (
	cannedHead = `{"Statement":[{"Resource":"`
	cannedMid  = `","Condition":{"DateLessThan":{"AWS:EpochTime":`
	cannedTail = `}}}]}`
)

// Marshal returns the policy as keyfront's signer emits it (§14.1): compact
// JSON with members in the order Statement, Resource, Condition,
// DateLessThan, IpAddress, DateGreaterThan — the bytes the AWS CLI produces
// for the same input. A bare SourceIP gains "/32". Marshal rejects what it
// would otherwise have to escape (quotes, backslashes, control characters,
// non-ASCII, spaces, '#') and invalid conditions, never silently altering
// the grant.
func (p *Policy) Marshal() ([]byte, error) {
	if err := ValidateResource(p.Resource); err != nil && p.Resource != "" {
		return nil, err
	}
	if p.DateLessThan <= 0 {
		return nil, errors.New("policy needs a DateLessThan after 1970-01-01T00:00:00Z")
	}
	if p.HasDateGreaterThan() && p.DateGreaterThan >= p.DateLessThan {
		return nil, fmt.Errorf("DateGreaterThan (%s) must be before DateLessThan (%s)",
			formatEpoch(p.DateGreaterThan), formatEpoch(p.DateLessThan))
	}
	ip := ""
	if p.SourceIP != "" {
		var err error
		if ip, err = NormalizeSourceIP(p.SourceIP); err != nil {
			return nil, err
		}
	}
	b := make([]byte, 0, 160+len(p.Resource))
	b = append(b, `{"Statement":[{`...)
	if p.Resource != "" {
		b = append(b, `"Resource":"`...)
		b = append(b, p.Resource...)
		b = append(b, `",`...)
	}
	b = append(b, `"Condition":{"DateLessThan":{"AWS:EpochTime":`...)
	b = strconv.AppendInt(b, p.DateLessThan, 10)
	b = append(b, '}')
	if ip != "" {
		b = append(b, `,"IpAddress":{"AWS:SourceIp":"`...)
		b = append(b, ip...)
		b = append(b, `"}`...)
	}
	if p.HasDateGreaterThan() {
		b = append(b, `,"DateGreaterThan":{"AWS:EpochTime":`...)
		b = strconv.AppendInt(b, p.DateGreaterThan, 10)
		b = append(b, '}')
	}
	return append(b, `}}]}`...), nil
}

// ValidateResource reports whether a URL or resource pattern can be placed
// into a policy without escaping (§14.1). The signer rejects rather than
// escapes so that what it signs is exactly what the user wrote.
func ValidateResource(r string) error {
	if r == "" {
		return errors.New("resource is empty")
	}
	for i := 0; i < len(r); i++ {
		c := r[i]
		switch {
		case c == ' ':
			return fmt.Errorf("resource %q contains a space at byte %d: percent-encode it as %%20", r, i)
		case c == '"' || c == '\\':
			return fmt.Errorf("resource %q contains %q at byte %d, which cannot appear in a policy unescaped", r, c, i)
		case c == '#':
			return fmt.Errorf("resource %q contains a fragment ('#' at byte %d); fragments are never sent to the server", r, i)
		case c < 0x20 || c == 0x7f:
			return fmt.Errorf("resource %q contains a control character at byte %d", r, i)
		case c >= utf8.RuneSelf:
			return fmt.Errorf("resource %q contains a non-ASCII byte at %d: percent-encode it", r, i)
		}
	}
	return nil
}

// NormalizeSourceIP validates an IP condition for the signer: IPv4
// "a.b.c.d" or "a.b.c.d/n" (0 ≤ n ≤ 32). A bare address gains "/32"; the
// value is otherwise kept as written. IPv6 is refused because CloudFront does
// not support it in policies (§8).
func NormalizeSourceIP(s string) (string, error) {
	addr := s
	if i := strings.IndexByte(s, '/'); i >= 0 {
		addr = s[:i]
	}
	a, err := netip.ParseAddr(addr)
	if err == nil && a.Is6() {
		return "", fmt.Errorf("IP address %q is IPv6; CloudFront policies accept only IPv4 (x.x.x.x or x.x.x.x/n)", s)
	}
	if err != nil || !a.Is4() {
		return "", fmt.Errorf("IP address %q is not IPv4 (want x.x.x.x or x.x.x.x/n)", s)
	}
	if !strings.Contains(s, "/") {
		return s + "/32", nil
	}
	if _, err := netip.ParsePrefix(s); err != nil {
		return "", fmt.Errorf("IP range %q is not valid (want x.x.x.x/n with n from 0 to 32)", s)
	}
	return s, nil
}

func formatEpoch(sec int64) string {
	return time.Unix(sec, 0).UTC().Format(time.RFC3339)
}

// PolicyError says why a custom policy is malformed. Reason is the log token
// of §11 (policy_json, policy_statement_count, …); the viewer only ever sees
// MalformedPolicy.
type PolicyError struct {
	Reason Reason
	Detail string
}

func (e *PolicyError) Error() string { return "malformed policy: " + e.Detail }

func policyErr(reason Reason, format string, args ...any) *PolicyError {
	return &PolicyError{Reason: reason, Detail: fmt.Sprintf(format, args...)}
}

// parseEpochNumber accepts a JSON number whose value is an integer within
// int64 (§4.3 rule 8): 1767290400, 1767290400.0, 1.7672904e9 and -1 alike.
// It works on the decimal text rather than a float64, so that
// 1767290400.0000000001 is refused as fractional instead of rounded, and
// large values are exact. s is a number the JSON decoder has already
// validated.
func parseEpochNumber(s string) (int64, bool) {
	if v, err := strconv.ParseInt(s, 10, 64); err == nil {
		return v, true
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	mant, expText, hasExp := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.TrimLeft(intPart+frac, "0")
	if digits == "" {
		return 0, true // zero, whatever the exponent
	}
	exp := 0
	if hasExp {
		e, err := strconv.Atoi(expText)
		if err != nil {
			return 0, false // |exponent| beyond int: far too big or fractional
		}
		exp = e
	}
	if exp < math.MinInt32 || exp > math.MaxInt32 {
		return 0, false
	}
	exp -= len(frac)
	for exp < 0 && strings.HasSuffix(digits, "0") {
		digits, exp = digits[:len(digits)-1], exp+1
	}
	if exp < 0 || len(digits)+exp > 19 {
		return 0, false
	}
	v, err := strconv.ParseInt(sign+digits+strings.Repeat("0", exp), 10, 64)
	return v, err == nil
}

// parseDigits accepts 1 to 19 ASCII digits that fit in int64 (§4.1, §4.3).
func parseDigits(s string) (int64, bool) {
	if len(s) == 0 || len(s) > 19 {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

package signing

import (
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// ParsePolicy parses the decoded bytes of a custom policy as the edge does
// (§4.3): whitespace and CRLF anywhere, Statement as an array of one object
// or a single object, names matched case-sensitively, duplicate names
// refused at every level, unknown members ignored except inside Condition,
// epoch values as integral JSON numbers (or digit strings), AWS:SourceIp as
// IPv4 address or CIDR. Errors are *PolicyError.
func ParsePolicy(b []byte) (*Policy, error) {
	if !utf8.Valid(b) {
		return nil, policyErr(ReasonPolicyJSON, "policy is not UTF-8")
	}
	// One copy of the input: member names and unescaped strings such as
	// Resource are substrings of it.
	d := &policyDecoder{s: string(b)}
	p := &Policy{}
	statements := 0
	var dltSeen bool
	err := d.object("policy", func(name string) error {
		if name != "Statement" {
			if strings.EqualFold(name, "Statement") {
				return policyErr(ReasonPolicyJSON, "member %q should be spelled \"Statement\"", name)
			}
			return d.skip(0)
		}
		switch d.peek() {
		case '[':
			d.i++
			if d.peek() == ']' {
				d.i++
				return nil
			}
			for {
				statements++
				// Check the element first, so that a trailing comma is
				// reported as the syntax error it is, not as a second
				// statement.
				if d.peek() != '{' {
					return d.unexpected("where a statement object should be")
				}
				if statements > 1 {
					return policyErr(ReasonPolicyStatementCount, "policy has more than one statement; CloudFront allows exactly one")
				}
				if err := parseStatement(d, p, &dltSeen); err != nil {
					return err
				}
				switch d.peek() {
				case ',':
					d.i++
				case ']':
					d.i++
					return nil
				default:
					return d.unexpected("after a statement")
				}
			}
		case '{':
			statements++
			return parseStatement(d, p, &dltSeen)
		}
		return policyErr(ReasonPolicyJSON, "Statement must be an array or an object")
	})
	if err != nil {
		return nil, err
	}
	if d.skipSpace(); d.i != len(d.s) {
		return nil, policyErr(ReasonPolicyJSON, "unexpected data after the policy object")
	}
	if statements != 1 {
		return nil, policyErr(ReasonPolicyStatementCount, "policy has %d statements; CloudFront requires exactly one", statements)
	}
	if !dltSeen {
		return nil, policyErr(ReasonPolicyDLTMissing, "policy has no Condition.DateLessThan.AWS:EpochTime")
	}
	return p, nil
}

// checkName refuses a member that equals a known name except for case
// (§4.3 rule 5): a misspelled Resource must not silently widen the grant.
func checkName(name string, known ...string) error {
	for _, k := range known {
		if name != k && strings.EqualFold(name, k) {
			return policyErr(ReasonPolicyJSON, "member %q should be spelled %q", name, k)
		}
	}
	return nil
}

func parseStatement(d *policyDecoder, p *Policy, dltSeen *bool) error {
	return d.object("statement", func(name string) error {
		switch name {
		case "Resource":
			if d.peek() != '"' {
				return d.wrongType(ReasonPolicyResourceInvalid, "Resource must be a string")
			}
			s, err := d.str()
			if err != nil {
				return err
			}
			if s == "" {
				// "" would read as no Resource, which admits every URL.
				return policyErr(ReasonPolicyResourceInvalid, "Resource is empty")
			}
			p.Resource = s
			return nil
		case "Condition":
			return d.object("Condition", func(name string) error {
				switch name {
				case "DateLessThan":
					v, err := parseEpochMember(d, "DateLessThan")
					p.DateLessThan, *dltSeen = v, err == nil
					return err
				case "DateGreaterThan":
					v, err := parseEpochMember(d, "DateGreaterThan")
					p.DateGreaterThan, p.hasDateGreaterThan = v, err == nil
					return err
				case "IpAddress":
					// An IpAddress without AWS:SourceIp would otherwise
					// admit every address: refuse it like an unknown
					// condition (§4.3 rules 6 and 9).
					err := d.object("IpAddress", func(name string) error {
						if name != "AWS:SourceIp" {
							return policyErr(ReasonPolicyIPInvalid, "IpAddress has unknown member %q; want \"AWS:SourceIp\"", name)
						}
						if d.peek() != '"' {
							return d.wrongType(ReasonPolicyIPInvalid, "AWS:SourceIp must be a string holding one IPv4 address or range")
						}
						s, err := d.str()
						if err != nil {
							return err
						}
						prefix, err := parseSourceIP(s)
						if err != nil {
							return policyErr(ReasonPolicyIPInvalid, "AWS:SourceIp %q is not an IP address or CIDR range", s)
						}
						p.SourceIP, p.prefix = s, prefix
						return nil
					})
					if err == nil && p.SourceIP == "" {
						err = policyErr(ReasonPolicyIPInvalid, "IpAddress has no AWS:SourceIp")
					}
					return err
				}
				return policyErr(ReasonPolicyJSON, "Condition has unknown member %q", name)
			})
		}
		if err := checkName(name, "Resource", "Condition"); err != nil {
			return err
		}
		return d.skip(0)
	})
}

func parseEpochMember(d *policyDecoder, name string) (int64, error) {
	var v int64
	var seen bool
	err := d.object(name, func(key string) error {
		if key != "AWS:EpochTime" {
			return policyErr(ReasonPolicyEpochInvalid, "%s has unknown member %q; want \"AWS:EpochTime\"", name, key)
		}
		start := d.i
		ok := false
		switch c := d.peek(); {
		case c == '"':
			s, err := d.str()
			if err != nil {
				return err
			}
			v, ok = parseDigits(s)
		case c == '-' || '0' <= c && c <= '9':
			s, err := d.number()
			if err != nil {
				return err
			}
			v, ok = parseEpochNumber(s)
		default:
			return d.wrongType(ReasonPolicyEpochInvalid, "%s.AWS:EpochTime must be a number", name)
		}
		if !ok {
			return policyErr(ReasonPolicyEpochInvalid, "%s.AWS:EpochTime %.40s is not a whole number of seconds", name, strings.TrimSpace(d.s[start:]))
		}
		seen = true
		return nil
	})
	if err == nil && !seen {
		err = policyErr(ReasonPolicyEpochInvalid, "%s has no AWS:EpochTime", name)
	}
	return v, err
}

// maxSkipDepth bounds the nesting of ignored members, which are walked
// recursively before the signature is checked.
const maxSkipDepth = 32

// policyDecoder is a strict JSON (RFC 8259) reader for policies. It exists
// because encoding/json's Decoder.Token, the only standard way to see
// member names exactly and in order, boxes every token and builds an error
// string after each number. With it, BenchmarkVerify/RSA-2048-SHA1-custom
// spent 47% on top of the RSA verification (CPU profile, code outside
// crypto/) and made 134 allocations; with this reader, 8% and 14 (9 of them
// crypto/rsa's). It allocates only for strings with escapes.
type policyDecoder struct {
	s string
	i int // next byte
}

func (d *policyDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// peek skips whitespace and returns the next byte, or 0 at the end.
func (d *policyDecoder) peek() byte {
	if d.skipSpace(); d.i < len(d.s) {
		return d.s[d.i]
	}
	return 0
}

// unexpected reports the byte at d.i.
func (d *policyDecoder) unexpected(where string) *PolicyError {
	if d.i >= len(d.s) {
		return policyErr(ReasonPolicyJSON, "policy JSON ends early")
	}
	return policyErr(ReasonPolicyJSON, "policy is not valid JSON: unexpected %q %s (byte %d)", d.s[d.i], where, d.i)
}

// wrongType reports a value of the wrong type with reason, unless it is not
// a JSON value at all, which is a syntax error.
func (d *policyDecoder) wrongType(reason Reason, format string, args ...any) error {
	if c := d.peek(); c != '{' && c != '[' {
		if err := d.skip(maxSkipDepth); err != nil {
			return err
		}
	}
	return policyErr(reason, format, args...)
}

// object reads an object, calling fn with each member name while positioned
// at its value; fn must consume the value. Duplicate names are refused
// (§4.3 rule 4).
func (d *policyDecoder) object(what string, fn func(name string) error) error {
	if d.peek() != '{' {
		return d.unexpected(fmt.Sprintf("where %s should start with '{'", what))
	}
	d.i++
	if d.peek() == '}' {
		d.i++
		return nil
	}
	// The policy is parsed before its signature is checked, so an object
	// with thousands of members must not cost quadratic time: names are
	// kept in an array while few, in a map beyond that.
	var few [8]string
	n := 0
	var many map[string]struct{}
	for {
		if d.peek() != '"' {
			return d.unexpected("where a member name should be")
		}
		name, err := d.str()
		if err != nil {
			return err
		}
		dup := false
		if many == nil {
			for _, s := range few[:n] {
				dup = dup || s == name
			}
			if n < len(few) {
				few[n] = name
				n++
			} else {
				many = make(map[string]struct{}, 2*len(few))
				for _, s := range few {
					many[s] = struct{}{}
				}
			}
		}
		if many != nil {
			_, dup = many[name]
			many[name] = struct{}{}
		}
		if dup {
			return policyErr(ReasonPolicyJSON, "%s has member %q twice", what, name)
		}
		if d.peek() != ':' {
			return d.unexpected("after a member name")
		}
		d.i++
		if err := fn(name); err != nil {
			return err
		}
		switch d.peek() {
		case ',':
			d.i++
		case '}':
			d.i++
			return nil
		default:
			return d.unexpected("after an object member")
		}
	}
}

// skip consumes one value of any kind, checking its syntax and, in its
// objects, duplicate names.
func (d *policyDecoder) skip(depth int) error {
	if depth > maxSkipDepth {
		return policyErr(ReasonPolicyJSON, "policy nests more than %d levels deep", maxSkipDepth)
	}
	switch c := d.peek(); {
	case c == '{':
		return d.object("object", func(string) error { return d.skip(depth + 1) })
	case c == '[':
		d.i++
		if d.peek() == ']' {
			d.i++
			return nil
		}
		for {
			if err := d.skip(depth + 1); err != nil {
				return err
			}
			switch d.peek() {
			case ',':
				d.i++
			case ']':
				d.i++
				return nil
			default:
				return d.unexpected("in an array")
			}
		}
	case c == '"':
		_, err := d.str()
		return err
	case c == '-' || '0' <= c && c <= '9':
		_, err := d.number()
		return err
	}
	for _, lit := range [...]string{"true", "false", "null"} {
		if strings.HasPrefix(d.s[d.i:], lit) {
			d.i += len(lit)
			return nil
		}
	}
	return d.unexpected("where a value should be")
}

// number reads a JSON number and returns its text.
func (d *policyDecoder) number() (string, error) {
	start := d.i
	if d.i < len(d.s) && d.s[d.i] == '-' {
		d.i++
	}
	switch {
	case d.i < len(d.s) && d.s[d.i] == '0':
		d.i++
	case d.digits() == 0:
		return "", d.unexpected("in a number")
	}
	if d.i < len(d.s) && d.s[d.i] == '.' {
		d.i++
		if d.digits() == 0 {
			return "", d.unexpected("in a number's fraction")
		}
	}
	if d.i < len(d.s) && (d.s[d.i] == 'e' || d.s[d.i] == 'E') {
		d.i++
		if d.i < len(d.s) && (d.s[d.i] == '+' || d.s[d.i] == '-') {
			d.i++
		}
		if d.digits() == 0 {
			return "", d.unexpected("in a number's exponent")
		}
	}
	return d.s[start:d.i], nil
}

// digits consumes ASCII digits and returns how many.
func (d *policyDecoder) digits() int {
	start := d.i
	for d.i < len(d.s) && '0' <= d.s[d.i] && d.s[d.i] <= '9' {
		d.i++
	}
	return d.i - start
}

// str reads the string starting at the '"' at d.i and returns its value.
// Without escapes the value is a substring of the input.
func (d *policyDecoder) str() (string, error) {
	d.i++ // '"'
	start := d.i
	for d.i < len(d.s) {
		switch c := d.s[d.i]; {
		case c == '"':
			d.i++
			return d.s[start : d.i-1], nil
		case c == '\\':
			return d.strEscaped(start)
		case c < 0x20:
			return "", d.unexpected("in a string (control characters must be escaped)")
		}
		d.i++
	}
	return "", d.unexpected("in a string")
}

// strEscaped continues str at the first backslash. Escapes decode as
// encoding/json decodes them, including U+FFFD for a lone surrogate.
func (d *policyDecoder) strEscaped(start int) (string, error) {
	b := make([]byte, 0, d.i-start+16)
	b = append(b, d.s[start:d.i]...)
	for d.i < len(d.s) {
		c := d.s[d.i]
		switch {
		case c == '"':
			d.i++
			return string(b), nil
		case c < 0x20:
			return "", d.unexpected("in a string (control characters must be escaped)")
		case c != '\\':
			b = append(b, c)
			d.i++
			continue
		}
		if d.i+1 >= len(d.s) {
			break
		}
		e := d.s[d.i+1]
		d.i += 2
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, ok := d.hex4()
			if !ok {
				return "", d.unexpected("in a \\u escape")
			}
			if utf16.IsSurrogate(r) {
				// A high and a low surrogate make one rune; anything else is
				// U+FFFD and the following escape is read on its own.
				r2 := rune(-1)
				if save := d.i; strings.HasPrefix(d.s[d.i:], `\u`) {
					d.i += 2
					if r2, ok = d.hex4(); !ok {
						r2 = -1
					}
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						r2 = dec
					} else {
						r2 = -1
						d.i = save
					}
				}
				r = utf8.RuneError
				if r2 >= 0 {
					r = r2
				}
			}
			b = utf8.AppendRune(b, r)
		default:
			d.i -= 2
			return "", d.unexpected("as an escape")
		}
	}
	return "", d.unexpected("in a string")
}

// hex4 reads four hex digits.
func (d *policyDecoder) hex4() (rune, bool) {
	if d.i+4 > len(d.s) {
		return 0, false
	}
	var r rune
	for _, c := range []byte(d.s[d.i : d.i+4]) {
		if !ishex(c) {
			return 0, false
		}
		r = r<<4 | rune(unhex(c))
	}
	d.i += 4
	return r, true
}

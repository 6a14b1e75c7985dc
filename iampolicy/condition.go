package iampolicy

import (
	"bytes"
	"encoding/base64"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// family groups condition operators that read values the same way
// (reference_policies_elements_condition_operators.html, one section each).
type family uint8

const (
	fString     family = iota + 1 // StringEquals: exact, case-sensitive
	fStringFold                   // StringEqualsIgnoreCase
	fStringLike                   // StringLike: * and ? wildcards
	fArn                          // ArnEquals, ArnLike: per ARN component, with wildcards
	fNumeric
	fDate
	fBool
	fIP
	fBinary
	fNull
)

// cmp is the comparison of Numeric* and Date* operators: request value
// <cmp> policy value.
type cmp uint8

const (
	cmpEq cmp = iota
	cmpLt
	cmpLe
	cmpGt
	cmpGe
)

type operator struct {
	family  family
	negated bool // StringNotEquals, NotIpAddress, ...: true when no policy value matches
	cmp     cmp
}

// operators lists every condition operator without the ...IfExists suffix and
// the ForAllValues: / ForAnyValue: prefixes. Names are case-sensitive, like
// the element names of the grammar.
var operators = map[string]operator{
	"StringEquals":              {family: fString},
	"StringNotEquals":           {family: fString, negated: true},
	"StringEqualsIgnoreCase":    {family: fStringFold},
	"StringNotEqualsIgnoreCase": {family: fStringFold, negated: true},
	"StringLike":                {family: fStringLike},
	"StringNotLike":             {family: fStringLike, negated: true},
	// "ArnEquals ... ArnLike: Case-sensitive matching of the ARN. Each of the
	// six colon-delimited components of the ARN is checked separately and
	// each can include multi-character match wildcards (*) or
	// single-character match wildcards (?)." — the same for both.
	"ArnEquals":                {family: fArn},
	"ArnLike":                  {family: fArn},
	"ArnNotEquals":             {family: fArn, negated: true},
	"ArnNotLike":               {family: fArn, negated: true},
	"NumericEquals":            {family: fNumeric, cmp: cmpEq},
	"NumericNotEquals":         {family: fNumeric, cmp: cmpEq, negated: true},
	"NumericLessThan":          {family: fNumeric, cmp: cmpLt},
	"NumericLessThanEquals":    {family: fNumeric, cmp: cmpLe},
	"NumericGreaterThan":       {family: fNumeric, cmp: cmpGt},
	"NumericGreaterThanEquals": {family: fNumeric, cmp: cmpGe},
	"DateEquals":               {family: fDate, cmp: cmpEq},
	"DateNotEquals":            {family: fDate, cmp: cmpEq, negated: true},
	"DateLessThan":             {family: fDate, cmp: cmpLt},
	"DateLessThanEquals":       {family: fDate, cmp: cmpLe},
	"DateGreaterThan":          {family: fDate, cmp: cmpGt},
	"DateGreaterThanEquals":    {family: fDate, cmp: cmpGe},
	"Bool":                     {family: fBool},
	"BinaryEquals":             {family: fBinary},
	"IpAddress":                {family: fIP},
	"NotIpAddress":             {family: fIP, negated: true},
	"Null":                     {family: fNull},
}

// setOp is the ForAllValues: / ForAnyValue: qualifier.
type setOp uint8

const (
	setNone setOp = iota
	setForAll
	setForAny
)

// condition is one (operator, key) pair of a Condition block with its values.
// A statement's conditions are ANDed; its values are ORed
// (reference_policies_condition-logic-multiple-context-keys-or-values.html).
type condition struct {
	opName   string // as written, for explanations
	op       operator
	set      setOp
	ifExists bool
	key      string // as written
	lkey     string // lower case, for lookup
	values   []condValue
}

// condValue is one policy value, pre-parsed for its operator's family.
type condValue struct {
	raw    string
	pat    pattern    // fString, fStringFold, fStringLike
	arn    [6]pattern // fArn, when raw has six components
	arnAll bool       // fArn: raw has fewer than six components; pat matches the whole value
	num    float64
	t      time.Time
	prefix netip.Prefix
	b      bool
	bin    []byte
}

// parseOperator splits "ForAnyValue:StringLikeIfExists" into its parts.
func parseOperator(name string) (op operator, set setOp, ifExists, ok bool) {
	base := name
	switch {
	case strings.HasPrefix(base, "ForAllValues:"):
		set, base = setForAll, base[len("ForAllValues:"):]
	case strings.HasPrefix(base, "ForAnyValue:"):
		set, base = setForAny, base[len("ForAnyValue:"):]
	}
	if b, found := strings.CutSuffix(base, "IfExists"); found {
		ifExists, base = true, b
	}
	op, ok = operators[base]
	// Null tests existence itself: neither IfExists nor a set qualifier
	// makes sense with it.
	if op.family == fNull && (ifExists || set != setNone) {
		ok = false
	}
	return op, set, ifExists, ok
}

// parseConditionBlock compiles a Condition element:
// {"<operator>": {"<key>": value-or-list, ...}, ...}.
func parseConditionBlock(n *node, path string, variables bool) ([]condition, *Error) {
	if n.kind != kObject {
		return nil, newError(MsgInvalidJSON, path, n.text())
	}
	var out []condition
	for _, of := range n.obj {
		opPath := joinPath(path, of.key)
		op, set, ifExists, ok := parseOperator(of.key)
		if !ok {
			return nil, newError(MsgInvalidConditionType+" : "+of.key, opPath, of.key)
		}
		if of.val.kind != kObject {
			return nil, newError(MsgInvalidJSON, opPath, of.val.text())
		}
		for _, kf := range of.val.obj {
			keyPath := joinPath(opPath, kf.key)
			if !validConditionKey(kf.key) {
				return nil, newError(MsgInvalidConditionKey, keyPath, kf.key)
			}
			c := condition{opName: of.key, op: op, set: set, ifExists: ifExists, key: kf.key, lkey: strings.ToLower(kf.key)}
			raws, vpaths, err := conditionValues(kf.val, keyPath)
			if err != nil {
				return nil, err
			}
			for i, raw := range raws {
				v, err := parseCondValue(op.family, raw, vpaths[i], variables)
				if err != nil {
					return nil, err
				}
				c.values = append(c.values, v)
			}
			out = append(out, c)
		}
	}
	return out, nil
}

// conditionValues reads a value or list of values. JSON numbers and booleans
// are accepted and read as their text, as IAM does ("aws:SecureTransport":
// false).
func conditionValues(n *node, path string) ([]string, []string, *Error) {
	scalar := func(n *node, path string) (string, *Error) {
		switch n.kind {
		case kString, kNumber, kBool:
			return n.str, nil
		}
		return "", newError(MsgInvalidConditionValue, path, n.text())
	}
	if n.kind != kArray {
		s, err := scalar(n, path)
		if err != nil {
			return nil, nil, err
		}
		return []string{s}, []string{path}, nil
	}
	if len(n.arr) == 0 {
		return nil, nil, newError(MsgInvalidConditionValue, path, "[]")
	}
	vals := make([]string, len(n.arr))
	paths := make([]string, len(n.arr))
	for i, e := range n.arr {
		paths[i] = indexPath(path, i)
		s, err := scalar(e, paths[i])
		if err != nil {
			return nil, nil, err
		}
		vals[i] = s
	}
	return vals, paths, nil
}

func parseCondValue(f family, raw, path string, variables bool) (condValue, *Error) {
	v := condValue{raw: raw}
	switch f {
	case fString, fStringFold:
		v.pat = compile(raw, compileOpts{variables: variables})
	case fStringLike:
		v.pat = compile(raw, compileOpts{wildcards: true, variables: variables})
	case fArn:
		parts := splitARNPattern(raw, variables)
		if len(parts) == 6 {
			for i, p := range parts {
				v.arn[i] = compile(p, compileOpts{wildcards: true, variables: variables})
			}
		} else {
			// Not an ARN: compare the whole value with wildcards.
			v.arnAll = true
			v.pat = compile(raw, compileOpts{wildcards: true, variables: variables})
		}
	case fNumeric:
		n, ok := parseNumber(raw)
		if !ok {
			return v, newError(MsgInvalidNumber, path, raw)
		}
		v.num = n
	case fDate:
		t, ok := parseDate(raw)
		if !ok {
			return v, newError(MsgInvalidDate, path, raw)
		}
		v.t = t
	case fBool, fNull:
		b, ok := parseBool(raw)
		if !ok {
			return v, newError(MsgInvalidBool, path, raw)
		}
		v.b = b
	case fIP:
		p, ok := parseIPPrefix(raw)
		if !ok {
			return v, newError(MsgInvalidIP, path, raw)
		}
		v.prefix = p
	case fBinary:
		b, err := base64.StdEncoding.DecodeString(raw)
		if err != nil {
			return v, newError(MsgInvalidBinary, path, raw)
		}
		v.bin = b
	}
	return v, nil
}

// s3ConditionKeys are the condition keys of the Service Authorization
// Reference for Amazon S3 that apply to bucket and object resources, in
// lower case. Keys ending in "/" take a tag key after the slash.
var s3ConditionKeys = map[string]bool{
	"s3:accessgrantsinstancearn":                         true,
	"s3:accesspointnetworkorigin":                        true,
	"s3:authtype":                                        true,
	"s3:dataaccesspointaccount":                          true,
	"s3:dataaccesspointarn":                              true,
	"s3:delimiter":                                       true,
	"s3:existingobjecttag/":                              true,
	"s3:if-match":                                        true,
	"s3:if-none-match":                                   true,
	"s3:locationconstraint":                              true,
	"s3:max-keys":                                        true,
	"s3:object-lock-legal-hold":                          true,
	"s3:object-lock-mode":                                true,
	"s3:object-lock-remaining-retention-days":            true,
	"s3:object-lock-retain-until-date":                   true,
	"s3:objectcreationoperation":                         true,
	"s3:prefix":                                          true,
	"s3:requestobjecttag/":                               true,
	"s3:requestobjecttagkeys":                            true,
	"s3:resourceaccount":                                 true,
	"s3:signatureage":                                    true,
	"s3:signatureversion":                                true,
	"s3:tlsversion":                                      true,
	"s3:versionid":                                       true,
	"s3:x-amz-acl":                                       true,
	"s3:x-amz-content-sha256":                            true,
	"s3:x-amz-copy-source":                               true,
	"s3:x-amz-grant-full-control":                        true,
	"s3:x-amz-grant-read":                                true,
	"s3:x-amz-grant-read-acp":                            true,
	"s3:x-amz-grant-write":                               true,
	"s3:x-amz-grant-write-acp":                           true,
	"s3:x-amz-metadata-directive":                        true,
	"s3:x-amz-object-ownership":                          true,
	"s3:x-amz-server-side-encryption":                    true,
	"s3:x-amz-server-side-encryption-aws-kms-key-id":     true,
	"s3:x-amz-server-side-encryption-customer-algorithm": true,
	"s3:x-amz-storage-class":                             true,
	"s3:x-amz-website-redirect-location":                 true,
}

// validConditionKey accepts every global key ("aws:..."; the set grows and a
// key the request never carries simply is not present) and the S3 keys
// above. S3 refuses others with "Policy has an invalid condition key".
func validConditionKey(k string) bool {
	l := strings.ToLower(k)
	if strings.HasPrefix(l, "aws:") {
		return len(l) > len("aws:")
	}
	if s3ConditionKeys[l] {
		return !strings.HasSuffix(l, "/")
	}
	if i := strings.IndexByte(l, '/'); i > 0 && i < len(l)-1 {
		return s3ConditionKeys[l[:i+1]]
	}
	return false
}

// parseNumber accepts an optionally signed decimal: 10, -3, 2.5. IAM's
// numeric operators do not document exponents, hex or NaN; they are refused.
func parseNumber(s string) (float64, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	digits := 0
	for i < len(s) && '0' <= s[i] && s[i] <= '9' {
		i++
		digits++
	}
	if i < len(s) && s[i] == '.' {
		i++
		frac := 0
		for i < len(s) && '0' <= s[i] && s[i] <= '9' {
			i++
			frac++
		}
		if frac == 0 {
			return 0, false
		}
	}
	if digits == 0 || i != len(s) {
		return 0, false
	}
	f, err := strconv.ParseFloat(s, 64)
	return f, err == nil
}

// dateLayouts are the ISO 8601 forms Date operators accept
// (reference_policies_elements_condition_operators.html, "Date condition
// operators": "values in ... ISO 8601 date formats" or epoch time).
var dateLayouts = []string{
	time.RFC3339Nano,           // 2024-05-01T12:00:00.123Z, 2024-05-01T12:00:00+02:00
	"2006-01-02T15:04Z07:00",   // without seconds
	"2006-01-02T15:04:05",      // without zone: UTC
	"2006-01-02T15:04",         // without seconds or zone: UTC
	"2006-01-02",               // date only: midnight UTC
	"20060102T150405Z07:00",    // basic format
	"20060102T150405",          // basic format without zone
	"2006-01-02T15:04:05Z0700", // offset without colon
}

// parseDate reads an ISO 8601 date-time or a count of seconds since the
// epoch (possibly with a fraction, as aws:EpochTime is sometimes written).
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if allDigits(s) || s[0] == '-' && allDigits(s[1:]) && len(s) > 1 {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < -62135596800 || n > 253402300799 { // years 0001–9999
			return time.Time{}, false
		}
		return time.Unix(n, 0).UTC(), true
	}
	if f, ok := parseNumber(s); ok && strings.Contains(s, ".") {
		if f < -62135596800 || f > 253402300799 {
			return time.Time{}, false
		}
		sec := int64(f)
		return time.Unix(sec, int64((f-float64(sec))*1e9)).UTC(), true
	}
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func parseBool(s string) (bool, bool) {
	switch {
	case strings.EqualFold(s, "true"):
		return true, true
	case strings.EqualFold(s, "false"):
		return false, true
	}
	return false, false
}

// parseIPPrefix reads a CIDR block or a single address (a /32 or /128), IPv4
// or IPv6 (RFC 4632, RFC 4291 §2.3).
func parseIPPrefix(s string) (netip.Prefix, bool) {
	if strings.Contains(s, "/") {
		p, err := netip.ParsePrefix(s)
		if err != nil || p.Addr().Zone() != "" {
			return netip.Prefix{}, false
		}
		if p.Addr().Is4In6() {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
			if !p.IsValid() {
				return netip.Prefix{}, false
			}
		}
		return p.Masked(), true
	}
	a, err := netip.ParseAddr(s)
	if err != nil || a.Zone() != "" {
		return netip.Prefix{}, false
	}
	a = a.Unmap()
	return netip.PrefixFrom(a, a.BitLen()), true
}

// eval decides the condition for ctx.
//
// Missing keys (reference_policies_elements_condition_operators.html,
// "Important"): "If the key that you specify in a policy condition is not
// present in the request context, the values do not match and the condition
// is false. If the policy condition requires that the key is not matched,
// such as StringNotLike or ArnNotLike, and the right key is not present, the
// condition is true. This logic applies to all condition operators except
// ...IfExists and Null check." ...IfExists: "If the key is not present,
// evaluate the condition element as true." ForAllValues returns true when
// the key is missing or empty; ForAnyValue returns false
// (reference_policies_condition-single-vs-multi-valued-context-keys.html).
//
// Present keys: each request value v satisfies the operator when it matches
// at least one policy value (values are ORed), or, for a negated operator,
// when it matches none (NOR, reference_policies_condition-logic-multiple-
// context-keys-or-values.html). ForAnyValue needs one satisfying request
// value, ForAllValues all of them. Without a qualifier, a positive operator
// needs one (for a single-valued key: the value) and a negated operator
// needs all, so that StringNotEquals means "not StringEquals" for any number
// of values. A request value that cannot be read as the operator's type (a
// non-numeric s3:max-keys for NumericLessThan) satisfies no operator,
// negated or not.
func (c *condition) eval(ctx *Context) bool {
	vals, present := ctx.lookup(c.lkey)
	if c.op.family == fNull {
		// Null: "true" — the key is absent; "false" — it is present. Several
		// policy values are ORed like any other.
		for i := range c.values {
			if c.values[i].b != present {
				return true
			}
		}
		return false
	}
	if !present {
		switch {
		case c.ifExists:
			return true
		case c.set == setForAll:
			return true
		case c.set == setForAny:
			return false
		}
		return c.op.negated
	}
	all := c.set == setForAll || c.set == setNone && c.op.negated
	for _, v := range vals {
		sat := c.satisfies(v, ctx)
		if all && !sat {
			return false
		}
		if !all && sat {
			return true
		}
	}
	return all
}

// satisfies reports whether one request value satisfies the operator.
func (c *condition) satisfies(v string, ctx *Context) bool {
	matched, ok := c.matchAny(v, ctx)
	return ok && matched != c.op.negated
}

// matchAny reports whether v matches at least one policy value; ok is false
// when v cannot be read as the operator's type.
func (c *condition) matchAny(v string, ctx *Context) (matched, ok bool) {
	switch c.op.family {
	case fString:
		for i := range c.values {
			if p := &c.values[i].pat; p.exact && !p.vars {
				if p.literal() == v {
					return true, true
				}
			} else if s, ok := p.resolveString(ctx); ok && s == v {
				return true, true
			}
		}
	case fStringFold:
		for i := range c.values {
			if s, ok := c.values[i].pat.resolveString(ctx); ok && strings.EqualFold(s, v) {
				return true, true
			}
		}
	case fStringLike:
		for i := range c.values {
			if c.values[i].pat.match(v, ctx, false) {
				return true, true
			}
		}
	case fArn:
		parts, isARN := splitARN(v)
		for i := range c.values {
			cv := &c.values[i]
			if cv.arnAll {
				if cv.pat.match(v, ctx, false) {
					return true, true
				}
				continue
			}
			if !isARN {
				continue
			}
			hit := true
			for j := range cv.arn {
				if !cv.arn[j].match(parts[j], ctx, false) {
					hit = false
					break
				}
			}
			if hit {
				return true, true
			}
		}
	case fNumeric:
		n, ok := parseNumber(v)
		if !ok {
			return false, false
		}
		for i := range c.values {
			if compare(c.op.cmp, cmpFloat(n, c.values[i].num)) {
				return true, true
			}
		}
	case fDate:
		t, ok := parseDate(v)
		if !ok {
			return false, false
		}
		for i := range c.values {
			if compare(c.op.cmp, t.Compare(c.values[i].t)) {
				return true, true
			}
		}
	case fBool:
		b, ok := parseBool(v)
		if !ok {
			return false, false
		}
		for i := range c.values {
			if c.values[i].b == b {
				return true, true
			}
		}
	case fIP:
		a, err := netip.ParseAddr(v)
		if err != nil || a.Zone() != "" {
			return false, false
		}
		a = a.Unmap()
		for i := range c.values {
			if c.values[i].prefix.Contains(a) {
				return true, true
			}
		}
	case fBinary:
		// "compares the value of the specified key byte for byte against a
		// base-64 encoded representation of the binary value in the policy"
		for i := range c.values {
			if bytes.Equal(c.values[i].bin, []byte(v)) {
				return true, true
			}
		}
	}
	return false, true
}

// splitARNPattern splits a policy ARN into its six components like splitARN,
// except that with variables a colon inside "${...}" does not separate
// components (arn:aws:s3:::${aws:PrincipalAccount}-logs).
func splitARNPattern(raw string, variables bool) []string {
	var parts []string
	start, inVar := 0, false
	for i := 0; i < len(raw) && len(parts) < 5; i++ {
		switch {
		case variables && !inVar && strings.HasPrefix(raw[i:], "${"):
			if strings.IndexByte(raw[i:], '}') > 0 {
				inVar = true
			}
		case inVar && raw[i] == '}':
			inVar = false
		case !inVar && raw[i] == ':':
			parts = append(parts, raw[start:i])
			start = i + 1
		}
	}
	return append(parts, raw[start:])
}

// splitARN splits v into its six colon-separated components; the last keeps
// any further colons (arn:partition:service:region:account:resource). ok is
// false when v has fewer than six.
func splitARN(v string) (parts [6]string, ok bool) {
	rest := v
	for i := 0; i < 5; i++ {
		j := strings.IndexByte(rest, ':')
		if j < 0 {
			return parts, false
		}
		parts[i], rest = rest[:j], rest[j+1:]
	}
	parts[5] = rest
	return parts, true
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func compare(c cmp, r int) bool {
	switch c {
	case cmpEq:
		return r == 0
	case cmpLt:
		return r < 0
	case cmpLe:
		return r <= 0
	case cmpGt:
		return r > 0
	case cmpGe:
		return r >= 0
	}
	return false
}

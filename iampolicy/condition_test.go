package iampolicy_test

import (
	"strings"
	"testing"

	"keyfront/iampolicy"
)

// condPolicy returns a policy with one Allow statement for anonymous
// s3:GetObject on the bucket's objects, guarded by condition (a JSON object).
func condPolicy(tb testing.TB, condition string) *iampolicy.Policy {
	tb.Helper()
	return mustParse(tb, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*","Condition":`+condition+`}]}`)
}

// condCase is a row of a condition table: the context (alternating keys and
// values) and whether the condition holds.
type condCase struct {
	name string
	kv   []string
	want bool
}

func runCond(t *testing.T, condition string, cases []condCase) {
	t.Helper()
	p := condPolicy(t, condition)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := newRequest(t, anon, "s3:GetObject", objectARN, tc.kv...)
			if got := p.Evaluate(req).Allowed(); got != tc.want {
				_, tr := p.Explain(req)
				t.Errorf("condition %s with %q: got %v, want %v (%s)", condition, tc.kv, got, tc.want, tr[0].Reason)
			}
		})
	}
}

func kv(s ...string) []string { return s }

func TestStringOperators(t *testing.T) {
	t.Run("StringEquals", func(t *testing.T) {
		runCond(t, `{"StringEquals":{"aws:UserAgent":["curl/8.0","Wget"]}}`, []condCase{
			{"first value", kv("aws:UserAgent", "curl/8.0"), true},
			{"second value", kv("aws:UserAgent", "Wget"), true},
			{"case differs", kv("aws:UserAgent", "wget"), false},
			{"prefix only", kv("aws:UserAgent", "curl/8"), false},
			{"star is literal", kv("aws:UserAgent", "*"), false},
			{"missing", nil, false},
		})
	})
	t.Run("StringNotEquals", func(t *testing.T) {
		runCond(t, `{"StringNotEquals":{"aws:UserAgent":["curl/8.0","Wget"]}}`, []condCase{
			{"listed", kv("aws:UserAgent", "Wget"), false},
			{"not listed", kv("aws:UserAgent", "Mozilla"), true},
			// "If the policy condition requires that the key is not
			// matched ... and the right key is not present, the condition
			// is true."
			{"missing", nil, true},
		})
	})
	t.Run("StringEqualsIgnoreCase", func(t *testing.T) {
		runCond(t, `{"StringEqualsIgnoreCase":{"aws:UserAgent":"Wget"}}`, []condCase{
			{"same", kv("aws:UserAgent", "Wget"), true},
			{"other case", kv("aws:UserAgent", "WGET"), true},
			{"other", kv("aws:UserAgent", "curl"), false},
			{"missing", nil, false},
		})
	})
	t.Run("StringNotEqualsIgnoreCase", func(t *testing.T) {
		runCond(t, `{"StringNotEqualsIgnoreCase":{"aws:UserAgent":"Wget"}}`, []condCase{
			{"other case", kv("aws:UserAgent", "wget"), false},
			{"other", kv("aws:UserAgent", "curl"), true},
			{"missing", nil, true},
		})
	})
	t.Run("StringLike", func(t *testing.T) {
		runCond(t, `{"StringLike":{"aws:Referer":["https://*.example.com/*","https://example.org/?"]}}`, []condCase{
			{"subdomain", kv("aws:Referer", "https://www.example.com/a"), true},
			{"deep subdomain", kv("aws:Referer", "https://a.b.example.com/"), true},
			{"apex has no dot", kv("aws:Referer", "https://example.com/"), false},
			{"question mark one char", kv("aws:Referer", "https://example.org/x"), true},
			{"question mark two chars", kv("aws:Referer", "https://example.org/xy"), false},
			{"case-sensitive", kv("aws:Referer", "HTTPS://www.example.com/a"), false},
			{"missing", nil, false},
		})
	})
	t.Run("StringNotLike", func(t *testing.T) {
		runCond(t, `{"StringNotLike":{"aws:Referer":["https://*.example.com/*"]}}`, []condCase{
			{"matching", kv("aws:Referer", "https://www.example.com/a"), false},
			{"not matching", kv("aws:Referer", "https://evil.net/"), true},
			{"missing", nil, true},
		})
	})
}

func TestArnOperators(t *testing.T) {
	t.Run("ArnLike", func(t *testing.T) {
		runCond(t, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:distribution/*"}}`, []condCase{
			{"any distribution of the account", kv("aws:SourceArn", distARN), true},
			{"other account", kv("aws:SourceArn", "arn:aws:cloudfront::999999999999:distribution/E1"), false},
			{"not an ARN", kv("aws:SourceArn", "distribution/E1"), false},
			{"missing", nil, false},
		})
	})
	t.Run("ArnEquals takes wildcards too", func(t *testing.T) {
		runCond(t, `{"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::*:distribution/E?"}}`, []condCase{
			{"matching", kv("aws:SourceArn", "arn:aws:cloudfront::111122223333:distribution/E1"), true},
			{"two characters", kv("aws:SourceArn", "arn:aws:cloudfront::111122223333:distribution/E12"), false},
		})
	})
	t.Run("ArnLike is component-wise", func(t *testing.T) {
		// A * in the account component cannot reach into the resource
		// component, as it would in StringLike.
		runCond(t, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*:distribution/E1"}}`, []condCase{
			{"account wildcard", kv("aws:SourceArn", "arn:aws:cloudfront::111122223333:distribution/E1"), true},
			{"star does not span colons", kv("aws:SourceArn", "arn:aws:cloudfront::1:2:distribution/E1"), false},
			{"service differs", kv("aws:SourceArn", "arn:aws:s3::111122223333:distribution/E1"), false},
			{"case-sensitive", kv("aws:SourceArn", "arn:aws:CloudFront::111122223333:distribution/E1"), false},
		})
	})
	t.Run("variable in account component", func(t *testing.T) {
		runCond(t, `{"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::${aws:SourceAccount}:distribution/*"}}`, []condCase{
			{"same account", kv("aws:SourceArn", distARN, "aws:SourceAccount", "111122223333"), true},
			{"other account", kv("aws:SourceArn", distARN, "aws:SourceAccount", "999999999999"), false},
			{"no account", kv("aws:SourceArn", distARN), false},
		})
	})
	t.Run("ArnNotLike", func(t *testing.T) {
		runCond(t, `{"ArnNotLike":{"aws:SourceArn":"arn:aws:cloudfront::111122223333:*"}}`, []condCase{
			{"matching", kv("aws:SourceArn", distARN), false},
			{"other account", kv("aws:SourceArn", "arn:aws:cloudfront::999999999999:distribution/E1"), true},
			{"missing", nil, true},
		})
	})
	t.Run("ArnNotEquals", func(t *testing.T) {
		runCond(t, `{"ArnNotEquals":{"aws:SourceArn":"`+distARN+`"}}`, []condCase{
			{"equal", kv("aws:SourceArn", distARN), false},
			{"other", kv("aws:SourceArn", otherDist), true},
		})
	})
}

func TestNumericOperators(t *testing.T) {
	for _, tc := range []struct {
		op   string
		want [4]bool // request 50, 100, 150, "abc"
	}{
		{"NumericEquals", [4]bool{false, true, false, false}},
		{"NumericNotEquals", [4]bool{true, false, true, false}},
		{"NumericLessThan", [4]bool{true, false, false, false}},
		{"NumericLessThanEquals", [4]bool{true, true, false, false}},
		{"NumericGreaterThan", [4]bool{false, false, true, false}},
		{"NumericGreaterThanEquals", [4]bool{false, true, true, false}},
	} {
		t.Run(tc.op, func(t *testing.T) {
			runCond(t, `{"`+tc.op+`":{"s3:max-keys":"100"}}`, []condCase{
				{"50", kv("s3:max-keys", "50"), tc.want[0]},
				{"100", kv("s3:max-keys", "100"), tc.want[1]},
				{"150", kv("s3:max-keys", "150"), tc.want[2]},
				// A request value that is not a number satisfies no
				// operator, negated or not.
				{"not a number", kv("s3:max-keys", "abc"), tc.want[3]},
			})
		})
	}
	t.Run("decimal and JSON number", func(t *testing.T) {
		runCond(t, `{"NumericLessThan":{"s3:max-keys":10.5}}`, []condCase{
			{"10", kv("s3:max-keys", "10"), true},
			{"10.5", kv("s3:max-keys", "10.5"), false},
			{"exponent is not a number", kv("s3:max-keys", "1e1"), false},
		})
	})
}

func TestDateOperators(t *testing.T) {
	runCond(t, `{"DateLessThan":{"aws:CurrentTime":"2030-01-01T00:00:00Z"},"DateGreaterThanEquals":{"aws:EpochTime":"1704067200"}}`, []condCase{
		{"inside, ISO and epoch", kv("aws:CurrentTime", "2025-06-01T12:00:00Z", "aws:EpochTime", "1748779200"), true},
		{"at lower bound", kv("aws:CurrentTime", "2024-01-01T00:00:00Z", "aws:EpochTime", "1704067200"), true},
		{"before lower bound", kv("aws:CurrentTime", "2023-12-31T23:59:59Z", "aws:EpochTime", "1704067199"), false},
		{"at upper bound", kv("aws:CurrentTime", "2030-01-01T00:00:00Z", "aws:EpochTime", "1893456000"), false},
		{"offset", kv("aws:CurrentTime", "2030-01-01T00:30:00+01:00", "aws:EpochTime", "1893456000"), true},
		{"epoch in CurrentTime", kv("aws:CurrentTime", "1893455999", "aws:EpochTime", "1893455999"), true},
		{"ISO in EpochTime", kv("aws:CurrentTime", "2025-01-01", "aws:EpochTime", "2025-01-01T00:00:00Z"), true},
		{"not a date", kv("aws:CurrentTime", "yesterday", "aws:EpochTime", "1748779200"), false},
		{"missing time", kv("aws:EpochTime", "1748779200"), false},
	})
	t.Run("DateNotEquals", func(t *testing.T) {
		runCond(t, `{"DateNotEquals":{"aws:CurrentTime":"2025-01-01"}}`, []condCase{
			{"same instant", kv("aws:CurrentTime", "2025-01-01T00:00:00Z"), false},
			{"other", kv("aws:CurrentTime", "2025-01-02T00:00:00Z"), true},
			{"missing", nil, true},
		})
	})
	t.Run("DateEquals epoch policy value", func(t *testing.T) {
		runCond(t, `{"DateEquals":{"aws:CurrentTime":1735689600}}`, []condCase{
			{"same instant", kv("aws:CurrentTime", "2025-01-01T00:00:00Z"), true},
			{"other", kv("aws:CurrentTime", "2025-01-01T00:00:01Z"), false},
		})
	})
}

func TestIPOperators(t *testing.T) {
	t.Run("IpAddress", func(t *testing.T) {
		runCond(t, `{"IpAddress":{"aws:SourceIp":["192.0.2.0/24","203.0.113.7","2001:db8::/32"]}}`, []condCase{
			{"in v4 block", kv("aws:SourceIp", "192.0.2.200"), true},
			{"outside v4 block", kv("aws:SourceIp", "192.0.3.1"), false},
			{"single address", kv("aws:SourceIp", "203.0.113.7"), true},
			{"next to single address", kv("aws:SourceIp", "203.0.113.8"), false},
			{"in v6 block", kv("aws:SourceIp", "2001:db8:1::5"), true},
			{"v6 upper case", kv("aws:SourceIp", "2001:DB8::1"), true},
			{"outside v6 block", kv("aws:SourceIp", "2001:db9::1"), false},
			{"v4-mapped v6", kv("aws:SourceIp", "::ffff:192.0.2.1"), true},
			{"not an address", kv("aws:SourceIp", "localhost"), false},
			{"missing", nil, false},
		})
	})
	t.Run("NotIpAddress", func(t *testing.T) {
		runCond(t, `{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]}}`, []condCase{
			{"inside", kv("aws:SourceIp", "192.0.2.1"), false},
			{"inside v6", kv("aws:SourceIp", "2001:db8::1"), false},
			{"outside", kv("aws:SourceIp", "198.51.100.1"), true},
			{"outside v6", kv("aws:SourceIp", "2001:db9::1"), true},
			{"not an address", kv("aws:SourceIp", "bogus"), false},
			{"missing", nil, true},
		})
	})
}

func TestNullOperator(t *testing.T) {
	t.Run("true: key absent", func(t *testing.T) {
		runCond(t, `{"Null":{"aws:Referer":"true"}}`, []condCase{
			{"absent", nil, true},
			{"present", kv("aws:Referer", "https://x/"), false},
			{"present but empty", kv("aws:Referer", ""), false},
		})
	})
	t.Run("false: key present", func(t *testing.T) {
		runCond(t, `{"Null":{"aws:Referer":false}}`, []condCase{
			{"absent", nil, false},
			{"present", kv("aws:Referer", "https://x/"), true},
		})
	})
}

func TestBinaryEquals(t *testing.T) {
	runCond(t, `{"BinaryEquals":{"aws:UserAgent":"a2V5ZnJvbnQ="}}`, []condCase{
		{"same bytes", kv("aws:UserAgent", "keyfront"), true},
		{"other bytes", kv("aws:UserAgent", "keyfronT"), false},
		{"missing", nil, false},
	})
}

func TestIfExists(t *testing.T) {
	t.Run("StringLikeIfExists", func(t *testing.T) {
		runCond(t, `{"StringLikeIfExists":{"aws:Referer":"https://www.example.com/*"}}`, []condCase{
			{"matching", kv("aws:Referer", "https://www.example.com/a"), true},
			{"not matching", kv("aws:Referer", "https://evil.net/"), false},
			// "If the key is not present, evaluate the condition element as true."
			{"missing", nil, true},
		})
	})
	t.Run("NumericLessThanIfExists", func(t *testing.T) {
		runCond(t, `{"NumericLessThanIfExists":{"s3:max-keys":"10"}}`, []condCase{
			{"small", kv("s3:max-keys", "5"), true},
			{"large", kv("s3:max-keys", "50"), false},
			{"missing", nil, true},
		})
	})
	t.Run("NotIpAddressIfExists", func(t *testing.T) {
		runCond(t, `{"NotIpAddressIfExists":{"aws:SourceIp":"10.0.0.0/8"}}`, []condCase{
			{"inside", kv("aws:SourceIp", "10.1.2.3"), false},
			{"outside", kv("aws:SourceIp", "192.0.2.1"), true},
			{"missing", nil, true},
		})
	})
	t.Run("IfExists in a Deny", func(t *testing.T) {
		// A missing key satisfies an ...IfExists condition, so on a Deny
		// it denies key-less requests: IfExists is not "optional".
		p := mustParse(t, `{"Version":"2012-10-17","Statement":[
		 {"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"},
		 {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*",
		  "Condition":{"StringLikeIfExists":{"aws:UserAgent":"BadBot*"}}},
		 {"Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*",
		  "Condition":{"StringLike":{"aws:Referer":"https://evil.net/*"}}}]}`)
		runEval(t, p, []evalCase{
			{"good agent", newRequest(t, anon, "s3:GetObject", objectARN, "aws:UserAgent", "curl/8", "aws:Referer", "https://www.example.com/"), "Allow 0"},
			{"bad agent", newRequest(t, anon, "s3:GetObject", objectARN, "aws:UserAgent", "BadBot/1", "aws:Referer", "https://www.example.com/"), "ExplicitDeny 1"},
			{"no agent: IfExists holds", newRequest(t, anon, "s3:GetObject", objectARN, "aws:Referer", "https://www.example.com/"), "ExplicitDeny 1"},
			{"no referer: StringLike fails", newRequest(t, anon, "s3:GetObject", objectARN, "aws:UserAgent", "curl/8"), "Allow 0"},
			{"evil referer", newRequest(t, anon, "s3:GetObject", objectARN, "aws:UserAgent", "curl/8", "aws:Referer", "https://evil.net/x"), "ExplicitDeny 2"},
		})
	})
}

func TestSetOperators(t *testing.T) {
	// reference_policies_condition-single-vs-multi-valued-context-keys.html
	t.Run("ForAllValues:StringEquals", func(t *testing.T) {
		runCond(t, `{"ForAllValues:StringEquals":{"aws:TagKeys":["a","b"]}}`, []condCase{
			{"subset", kv("aws:TagKeys", "a"), true},
			{"equal set", kv("aws:TagKeys", "b", "aws:TagKeys", "a"), true},
			{"one outside", kv("aws:TagKeys", "a", "aws:TagKeys", "c"), false},
			// "It also returns true if there are no context keys in the request."
			{"missing", nil, true},
		})
	})
	t.Run("ForAnyValue:StringEquals", func(t *testing.T) {
		runCond(t, `{"ForAnyValue:StringEquals":{"aws:TagKeys":["a","b"]}}`, []condCase{
			{"one inside", kv("aws:TagKeys", "c", "aws:TagKeys", "b"), true},
			{"none inside", kv("aws:TagKeys", "c", "aws:TagKeys", "d"), false},
			{"missing", nil, false},
		})
	})
	t.Run("ForAnyValue:StringNotEquals", func(t *testing.T) {
		runCond(t, `{"ForAnyValue:StringNotEquals":{"aws:TagKeys":["a","b"]}}`, []condCase{
			{"one outside", kv("aws:TagKeys", "a", "aws:TagKeys", "c"), true},
			{"all inside", kv("aws:TagKeys", "a", "aws:TagKeys", "b"), false},
			{"missing", nil, false},
		})
	})
	t.Run("ForAllValues:StringNotLike", func(t *testing.T) {
		runCond(t, `{"ForAllValues:StringNotLike":{"aws:TagKeys":"secret*"}}`, []condCase{
			{"none secret", kv("aws:TagKeys", "a", "aws:TagKeys", "b"), true},
			{"one secret", kv("aws:TagKeys", "a", "aws:TagKeys", "secret-x"), false},
			{"missing", nil, true},
		})
	})
	t.Run("ForAnyValue:StringLikeIfExists", func(t *testing.T) {
		runCond(t, `{"ForAnyValue:StringLikeIfExists":{"aws:TagKeys":"team-*"}}`, []condCase{
			{"one matching", kv("aws:TagKeys", "x", "aws:TagKeys", "team-a"), true},
			{"none matching", kv("aws:TagKeys", "x"), false},
			{"missing", nil, true},
		})
	})
	t.Run("unqualified on a multivalued key", func(t *testing.T) {
		// Without a qualifier a positive operator needs one matching value
		// and a negated one needs all values to match none (NOR).
		runCond(t, `{"StringEquals":{"aws:TagKeys":"a"},"StringNotEquals":{"aws:TagKeys":"z"}}`, []condCase{
			{"a among others", kv("aws:TagKeys", "b", "aws:TagKeys", "a"), true},
			{"a and z", kv("aws:TagKeys", "a", "aws:TagKeys", "z"), false},
		})
	})
}

func TestConditionLogic(t *testing.T) {
	// reference_policies_condition-logic-multiple-context-keys-or-values.html
	t.Run("values ORed", func(t *testing.T) {
		runCond(t, `{"StringEquals":{"aws:SourceArn":["`+distARN+`","`+otherDist+`"]}}`, []condCase{
			{"first", kv("aws:SourceArn", distARN), true},
			{"second", kv("aws:SourceArn", otherDist), true},
			{"neither", kv("aws:SourceArn", "arn:aws:cloudfront::111122223333:distribution/E3"), false},
		})
	})
	t.Run("keys ANDed", func(t *testing.T) {
		runCond(t, `{"StringEquals":{"aws:SourceArn":"`+distARN+`","aws:SourceAccount":"111122223333"}}`, []condCase{
			{"both", kv("aws:SourceArn", distARN, "aws:SourceAccount", "111122223333"), true},
			{"arn only", kv("aws:SourceArn", distARN), false},
			{"wrong account", kv("aws:SourceArn", distARN, "aws:SourceAccount", "999999999999"), false},
		})
	})
	t.Run("operators ANDed", func(t *testing.T) {
		runCond(t, `{"StringEquals":{"aws:SourceAccount":"111122223333"},"IpAddress":{"aws:SourceIp":"10.0.0.0/8"},"Bool":{"aws:SecureTransport":true}}`, []condCase{
			{"all", kv("aws:SourceAccount", "111122223333", "aws:SourceIp", "10.0.0.1", "aws:SecureTransport", "true"), true},
			{"no TLS", kv("aws:SourceAccount", "111122223333", "aws:SourceIp", "10.0.0.1", "aws:SecureTransport", "false"), false},
			{"outside", kv("aws:SourceAccount", "111122223333", "aws:SourceIp", "11.0.0.1", "aws:SecureTransport", "true"), false},
		})
	})
	t.Run("negated values NORed", func(t *testing.T) {
		runCond(t, `{"StringNotEquals":{"aws:SourceAccount":["111122223333","444455556666"]}}`, []condCase{
			{"first", kv("aws:SourceAccount", "111122223333"), false},
			{"second", kv("aws:SourceAccount", "444455556666"), false},
			{"neither", kv("aws:SourceAccount", "999999999999"), true},
		})
	})
	t.Run("policy key case-insensitive", func(t *testing.T) {
		runCond(t, `{"StringEquals":{"AWS:SOURCEACCOUNT":"111122223333"}}`, []condCase{
			{"lower-case context key", kv("aws:sourceaccount", "111122223333"), true},
			{"documented spelling", kv(iampolicy.KeySourceAccount, "111122223333"), true},
		})
	})
}

func TestExplain(t *testing.T) {
	p := mustParse(t, seedOACReferer)
	for _, tc := range []struct {
		name string
		req  *iampolicy.Request
		want string
	}{
		{"anonymous", newRequest(t, anon, "s3:GetObject", objectARN), `Principal does not name Anonymous`},
		{"action", newRequest(t, cf, "s3:PutObject", objectARN), `Action does not name "s3:PutObject"`},
		{"resource", newRequest(t, cf, "s3:GetObject", "arn:aws:s3:::other/x"), `Resource does not name "arn:aws:s3:::other/x"`},
		{"other distribution", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", otherDist),
			`Condition StringEquals "AWS:SourceArn": request value "` + otherDist + `" does not satisfy ["` + distARN + `"]`},
		{"no referer", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN),
			`Condition StringLike "aws:Referer": key is not present`},
		{"allowed", newRequest(t, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com/"), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, traces := p.Explain(tc.req)
			if got, want := len(traces), 1; got != want {
				t.Fatalf("len(traces) = %d, want %d", got, want)
			}
			tr := traces[0]
			if got, want := tr.Applies, tc.want == ""; got != want {
				t.Errorf("Applies = %v, want %v", got, want)
			}
			if got := tr.Reason; !strings.HasPrefix(got, tc.want) {
				t.Errorf("Reason = %q, want %q", got, tc.want)
			}
			if got, want := d.Allowed(), tc.want == ""; got != want {
				t.Errorf("Allowed = %v, want %v", got, want)
			}
			if got, want := tr.Sid, "AllowCloudFrontServicePrincipalReadOnlyFromSite"; got != want {
				t.Errorf("Sid = %q, want %q", got, want)
			}
		})
	}
}

package signing_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"keyfront/signing"
)

// parsed is what a test compares of a parsed policy.
type parsed struct {
	Resource        string
	DateLessThan    int64
	DateGreaterThan int64
	HasDGT          bool
	SourceIP        string
}

func summarize(p *signing.Policy) parsed {
	return parsed{p.Resource, p.DateLessThan, p.DateGreaterThan, p.HasDateGreaterThan(), p.SourceIP}
}

// dlt is the DateLessThan of the policies below.
const dlt = 1767290400

// awsDocPolicy is a policy in the style of AWS's own example (DG-custom):
// spaces, CRLF line ends, IpAddress before DateLessThan (§4.3 rule 1).
const awsDocPolicy = "{ \r\n" +
	"   \"Statement\": [ \r\n" +
	"      { \r\n" +
	"         \"Resource\": \"https://d111111abcdef8.cloudfront.net/game_download.zip\", \r\n" +
	"         \"Condition\": { \r\n" +
	"            \"IpAddress\": {\"AWS:SourceIp\": \"192.0.2.0/24\"}, \r\n" +
	"            \"DateLessThan\": {\"AWS:EpochTime\": 1767290400} \r\n" +
	"         } \r\n" +
	"      } \r\n" +
	"   ] \r\n" +
	"}"

// stmt wraps statement members in the array form.
func stmt(members string) string { return `{"Statement":[{` + members + `}]}` }

// cond is a statement with a Resource and the given Condition members.
func cond(members string) string {
	return stmt(`"Resource":"https://h/a","Condition":{` + members + `}`)
}

// §4.3: what the edge accepts.
func TestParsePolicyAccepts(t *testing.T) {
	e := `{"AWS:EpochTime":1767290400}`
	tests := []struct {
		name string
		in   string
		want parsed
	}{
		{"P1", vecP1, parsed{Resource: vecH + "/video.mp4", DateLessThan: dlt, DateGreaterThan: 1767200000, HasDGT: true}},
		{"P2", vecP2, parsed{Resource: vecH + "/document.pdf", DateLessThan: dlt, SourceIP: "192.168.0.0/24"}},
		{"P3", vecP3, parsed{Resource: vecH + "/*", DateLessThan: dlt, SourceIP: "10.0.0.0/8"}},
		{"Statement as an object", `{"Statement":{"Resource":"https://h/a","Condition":{"DateLessThan":` + e + `}}}`, parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"AWS documentation style", awsDocPolicy, parsed{Resource: "https://d111111abcdef8.cloudfront.net/game_download.zip", DateLessThan: dlt, SourceIP: "192.0.2.0/24"}},
		{"trailing newline", vecP1 + "\n", parsed{Resource: vecH + "/video.mp4", DateLessThan: dlt, DateGreaterThan: 1767200000, HasDGT: true}},
		{"trailing CRLF and spaces", vecP1 + " \r\n\t ", parsed{Resource: vecH + "/video.mp4", DateLessThan: dlt, DateGreaterThan: 1767200000, HasDGT: true}},
		{"whitespace everywhere", "\r\n { \"Statement\" : [ { \"Condition\" :\t{ \"DateLessThan\" : { \"AWS:EpochTime\" : 1767290400 } } } ] } \r\n", parsed{DateLessThan: dlt}},
		{"no Resource", stmt(`"Condition":{"DateLessThan":` + e + `}`), parsed{DateLessThan: dlt}},
		{"Condition members in any order", cond(`"DateGreaterThan":{"AWS:EpochTime":5},"IpAddress":{"AWS:SourceIp":"10.0.0.1"},"DateLessThan":` + e), parsed{Resource: "https://h/a", DateLessThan: dlt, DateGreaterThan: 5, HasDGT: true, SourceIP: "10.0.0.1"}},
		{"unknown top-level members ignored", `{"Version":"2012-10-17","Id":{"a":[1,{"b":null}]},"Statement":[{"Condition":{"DateLessThan":` + e + `}}],"z":true}`, parsed{DateLessThan: dlt}},
		{"unknown statement members ignored", stmt(`"Sid":"1","Effect":"Allow","Principal":{"AWS":["x","y"]},"Condition":{"DateLessThan":` + e + `}`), parsed{DateLessThan: dlt}},
		{"Resource JSON-unescaped", stmt(`"Resource":"https:\/\/h\/a\u002a\\?x=1","Condition":{"DateLessThan":` + e + `}`), parsed{Resource: `https://h/a*\?x=1`, DateLessThan: dlt}},
		{"member names JSON-unescaped", stmt(`"Resourc\u0065":"https://h/a","Condition":{"DateLessThan":` + e + `}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch float with integral value", cond(`"DateLessThan":{"AWS:EpochTime":1767290400.0}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch float with trailing zeros", cond(`"DateLessThan":{"AWS:EpochTime":1767290400.000000000000000000000}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch exponent", cond(`"DateLessThan":{"AWS:EpochTime":1.7672904e9}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch exponent E+", cond(`"DateLessThan":{"AWS:EpochTime":17672904E+2}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch negative exponent", cond(`"DateLessThan":{"AWS:EpochTime":176729040000e-2}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch digit string", cond(`"DateLessThan":{"AWS:EpochTime":"1767290400"}`), parsed{Resource: "https://h/a", DateLessThan: dlt}},
		{"epoch int64 max", cond(`"DateLessThan":{"AWS:EpochTime":9223372036854775807}`), parsed{Resource: "https://h/a", DateLessThan: 9223372036854775807}},
		{"epoch int64 max as digit string", cond(`"DateLessThan":{"AWS:EpochTime":"9223372036854775807"}`), parsed{Resource: "https://h/a", DateLessThan: 9223372036854775807}},
		{"epoch int64 max as float text", cond(`"DateLessThan":{"AWS:EpochTime":9223372036854775807.0}`), parsed{Resource: "https://h/a", DateLessThan: 9223372036854775807}},
		{"epoch zero", cond(`"DateLessThan":{"AWS:EpochTime":0}`), parsed{Resource: "https://h/a"}},
		{"epoch zero with huge exponent", cond(`"DateLessThan":{"AWS:EpochTime":0e999999999999}`), parsed{Resource: "https://h/a"}},
		{"epoch negative is an integer within int64", cond(`"DateLessThan":{"AWS:EpochTime":-1}`), parsed{Resource: "https://h/a", DateLessThan: -1}},
		{"epoch int64 min", cond(`"DateLessThan":{"AWS:EpochTime":-9223372036854775808}`), parsed{Resource: "https://h/a", DateLessThan: -9223372036854775808}},
		{"DateGreaterThan zero is present", cond(`"DateLessThan":` + e + `,"DateGreaterThan":{"AWS:EpochTime":0}`), parsed{Resource: "https://h/a", DateLessThan: dlt, HasDGT: true}},
		{"DateGreaterThan after DateLessThan is valid", cond(`"DateLessThan":{"AWS:EpochTime":5},"DateGreaterThan":{"AWS:EpochTime":9}`), parsed{Resource: "https://h/a", DateLessThan: 5, DateGreaterThan: 9, HasDGT: true}},
		{"SourceIp bare address", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"192.0.2.7"}`), parsed{Resource: "https://h/a", DateLessThan: dlt, SourceIP: "192.0.2.7"}},
		{"SourceIp host bits set", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"192.0.2.77/24"}`), parsed{Resource: "https://h/a", DateLessThan: dlt, SourceIP: "192.0.2.77/24"}},
		{"SourceIp /0", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"0.0.0.0/0"}`), parsed{Resource: "https://h/a", DateLessThan: dlt, SourceIP: "0.0.0.0/0"}},
		{"SourceIp IPv6 range parses", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"2001:db8::/32"}`), parsed{Resource: "https://h/a", DateLessThan: dlt, SourceIP: "2001:db8::/32"}},
		{"SourceIp IPv6 address parses", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"2001:db8::1"}`), parsed{Resource: "https://h/a", DateLessThan: dlt, SourceIP: "2001:db8::1"}},
		{"P4 JSON injection: one Resource", vecP4, parsed{Resource: `https://example.com/file","Resource":"*","x":"`, DateLessThan: dlt}},
		{"Resource with non-ASCII", stmt(`"Resource":"https://h/é","Condition":{"DateLessThan":` + e + `}`), parsed{Resource: "https://h/é", DateLessThan: dlt}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := signing.ParsePolicy([]byte(tt.in))
			if err != nil {
				t.Fatalf("ParsePolicy(%s): %v", tt.in, err)
			}
			if got := summarize(p); got != tt.want {
				t.Errorf("ParsePolicy(%s) = %+v, want %+v", tt.in, got, tt.want)
			}
		})
	}
}

// §4.3 and §11 step 6: what the edge refuses, with the log reason.
func TestParsePolicyRejects(t *testing.T) {
	e := `{"AWS:EpochTime":1767290400}`
	ok := `"Resource":"https://h/a","Condition":{"DateLessThan":` + e + `}`
	ipCond := func(v string) string { return cond(`"DateLessThan":` + e + `,"IpAddress":` + v) }
	epochCond := func(v string) string { return cond(`"DateLessThan":{"AWS:EpochTime":` + v + `}`) }
	deep := strings.Repeat("[", 100) + strings.Repeat("]", 100)
	tests := []struct {
		name string
		in   string
		want signing.Reason
	}{
		{"empty", ``, signing.ReasonPolicyJSON},
		{"not JSON", `hello`, signing.ReasonPolicyJSON},
		{"not UTF-8", stmt(`"Resource":"https://h/` + "\xff" + `","Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"null", `null`, signing.ReasonPolicyJSON},
		{"array", `[` + stmt(ok) + `]`, signing.ReasonPolicyJSON},
		{"string", `"x"`, signing.ReasonPolicyJSON},
		{"truncated", stmt(ok)[:40], signing.ReasonPolicyJSON},
		{"trailing garbage", stmt(ok) + `x`, signing.ReasonPolicyJSON},
		{"two objects", stmt(ok) + stmt(ok), signing.ReasonPolicyJSON},
		{"trailing comma in statement", stmt(ok + `,`), signing.ReasonPolicyJSON},
		{"trailing comma in array", `{"Statement":[{` + ok + `},]}`, signing.ReasonPolicyJSON},
		{"missing comma", `{"Statement":[{"Resource":"x" "Condition":{}}]}`, signing.ReasonPolicyJSON},
		{"single quotes", `{'Statement':[]}`, signing.ReasonPolicyJSON},
		{"no Statement", `{}`, signing.ReasonPolicyStatementCount},
		{"only unknown members", `{"Version":"2012-10-17"}`, signing.ReasonPolicyStatementCount},
		{"zero statements", `{"Statement":[]}`, signing.ReasonPolicyStatementCount},
		{"two statements", `{"Statement":[{` + ok + `},{` + ok + `}]}`, signing.ReasonPolicyStatementCount},
		{"Statement null", `{"Statement":null}`, signing.ReasonPolicyJSON},
		{"Statement string", `{"Statement":"x"}`, signing.ReasonPolicyJSON},
		{"Statement array of strings", `{"Statement":["x"]}`, signing.ReasonPolicyJSON},
		{"duplicate Statement", `{"Statement":[{` + ok + `}],"Statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"duplicate Resource", stmt(`"Resource":"https://h/a",` + ok), signing.ReasonPolicyJSON},
		{"duplicate Resource (P4 unescaped)", stmt(`"Resource":"https://example.com/file","Resource":"*","Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"duplicate Condition", stmt(ok + `,"Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"duplicate DateLessThan", cond(`"DateLessThan":` + e + `,"DateLessThan":{"AWS:EpochTime":1}`), signing.ReasonPolicyJSON},
		{"duplicate AWS:EpochTime", cond(`"DateLessThan":{"AWS:EpochTime":1,"AWS:EpochTime":1767290400}`), signing.ReasonPolicyJSON},
		{"duplicate IpAddress", cond(`"DateLessThan":` + e + `,"IpAddress":{"AWS:SourceIp":"10.0.0.0/8"},"IpAddress":{"AWS:SourceIp":"0.0.0.0/0"}`), signing.ReasonPolicyJSON},
		{"duplicate AWS:SourceIp", ipCond(`{"AWS:SourceIp":"10.0.0.0/8","AWS:SourceIp":"0.0.0.0/0"}`), signing.ReasonPolicyJSON},
		{"duplicate unknown top-level member", `{"Version":"1","Version":"2","Statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"duplicate inside an unknown member", `{"Id":{"a":1,"a":2},"Statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"duplicate deep inside an unknown statement member", stmt(`"Sid":[{"x":[{"b":1,"b":1}]}],` + ok), signing.ReasonPolicyJSON},
		{"duplicate among many members", `{` + manyMembers(50) + `,"m7":0,"Statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"unknown member nested too deep", `{"x":` + deep + `,"Statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"statement spelled lower-case", `{"statement":[{` + ok + `}]}`, signing.ReasonPolicyJSON},
		{"resource spelled lower-case", stmt(`"resource":"*","Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"RESOURCE upper-case", stmt(`"RESOURCE":"*","Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"condition spelled lower-case", stmt(`"Resource":"https://h/a","condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyJSON},
		{"dateLessThan spelled lower-case", cond(`"dateLessThan":` + e), signing.ReasonPolicyJSON},
		{"aws:EpochTime spelled lower-case", cond(`"DateLessThan":{"aws:EpochTime":1767290400}`), signing.ReasonPolicyEpochInvalid},
		{"AWS:SourceIP spelled upper-case", ipCond(`{"AWS:SourceIP":"10.0.0.0/8"}`), signing.ReasonPolicyIPInvalid},
		{"unknown Condition member", cond(`"DateLessThan":` + e + `,"StringEquals":{"aws:Referer":"x"}`), signing.ReasonPolicyJSON},
		{"unknown Condition member DateLessThanEquals", cond(`"DateLessThanEquals":` + e), signing.ReasonPolicyJSON},
		{"no Condition", stmt(`"Resource":"https://h/a"`), signing.ReasonPolicyDLTMissing},
		{"empty Condition", cond(``), signing.ReasonPolicyDLTMissing},
		{"Condition without DateLessThan", cond(`"DateGreaterThan":` + e), signing.ReasonPolicyDLTMissing},
		{"Condition not an object", stmt(`"Resource":"https://h/a","Condition":[]`), signing.ReasonPolicyJSON},
		{"DateLessThan empty", cond(`"DateLessThan":{}`), signing.ReasonPolicyEpochInvalid},
		{"DateLessThan a bare number", cond(`"DateLessThan":1767290400`), signing.ReasonPolicyJSON},
		{"DateLessThan extra member", cond(`"DateLessThan":{"AWS:EpochTime":1767290400,"x":1}`), signing.ReasonPolicyEpochInvalid},
		{"DateGreaterThan empty", cond(`"DateLessThan":` + e + `,"DateGreaterThan":{}`), signing.ReasonPolicyEpochInvalid},
		{"epoch fractional", epochCond(`1767290400.5`), signing.ReasonPolicyEpochInvalid},
		{"epoch barely fractional", epochCond(`1767290400.0000000001`), signing.ReasonPolicyEpochInvalid},
		{"epoch fractional exponent", epochCond(`1.76729040055e9`), signing.ReasonPolicyEpochInvalid},
		{"epoch tiny", epochCond(`1e-7`), signing.ReasonPolicyEpochInvalid},
		{"epoch too big", epochCond(`9223372036854775808`), signing.ReasonPolicyEpochInvalid},
		{"epoch too small", epochCond(`-9223372036854775809`), signing.ReasonPolicyEpochInvalid},
		{"epoch too big as float", epochCond(`9.3e18`), signing.ReasonPolicyEpochInvalid},
		{"epoch huge exponent", epochCond(`1e400`), signing.ReasonPolicyEpochInvalid},
		{"epoch enormous exponent", epochCond(`1e99999999999999999999`), signing.ReasonPolicyEpochInvalid},
		{"epoch enormous negative exponent", epochCond(`1e-99999999999999999999`), signing.ReasonPolicyEpochInvalid},
		{"epoch string with a dot", epochCond(`"1767290400.0"`), signing.ReasonPolicyEpochInvalid},
		{"epoch string negative", epochCond(`"-1"`), signing.ReasonPolicyEpochInvalid},
		{"epoch string empty", epochCond(`""`), signing.ReasonPolicyEpochInvalid},
		{"epoch string 20 digits", epochCond(`"01767290400000000000"`), signing.ReasonPolicyEpochInvalid},
		{"epoch string beyond int64", epochCond(`"9223372036854775808"`), signing.ReasonPolicyEpochInvalid},
		{"epoch string with spaces", epochCond(`" 1767290400"`), signing.ReasonPolicyEpochInvalid},
		{"epoch true", epochCond(`true`), signing.ReasonPolicyEpochInvalid},
		{"epoch null", epochCond(`null`), signing.ReasonPolicyEpochInvalid},
		{"epoch array", epochCond(`[1767290400]`), signing.ReasonPolicyEpochInvalid},
		{"epoch object", epochCond(`{"n":1767290400}`), signing.ReasonPolicyEpochInvalid},
		{"SourceIp array", ipCond(`{"AWS:SourceIp":["10.0.0.0/8"]}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp number", ipCond(`{"AWS:SourceIp":167772160}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp null", ipCond(`{"AWS:SourceIp":null}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp empty", ipCond(`{"AWS:SourceIp":""}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp /33", ipCond(`{"AWS:SourceIp":"10.0.0.0/33"}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp three octets", ipCond(`{"AWS:SourceIp":"10.0.0/8"}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp with space", ipCond(`{"AWS:SourceIp":"10.0.0.0/8 "}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp hostname", ipCond(`{"AWS:SourceIp":"example.com"}`), signing.ReasonPolicyIPInvalid},
		{"SourceIp two ranges", ipCond(`{"AWS:SourceIp":"10.0.0.0/8,192.0.2.0/24"}`), signing.ReasonPolicyIPInvalid},
		{"IpAddress empty", ipCond(`{}`), signing.ReasonPolicyIPInvalid},
		{"IpAddress unknown member", ipCond(`{"AWS:SourceIp":"10.0.0.0/8","x":1}`), signing.ReasonPolicyIPInvalid},
		{"IpAddress a string", ipCond(`"10.0.0.0/8"`), signing.ReasonPolicyJSON},
		{"Resource number", stmt(`"Resource":1,"Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyResourceInvalid},
		{"Resource null", stmt(`"Resource":null,"Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyResourceInvalid},
		{"Resource array", stmt(`"Resource":["https://h/a"],"Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyResourceInvalid},
		{"Resource object", stmt(`"Resource":{},"Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyResourceInvalid},
		{"Resource empty string", stmt(`"Resource":"","Condition":{"DateLessThan":` + e + `}`), signing.ReasonPolicyResourceInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := signing.ParsePolicy([]byte(tt.in))
			if err == nil {
				t.Fatalf("ParsePolicy(%s) = %+v, want error %s", tt.in, summarize(p), tt.want)
			}
			var pe *signing.PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("ParsePolicy(%s) error %T %v is not a *PolicyError", tt.in, err, err)
			}
			if pe.Reason != tt.want {
				t.Errorf("ParsePolicy(%s) reason = %s (%v), want %s", tt.in, pe.Reason, err, tt.want)
			}
			if pe.Reason.Code() != signing.MalformedPolicy {
				t.Errorf("reason %s maps to %v, want MalformedPolicy", pe.Reason, pe.Reason.Code())
			}
		})
	}
}

// manyMembers returns n unknown members "m0":0,"m1":0,…
func manyMembers(n int) string {
	var b strings.Builder
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"m` + itoa(i) + `":0`)
	}
	return b.String()
}

func itoa(i int) string {
	if i < 10 {
		return string(rune('0' + i))
	}
	return itoa(i/10) + string(rune('0'+i%10))
}

// A policy with many members parses (the duplicate check stays cheap).
func TestParsePolicyManyMembers(t *testing.T) {
	in := `{` + manyMembers(20000) + `,"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":1}}}]}`
	if _, err := signing.ParsePolicy([]byte(in)); err != nil {
		t.Errorf("ParsePolicy(20000 members): %v", err)
	}
}

// §8: AllowsIP on parsed and on hand-made policies.
func TestPolicyAllowsIP(t *testing.T) {
	tests := []struct {
		sourceIP string
		viewer   string
		want     bool
	}{
		{"", "192.0.2.1", true},
		{"", "2001:db8::1", true},
		{"192.0.2.0/24", "192.0.2.1", true},
		{"192.0.2.0/24", "192.0.3.1", false},
		{"192.0.2.0/24", "::ffff:192.0.2.1", true},
		{"192.0.2.0/24", "2001:db8::1", false},
		{"192.0.2.0/24", "", false},
		{"192.0.2.1", "192.0.2.1", true},
		{"192.0.2.1", "192.0.2.2", false},
		{"192.0.2.77/24", "192.0.2.1", true},
		{"0.0.0.0/0", "198.51.100.1", true},
		{"2001:db8::/32", "2001:db8::1", false},
		{"::ffff:192.0.2.1", "192.0.2.1", false},
		{"not an address", "192.0.2.1", false},
	}
	for _, tt := range tests {
		var viewer netip.Addr
		if tt.viewer != "" {
			viewer = netip.MustParseAddr(tt.viewer)
		}
		hand := &signing.Policy{DateLessThan: dlt, SourceIP: tt.sourceIP}
		if got := hand.AllowsIP(viewer); got != tt.want {
			t.Errorf("Policy{SourceIP: %q}.AllowsIP(%s) = %v, want %v", tt.sourceIP, tt.viewer, got, tt.want)
		}
		if tt.sourceIP == "" || tt.sourceIP == "not an address" {
			continue
		}
		p, err := signing.ParsePolicy([]byte(cond(`"DateLessThan":{"AWS:EpochTime":1},"IpAddress":{"AWS:SourceIp":"` + tt.sourceIP + `"}`)))
		if err != nil {
			t.Fatalf("ParsePolicy: %v", err)
		}
		if got := p.AllowsIP(viewer); got != tt.want {
			t.Errorf("parsed SourceIp %q AllowsIP(%s) = %v, want %v", tt.sourceIP, tt.viewer, got, tt.want)
		}
	}
}

// §4.1: canned bytes, exact, resource raw.
func TestCannedPolicy(t *testing.T) {
	tests := []struct {
		resource string
		expires  int64
		want     string
	}{
		{vecH + "/image.jpg", dlt, `{"Statement":[{"Resource":"https://d111111abcdef8.cloudfront.net/image.jpg","Condition":{"DateLessThan":{"AWS:EpochTime":1767290400}}}]}`},
		{"https://h/a?x=1&y=<2>", 5, `{"Statement":[{"Resource":"https://h/a?x=1&y=<2>","Condition":{"DateLessThan":{"AWS:EpochTime":5}}}]}`},
		{`https://h/"\`, 9223372036854775807, `{"Statement":[{"Resource":"https://h/"\","Condition":{"DateLessThan":{"AWS:EpochTime":9223372036854775807}}}]}`},
	}
	for _, tt := range tests {
		if got := string(signing.CannedPolicy(tt.resource, tt.expires)); got != tt.want {
			t.Errorf("CannedPolicy(%q, %d) = %s, want %s", tt.resource, tt.expires, got, tt.want)
		}
	}
}

// §14.1: Marshal emits the botocore/AWS CLI form byte for byte.
func TestPolicyMarshal(t *testing.T) {
	tests := []struct {
		name string
		p    signing.Policy
		want string
	}{
		{"P1", signing.Policy{Resource: vecH + "/video.mp4", DateLessThan: dlt, DateGreaterThan: 1767200000}, vecP1},
		{"P2", signing.Policy{Resource: vecH + "/document.pdf", DateLessThan: dlt, SourceIP: "192.168.0.0/24"}, vecP2},
		{"P3", signing.Policy{Resource: vecH + "/*", DateLessThan: dlt, SourceIP: "10.0.0.0/8"}, vecP3},
		{"canned shape", signing.Policy{Resource: vecH + "/images/*", DateLessThan: dlt}, string(signing.CannedPolicy(vecH+"/images/*", dlt))},
		// botocore build_policy: DateLessThan, IpAddress, DateGreaterThan.
		{"all conditions", signing.Policy{Resource: "https://h/*", DateLessThan: 200, DateGreaterThan: 100, SourceIP: "192.0.2.0/24"},
			`{"Statement":[{"Resource":"https://h/*","Condition":{"DateLessThan":{"AWS:EpochTime":200},"IpAddress":{"AWS:SourceIp":"192.0.2.0/24"},"DateGreaterThan":{"AWS:EpochTime":100}}}]}`},
		{"bare IP gets /32", signing.Policy{Resource: "https://h/a", DateLessThan: 200, SourceIP: "192.0.2.7"},
			`{"Statement":[{"Resource":"https://h/a","Condition":{"DateLessThan":{"AWS:EpochTime":200},"IpAddress":{"AWS:SourceIp":"192.0.2.7/32"}}}]}`},
		{"CIDR kept as written", signing.Policy{Resource: "https://h/a", DateLessThan: 200, SourceIP: "192.0.2.7/24"},
			`{"Statement":[{"Resource":"https://h/a","Condition":{"DateLessThan":{"AWS:EpochTime":200},"IpAddress":{"AWS:SourceIp":"192.0.2.7/24"}}}]}`},
		{"no Resource", signing.Policy{DateLessThan: 200},
			`{"Statement":[{"Condition":{"DateLessThan":{"AWS:EpochTime":200}}}]}`},
		{"resource with query and wildcards", signing.Policy{Resource: "http*://*.example.com/a?b=1&c=*", DateLessThan: 200},
			`{"Statement":[{"Resource":"http*://*.example.com/a?b=1&c=*","Condition":{"DateLessThan":{"AWS:EpochTime":200}}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Marshal()
			if err != nil {
				t.Fatalf("Marshal: %v", err)
			}
			if string(got) != tt.want {
				t.Errorf("Marshal =\n%s\nwant\n%s", got, tt.want)
			}
			// What the signer emits, the edge parses to the same terms.
			back, err := signing.ParsePolicy(got)
			if err != nil {
				t.Fatalf("ParsePolicy(Marshal): %v", err)
			}
			want := summarize(&tt.p)
			if tt.p.SourceIP != "" && !strings.Contains(tt.p.SourceIP, "/") {
				want.SourceIP += "/32"
			}
			if got := summarize(back); got != want {
				t.Errorf("ParsePolicy(Marshal) = %+v, want %+v", got, want)
			}
		})
	}
}

// §14.1: reject, never escape.
func TestPolicyMarshalRejects(t *testing.T) {
	tests := []struct {
		name string
		p    signing.Policy
		want string // in the error
	}{
		{"double quote", signing.Policy{Resource: `https://h/a"b`, DateLessThan: 2}, `'"'`},
		{"JSON injection", signing.Policy{Resource: `https://example.com/file","Resource":"*","x":"`, DateLessThan: 2}, `'"'`},
		{"backslash", signing.Policy{Resource: `https://h/a\?b`, DateLessThan: 2}, `'\\'`},
		{"space", signing.Policy{Resource: "https://h/a b", DateLessThan: 2}, "space"},
		{"fragment", signing.Policy{Resource: "https://h/a#b", DateLessThan: 2}, "fragment"},
		{"NUL", signing.Policy{Resource: "https://h/a\x00", DateLessThan: 2}, "control"},
		{"tab", signing.Policy{Resource: "https://h/a\tb", DateLessThan: 2}, "control"},
		{"newline", signing.Policy{Resource: "https://h/a\n", DateLessThan: 2}, "control"},
		{"DEL", signing.Policy{Resource: "https://h/a\x7f", DateLessThan: 2}, "control"},
		{"non-ASCII", signing.Policy{Resource: "https://h/é", DateLessThan: 2}, "non-ASCII"},
		{"no DateLessThan", signing.Policy{Resource: "https://h/a"}, "DateLessThan"},
		{"negative DateLessThan", signing.Policy{Resource: "https://h/a", DateLessThan: -5}, "DateLessThan"},
		{"DateGreaterThan equal", signing.Policy{Resource: "https://h/a", DateLessThan: 10, DateGreaterThan: 10}, "before"},
		{"DateGreaterThan after", signing.Policy{Resource: "https://h/a", DateLessThan: 10, DateGreaterThan: 11}, "before"},
		{"IPv6", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "2001:db8::/32"}, "IPv6"},
		{"IPv6 bare", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "::1"}, "IPv6"},
		{"IPv4-mapped", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "::ffff:192.0.2.1"}, "IPv6"},
		{"CIDR /33", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2.0/33"}, "not valid"},
		{"CIDR empty bits", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2.0/"}, "not valid"},
		{"CIDR negative bits", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2.0/-1"}, "not valid"},
		{"three octets", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2"}, "not IPv4"},
		{"leading zero", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2.07"}, "not IPv4"},
		{"trailing space", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "192.0.2.1 "}, "not IPv4"},
		{"IP injection", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: `192.168.0.0/24","IpAddress":{"AWS:SourceIp":"0.0.0.0/0`}, "IP"},
		{"hostname", signing.Policy{Resource: "https://h/a", DateLessThan: 10, SourceIP: "example.com"}, "not IPv4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.Marshal()
			if err == nil {
				t.Fatalf("Marshal = %s, want an error", got)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Marshal error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestValidateResource(t *testing.T) {
	for _, r := range []string{"https://h/a", "http*://*/*", "*", "https://h/a?b=1&c=%20", "https://h/~!$&'()*+,;=:@[]{}|^`<>"} {
		if err := signing.ValidateResource(r); err != nil {
			t.Errorf("ValidateResource(%q) = %v, want nil", r, err)
		}
	}
	for _, r := range []string{"", "https://h/a b", `https://h/"`, `https://h/\`, "https://h/#", "https://h/\r", "https://h/\u00e9", "https://h/\x80"} {
		if err := signing.ValidateResource(r); err == nil {
			t.Errorf("ValidateResource(%q) = nil, want an error", r)
		}
	}
}

func TestNormalizeSourceIP(t *testing.T) {
	tests := []struct{ in, want string }{
		{"192.0.2.1", "192.0.2.1/32"},
		{"192.0.2.0/24", "192.0.2.0/24"},
		{"192.0.2.1/24", "192.0.2.1/24"},
		{"0.0.0.0/0", "0.0.0.0/0"},
		{"10.0.0.0/8", "10.0.0.0/8"},
	}
	for _, tt := range tests {
		got, err := signing.NormalizeSourceIP(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("NormalizeSourceIP(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, in := range []string{"", "2001:db8::1", "2001:db8::/32", "::ffff:1.2.3.4", "1.2.3.4/33", "1.2.3.4/", "1.2.3", "a.b.c.d", "1.2.3.4/8/8", " 1.2.3.4", "1.2.3.4%eth0"} {
		if got, err := signing.NormalizeSourceIP(in); err == nil {
			t.Errorf("NormalizeSourceIP(%q) = %q, want an error", in, got)
		}
	}
}

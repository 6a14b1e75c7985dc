package iampolicy_test

import (
	"errors"
	"strings"
	"testing"

	"keyfront/iampolicy"
)

// stmt builds a one-statement policy for example-bucket from statement
// fields (a JSON object body without braces).
func stmt(fields string) string {
	return `{"Version":"2012-10-17","Statement":[{` + fields + `}]}`
}

// base is a valid statement body; tests vary one element at a time.
const base = `"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`

func withCond(cond string) string {
	return stmt(base + `,"Condition":` + cond)
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		doc     string
		message string // Error.Message, exactly
		path    string // Error.Path, exactly
	}{
		// Document.
		{"empty", ``, iampolicy.MsgFirstByte, ""},
		{"leading space", ` {}`, iampolicy.MsgFirstByte, ""},
		{"array", `[]`, iampolicy.MsgFirstByte, ""},
		{"bare word", `bucketPolicy`, iampolicy.MsgFirstByte, ""},
		{"unterminated", `{"Version":"2012-10-17"`, iampolicy.MsgInvalidJSON, "offset 23 (line 1, column 24)"},
		{"bad token", "{\n  true}", iampolicy.MsgInvalidJSON, "offset 4 (line 2, column 3)"},
		{"trailing data", `{"Statement":[]} x`, iampolicy.MsgInvalidJSON, "offset 17 (line 1, column 18)"},
		{"duplicate key", `{"Statement":[],"Statement":[]}`, iampolicy.MsgInvalidJSON, "Statement"},
		{"duplicate statement key", stmt(base + `,"Effect":"Deny"`), iampolicy.MsgInvalidJSON, "Statement[0].Effect"},
		{"too large", `{"Id":"` + strings.Repeat("x", iampolicy.MaxSize) + `"}`, iampolicy.MsgTooLarge, ""},
		{"missing Statement", `{}`, iampolicy.MsgMissingStatement, ""},
		{"missing Statement with Version", `{"Version":"2012-10-17"}`, iampolicy.MsgMissingStatement, ""},
		{"empty Statement", `{"Statement": []}`, iampolicy.MsgEmptyStatement, "Statement"},
		{"Statement not an object", `{"Statement": ["x"]}`, iampolicy.MsgInvalidJSON, "Statement[0]"},
		{"unknown top-level field", `{"Version":"2012-10-17","statement":[]}`, "Unknown field statement", "statement"},
		{"bad Version", `{"Version":"2012-10-18","Statement":[{` + base + `}]}`, iampolicy.MsgInvalidVersion, "Version"},
		{"Version not a string", `{"Version":2012,"Statement":[{` + base + `}]}`, iampolicy.MsgInvalidVersion, "Version"},
		{"Id not a string", `{"Id":1,"Statement":[{` + base + `}]}`, iampolicy.MsgInvalidJSON, "Id"},

		// Statement elements.
		{"unknown statement field", stmt(base + `,"condition":{}`), "Unknown field condition", "Statement[0].condition"},
		{"missing Effect", stmt(`"Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgMissingEffect, "Statement[0]"},
		{"bad Effect", stmt(`"Effect":"hello","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), "Invalid effect: hello", "Statement[0].Effect"},
		{"Effect case", stmt(`"Effect":"allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), "Invalid effect: allow", "Statement[0].Effect"},
		{"Sid not a string", stmt(`"Sid":1,` + base), iampolicy.MsgInvalidJSON, "Statement[0].Sid"},

		// Principal.
		{"missing Principal", stmt(`"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgMissingPrincipal, "Statement[0]"},
		{"empty Principal object", stmt(`"Effect":"Allow","Principal":{},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgEmptyPrincipal, "Statement[0].Principal"},
		{"empty Principal string", stmt(`"Effect":"Allow","Principal":"","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal"},
		{"Principal list", stmt(`"Effect":"Allow","Principal":["*"],"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal"},
		{"AWS empty string", stmt(`"Effect":"Allow","Principal":{"AWS":""},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS"},
		{"AWS empty list", stmt(`"Effect":"Allow","Principal":{"AWS":[]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS"},
		{"AWS user name", stmt(`"Effect":"Allow","Principal":{"AWS":"user"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS"},
		{"AWS ARN wildcard", stmt(`"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/*"]},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS[1]"},
		{"AWS group ARN", stmt(`"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:group/admins"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS"},
		{"short account id", stmt(`"Effect":"Allow","Principal":{"AWS":"11112222333"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.AWS"},
		{"Service wildcard", stmt(`"Effect":"Allow","Principal":{"Service":"*"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.Service"},
		{"Service ARN", stmt(`"Effect":"Allow","Principal":{"Service":"arn:aws:cloudfront::111122223333:distribution/E1"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.Service"},
		{"CanonicalUser not hex", stmt(`"Effect":"Allow","Principal":{"CanonicalUser":"abc"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.CanonicalUser"},
		{"unknown principal type", stmt(`"Effect":"Allow","Principal":{"Group":"x"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidPrincipal, "Statement[0].Principal.Group"},
		{"Principal and NotPrincipal", stmt(base + `,"NotPrincipal":{"AWS":"111122223333"}`), iampolicy.MsgPrincipalConflict, "Statement[0].NotPrincipal"},

		// Action.
		{"missing Action", stmt(`"Effect":"Allow","Principal":"*","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgMissingAction, "Statement[0]"},
		{"empty action", stmt(`"Effect":"Allow","Principal":"*","Action":"","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"empty action list", stmt(`"Effect":"Allow","Principal":"*","Action":[],"Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"no service", stmt(`"Effect":"Allow","Principal":"*","Action":"invalid_action","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"prefix only", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"other service", stmt(`"Effect":"Allow","Principal":"*","Action":"s4:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"IAM action", stmt(`"Effect":"Allow","Principal":"*","Action":"iam:PassRole","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"double colon", stmt(`"Effect":"Allow","Principal":"*","Action":"s3::GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"typo", stmt(`"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:Put-Object"],"Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action[1]"},
		{"wildcard naming nothing", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:????","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"leading wildcard without service", stmt(`"Effect":"Allow","Principal":"*","Action":"*GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action"},
		{"action not a string", stmt(`"Effect":"Allow","Principal":"*","Action":[1],"Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgInvalidAction, "Statement[0].Action[0]"},
		{"Action and NotAction", stmt(base + `,"NotAction":"s3:PutObject"`), iampolicy.MsgActionConflict, "Statement[0].NotAction"},

		// Resource.
		{"missing Resource", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject"`), iampolicy.MsgMissingResource, "Statement[0]"},
		{"empty resource", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":""`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"empty resource list", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":[]`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"star resource", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"other service resource", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:iam:::example-bucket/*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"leading slash", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::/example-bucket/*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"access point ARN", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:us-east-1:111122223333:accesspoint/ap/object/*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"other bucket", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":["arn:aws:s3:::example-bucket/*","arn:aws:s3:::prefix-example-bucket/*"]`), iampolicy.MsgInvalidResource, "Statement[0].Resource[1]"},
		{"bucket name prefix", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket-2/*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"wildcard bucket", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::*/*"`), iampolicy.MsgInvalidResource, "Statement[0].Resource"},
		{"other bucket in NotResource", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:GetObject","NotResource":"arn:aws:s3:::other/*"`), iampolicy.MsgInvalidResource, "Statement[0].NotResource"},
		{"Resource and NotResource", stmt(base + `,"NotResource":"arn:aws:s3:::example-bucket/x"`), iampolicy.MsgResourceConflict, "Statement[0].NotResource"},

		// Action and resource types.
		{"object action on bucket", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket"`), iampolicy.MsgActionResourceMismatch, "Statement[0].Action"},
		{"object wildcard on bucket", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:???Object","Resource":"arn:aws:s3:::example-bucket"`), iampolicy.MsgActionResourceMismatch, "Statement[0].Action"},
		{"bucket action on objects", stmt(`"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgActionResourceMismatch, "Statement[0].Action[1]"},
		{"bucket wildcard on objects", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:GetBucket*","Resource":"arn:aws:s3:::example-bucket/*"`), iampolicy.MsgActionResourceMismatch, "Statement[0].Action"},
		{"account action", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:ListAllMyBuckets","Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"]`), iampolicy.MsgActionResourceMismatch, "Statement[0].Action"},

		// Condition.
		{"Condition not an object", withCond(`[]`), iampolicy.MsgInvalidJSON, "Statement[0].Condition"},
		{"unknown operator", withCond(`{"StringEqual":{"aws:Referer":"x"}}`), "Invalid Condition type : StringEqual", "Statement[0].Condition.StringEqual"},
		{"operator case", withCond(`{"stringEquals":{"aws:Referer":"x"}}`), "Invalid Condition type : stringEquals", "Statement[0].Condition.stringEquals"},
		{"NullIfExists", withCond(`{"NullIfExists":{"aws:Referer":"true"}}`), "Invalid Condition type : NullIfExists", "Statement[0].Condition.NullIfExists"},
		{"ForAnyValue:Null", withCond(`{"ForAnyValue:Null":{"aws:Referer":"true"}}`), "Invalid Condition type : ForAnyValue:Null", `Statement[0].Condition["ForAnyValue:Null"]`},
		{"bad qualifier", withCond(`{"ForSomeValues:StringEquals":{"aws:Referer":"x"}}`), "Invalid Condition type : ForSomeValues:StringEquals", `Statement[0].Condition["ForSomeValues:StringEquals"]`},
		{"operator body not an object", withCond(`{"StringEquals":"x"}`), iampolicy.MsgInvalidJSON, "Statement[0].Condition.StringEquals"},
		{"unknown service key", withCond(`{"StringEquals":{"kms:ViaService":"x"}}`), iampolicy.MsgInvalidConditionKey, `Statement[0].Condition.StringEquals["kms:ViaService"]`},
		{"unknown s3 key", withCond(`{"StringEquals":{"s3:Referer":"x"}}`), iampolicy.MsgInvalidConditionKey, `Statement[0].Condition.StringEquals["s3:Referer"]`},
		{"key without prefix", withCond(`{"StringEquals":{"Referer":"x"}}`), iampolicy.MsgInvalidConditionKey, "Statement[0].Condition.StringEquals.Referer"},
		{"bare aws prefix", withCond(`{"StringEquals":{"aws:":"x"}}`), iampolicy.MsgInvalidConditionKey, `Statement[0].Condition.StringEquals["aws:"]`},
		{"empty value list", withCond(`{"StringEquals":{"aws:Referer":[]}}`), iampolicy.MsgInvalidConditionValue, `Statement[0].Condition.StringEquals["aws:Referer"]`},
		{"null value", withCond(`{"StringEquals":{"aws:Referer":null}}`), iampolicy.MsgInvalidConditionValue, `Statement[0].Condition.StringEquals["aws:Referer"]`},
		{"object value", withCond(`{"StringEquals":{"aws:Referer":["a",{}]}}`), iampolicy.MsgInvalidConditionValue, `Statement[0].Condition.StringEquals["aws:Referer"][1]`},
		{"bad CIDR", withCond(`{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","10.0.0.0/33"]}}`), iampolicy.MsgInvalidIP, `Statement[0].Condition.IpAddress["aws:SourceIp"][1]`},
		{"bad IP", withCond(`{"NotIpAddress":{"aws:SourceIp":"localhost"}}`), iampolicy.MsgInvalidIP, `Statement[0].Condition.NotIpAddress["aws:SourceIp"]`},
		{"bad number", withCond(`{"NumericLessThan":{"s3:max-keys":"ten"}}`), iampolicy.MsgInvalidNumber, `Statement[0].Condition.NumericLessThan["s3:max-keys"]`},
		{"hex number", withCond(`{"NumericLessThan":{"s3:max-keys":"0x10"}}`), iampolicy.MsgInvalidNumber, `Statement[0].Condition.NumericLessThan["s3:max-keys"]`},
		{"bad date", withCond(`{"DateLessThan":{"aws:CurrentTime":"next week"}}`), iampolicy.MsgInvalidDate, `Statement[0].Condition.DateLessThan["aws:CurrentTime"]`},
		{"bad bool", withCond(`{"Bool":{"aws:SecureTransport":"yes"}}`), iampolicy.MsgInvalidBool, `Statement[0].Condition.Bool["aws:SecureTransport"]`},
		{"bad Null", withCond(`{"Null":{"aws:Referer":"maybe"}}`), iampolicy.MsgInvalidBool, `Statement[0].Condition.Null["aws:Referer"]`},
		{"bad base64", withCond(`{"BinaryEquals":{"aws:UserAgent":"!!"}}`), iampolicy.MsgInvalidBinary, `Statement[0].Condition.BinaryEquals["aws:UserAgent"]`},

		// Errors name the first faulty statement.
		{"second statement", `{"Version":"2012-10-17","Statement":[{` + base + `},{"Sid":"Second","Effect":"Deny","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket"}]}`, iampolicy.MsgActionResourceMismatch, "Statement[1].Action"},
		{"statement as object", `{"Statement":{"Effect":"Allow","Principal":"*","Action":"s3:GetObject"}}`, iampolicy.MsgMissingResource, "Statement"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := iampolicy.ParseForBucket([]byte(tc.doc), bucket)
			if err == nil {
				t.Fatalf("ParseForBucket succeeded, want %q", tc.message)
			}
			if p != nil {
				t.Errorf("ParseForBucket returned a policy with an error")
			}
			var e *iampolicy.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *iampolicy.Error", err, err)
			}
			if got, want := e.Message, tc.message; got != want {
				t.Errorf("Message = %q, want %q (%v)", got, want, err)
			}
			if got, want := e.Path, tc.path; got != want {
				t.Errorf("Path = %q, want %q (%v)", got, want, err)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	doc := `{"Version":"2012-10-17","Statement":[{"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::other-bucket/*"}]}`
	_, err := iampolicy.ParseForBucket([]byte(doc), bucket)
	if err == nil {
		t.Fatal("ParseForBucket succeeded")
	}
	if got, want := err.Error(), `Policy has invalid resource: Statement[0].Resource (Sid "Read") = "arn:aws:s3:::other-bucket/*"`; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// Parse alone does not know the bucket.
	if _, err := iampolicy.Parse([]byte(doc)); err != nil {
		t.Errorf("Parse: %v", err)
	}
}

func TestParseAccepts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		doc     string
		version string
		n       int // statements
	}{
		{"seed OAC", seedOAC, "2012-10-17", 1},
		{"seed OAC with Referer", seedOACReferer, "2012-10-17", 1},
		{"seed TLS only", seedTLSOnly, "2012-10-17", 2},
		{"no Version defaults to 2008", `{"Statement":{` + base + `}}`, "2008-10-17", 1},
		{"2008 version", `{"Version":"2008-10-17","Id":"P1","Statement":[{` + base + `}]}`, "2008-10-17", 1},
		{"statement as object", `{"Version":"2012-10-17","Statement":{` + base + `}}`, "2012-10-17", 1},
		{"duplicate Sids", `{"Version":"2012-10-17","Statement":[{"Sid":"S",` + base + `},{"Sid":"S",` + base + `}]}`, "2012-10-17", 2},
		{"Sid with spaces", stmt(`"Sid":"Allow CloudFront (OAC)",` + base), "2012-10-17", 1},
		{"bucket and objects", stmt(`"Effect":"Allow","Principal":"*","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::example-bucket","arn:aws:s3:::example-bucket/*"]`), "2012-10-17", 1},
		{"s3:* on bucket", stmt(`"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::example-bucket"`), "2012-10-17", 1},
		{"* action", stmt(`"Effect":"Deny","Principal":"*","Action":"*","Resource":"arn:aws:s3:::example-bucket/*"`), "2012-10-17", 1},
		{"action case-insensitive", stmt(`"Effect":"Allow","Principal":"*","Action":"S3:getobject","Resource":"arn:aws:s3:::example-bucket/*"`), "2012-10-17", 1},
		{"Get* on bucket", stmt(`"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::example-bucket"`), "2012-10-17", 1},
		{"NotAction skips type check", stmt(`"Effect":"Deny","Principal":"*","NotAction":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket"`), "2012-10-17", 1},
		{"principals of every kind", stmt(`"Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::111122223333:root","arn:aws:iam::111122223333:user/path/u","arn:aws:iam::111122223333:role/r","arn:aws:sts::111122223333:assumed-role/r/s"],"Service":["cloudfront.amazonaws.com"],"CanonicalUser":"79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be","Federated":"cognito-identity.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*"`), "2012-10-17", 1},
		{"NotPrincipal", stmt(`"Effect":"Deny","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*"`), "2012-10-17", 1},
		{"every operator", withCond(`{
			"StringEquals":{"aws:SourceArn":"x"},"StringNotEquals":{"aws:SourceArn":"x"},
			"StringEqualsIgnoreCase":{"aws:UserAgent":"x"},"StringNotEqualsIgnoreCase":{"aws:UserAgent":"x"},
			"StringLike":{"aws:Referer":"x*"},"StringNotLike":{"aws:Referer":"x?"},
			"ArnEquals":{"aws:SourceArn":"arn:aws:cloudfront::1:distribution/E"},"ArnLike":{"aws:SourceArn":"arn:*"},
			"ArnNotEquals":{"aws:SourceArn":"arn:aws:cloudfront::1:distribution/E"},"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::x"},
			"NumericEquals":{"s3:max-keys":1},"NumericNotEquals":{"s3:max-keys":"2"},"NumericLessThan":{"s3:max-keys":"-3"},
			"NumericLessThanEquals":{"s3:max-keys":"4.5"},"NumericGreaterThan":{"s3:max-keys":"5"},"NumericGreaterThanEquals":{"s3:max-keys":"6"},
			"DateEquals":{"aws:CurrentTime":"2024-01-01"},"DateNotEquals":{"aws:CurrentTime":"2024-01-01T00:00:00Z"},
			"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00.5+02:00"},"DateLessThanEquals":{"aws:EpochTime":1704067200},
			"DateGreaterThan":{"aws:CurrentTime":"2024-01-01T10:00Z"},"DateGreaterThanEquals":{"aws:CurrentTime":"20240101T000000Z"},
			"Bool":{"aws:SecureTransport":true},"BinaryEquals":{"aws:UserAgent":"AAEC"},
			"IpAddress":{"aws:SourceIp":["10.0.0.1","2001:db8::/32"]},"NotIpAddress":{"aws:SourceIp":"::1"},
			"Null":{"aws:Referer":"true"},
			"StringEqualsIfExists":{"aws:Referer":"x"},"ForAllValues:StringLike":{"aws:TagKeys":"a*"},
			"ForAnyValue:NumericLessThanIfExists":{"s3:max-keys":"7"},
			"StringLikeIfExists":{"s3:ExistingObjectTag/team":"a","s3:prefix":"p/*","aws:RequestTag/Env":"prod"}}`), "2012-10-17", 1},
		{"pretty-printed over 20 KB", "{\"Statement\":[" + strings.Repeat(" ", iampolicy.MaxSize) + "{" + base + "}]}", "2008-10-17", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := iampolicy.ParseForBucket([]byte(tc.doc), bucket)
			if err != nil {
				t.Fatalf("ParseForBucket: %v", err)
			}
			if got, want := p.Version, tc.version; got != want {
				t.Errorf("Version = %q, want %q", got, want)
			}
			if got, want := len(p.Statements), tc.n; got != want {
				t.Errorf("len(Statements) = %d, want %d", got, want)
			}
		})
	}
}

package iampolicy_test

import (
	"strconv"
	"testing"

	"keyfront/iampolicy"
)

const (
	bucket     = "example-bucket"
	objectARN  = "arn:aws:s3:::example-bucket/index.html"
	bucketARN  = "arn:aws:s3:::example-bucket"
	distARN    = "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"
	otherDist  = "arn:aws:cloudfront::111122223333:distribution/EOTHERDIST0001"
	cloudfront = "cloudfront.amazonaws.com"
)

// The seed tutorials' policies, with BUCKET replaced by example-bucket.
const (
	// seedOAC is the origin access control policy of the CloudFront
	// developer guide: only this distribution may read.
	seedOAC = `{"Version":"2012-10-17","Statement":[{"Sid":"AllowCloudFrontServicePrincipalReadOnly","Effect":"Allow","Principal":{"Service":"cloudfront.amazonaws.com"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket/*","Condition":{"StringEquals":{"AWS:SourceArn":"arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"}}}]}`

	// seedOACReferer is the stricter variant: the forwarded Referer must
	// also match the site.
	seedOACReferer = `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "AllowCloudFrontServicePrincipalReadOnlyFromSite",
      "Effect": "Allow",
      "Principal": {"Service": "cloudfront.amazonaws.com"},
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::example-bucket/*",
      "Condition": {
        "StringEquals": {"AWS:SourceArn": "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"},
        "StringLike": {"aws:Referer": "https://www.example.com/*"}
      }
    }
  ]
}`

	// seedTLSOnly allows public reads but denies every request not made over
	// TLS, the documented way to enforce HTTPS.
	seedTLSOnly = `{
  "Version": "2012-10-17",
  "Statement": [
    {"Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::example-bucket/*"},
    {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
     "Resource": ["arn:aws:s3:::example-bucket", "arn:aws:s3:::example-bucket/*"],
     "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
  ]
}`
)

// mustParse parses a policy for example-bucket or fails the test.
func mustParse(tb testing.TB, doc string) *iampolicy.Policy {
	tb.Helper()
	p, err := iampolicy.ParseForBucket([]byte(doc), bucket)
	if err != nil {
		tb.Fatalf("ParseForBucket: %v", err)
	}
	return p
}

// newRequest builds a request; kv alternates context keys and values, and a
// key given twice gets both values.
func newRequest(tb testing.TB, who iampolicy.Principal, action, resource string, kv ...string) *iampolicy.Request {
	tb.Helper()
	if len(kv)%2 != 0 {
		tb.Fatalf("newRequest: odd number of key/value arguments")
	}
	r := &iampolicy.Request{Principal: who, Action: action, Resource: resource}
	for i := 0; i < len(kv); i += 2 {
		r.Context.Add(kv[i], kv[i+1])
	}
	return r
}

// decision renders a decision compactly for comparisons: "Allow 0",
// "ExplicitDeny 1", "ImplicitDeny".
func decision(d iampolicy.Decision) string {
	if d.Verdict == iampolicy.ImplicitDeny {
		return "ImplicitDeny"
	}
	return d.Verdict.String() + " " + strconv.Itoa(d.Statement)
}

// evalCase is one row of an evaluation table.
type evalCase struct {
	name string
	req  *iampolicy.Request
	want string // as decision renders it
}

func runEval(t *testing.T, p *iampolicy.Policy, cases []evalCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d := p.Evaluate(tc.req)
			if got := decision(d); got != tc.want {
				_, traces := p.Explain(tc.req)
				t.Errorf("Evaluate = %s, want %s\ntrace: %+v", got, tc.want, traces)
			}
		})
	}
}

package iampolicy_test

import (
	"errors"
	"testing"

	"keyfront/iampolicy"
)

// Fuzz targets for the parser, which reads documents from any client that
// may call PutBucketPolicy, and for evaluation, which reads request values
// from any viewer. The seed corpus lives in testdata/fuzz/<FuzzName>/; the
// f.Add seeds below are the tutorials' policies.

func FuzzParse(f *testing.F) {
	for _, s := range []string{seedOAC, seedOACReferer, seedTLSOnly, `{}`, `{"Statement":[]}`, `[`} {
		f.Add([]byte(s))
	}
	reqs := []*iampolicy.Request{
		newRequest(f, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com/", "aws:SecureTransport", "true"),
		newRequest(f, anon, "s3:ListBucket", bucketARN, "aws:SourceIp", "192.0.2.1", "s3:prefix", "home/", "s3:max-keys", "10", "aws:CurrentTime", "2025-01-01T00:00:00Z"),
		newRequest(f, alice, "S3:PUTOBJECT", bucketARN+"/a/b", "aws:username", "alice", "aws:TagKeys", "a", "aws:TagKeys", "b"),
	}
	f.Fuzz(func(t *testing.T, doc []byte) {
		p, err := iampolicy.ParseForBucket(doc, bucket)
		if err != nil {
			var e *iampolicy.Error
			if !errors.As(err, &e) {
				t.Fatalf("error %T %v is not an *iampolicy.Error", err, err)
			}
			if e.Message == "" {
				t.Fatalf("error without a message: %#v", e)
			}
			if p != nil {
				t.Fatalf("ParseForBucket returned a policy and an error")
			}
			_ = err.Error()
			return
		}
		if len(p.Statements) == 0 {
			t.Fatalf("policy without statements accepted")
		}
		for _, req := range reqs {
			checkDecision(t, p, req)
		}
	})
}

// FuzzEvaluate evaluates a policy that uses every operator family against
// hostile request values.
func FuzzEvaluate(f *testing.F) {
	p := mustParse(f, `{"Version":"2012-10-17","Statement":[
	 {"Effect":"Allow","Principal":"*","Action":"s3:Get*","Resource":"arn:aws:s3:::example-bucket/${aws:username}/*",
	  "Condition":{"StringLike":{"aws:Referer":"https://*.example.com/?*"},"ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::*:distribution/E*"}}},
	 {"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::example-bucket/*",
	  "Condition":{"NotIpAddress":{"aws:SourceIp":["192.0.2.0/24","2001:db8::/32"]},"DateGreaterThan":{"aws:CurrentTime":"2030-01-01"},
	   "NumericGreaterThanIfExists":{"s3:max-keys":"100"},"Bool":{"aws:SecureTransport":"false"}}},
	 {"Effect":"Allow","Principal":"*","NotAction":"s3:Delete*","NotResource":"arn:aws:s3:::example-bucket/private/*",
	  "Condition":{"ForAllValues:StringEqualsIgnoreCase":{"aws:TagKeys":["a","${aws:username}"]},"BinaryEquals":{"aws:UserAgent":"AAEC"},
	   "ForAnyValue:StringNotLike":{"aws:TagKeys":"x?"},"Null":{"aws:Referer":"false"}}}]}`)
	f.Add("s3:GetObject", "arn:aws:s3:::example-bucket/alice/x", "aws:Referer", "https://www.example.com/a")
	f.Add("s3:PutObject", "arn:aws:s3:::example-bucket/x", "aws:SourceIp", "::ffff:192.0.2.1")
	f.Add("s3:GetObject", "arn:aws:s3:::example-bucket/x", "aws:CurrentTime", "2031-01-01T00:00:00.5+01:00")
	f.Add("s3:ListBucket", "arn:aws:s3:::example-bucket", "s3:max-keys", "1e9")
	f.Add("s3:GetObject", "arn:aws:s3:::example-bucket/x", "aws:SourceArn", "arn:aws:cloudfront::1:distribution/E:x")
	f.Fuzz(func(t *testing.T, action, resource, key, value string) {
		req := newRequest(t, anon, action, resource, key, value, key, value+"x",
			"aws:username", value, "aws:SecureTransport", "false", "aws:Referer", "https://a.example.com/"+value)
		checkDecision(t, p, req)
	})
}

// checkDecision checks that Evaluate and Explain agree with each other and
// with the evaluation rules: the first applying Deny decides, else the first
// applying Allow, else ImplicitDeny.
func checkDecision(t *testing.T, p *iampolicy.Policy, req *iampolicy.Request) {
	t.Helper()
	d := p.Evaluate(req)
	d2, traces := p.Explain(req)
	if d != d2 {
		t.Fatalf("Evaluate = %v, Explain = %v", d, d2)
	}
	want := iampolicy.Decision{Verdict: iampolicy.ImplicitDeny, Statement: -1}
	for _, tr := range traces {
		if tr.Applies != (tr.Reason == "") {
			t.Fatalf("trace %+v: Applies and Reason disagree", tr)
		}
		if !tr.Applies {
			continue
		}
		if tr.Effect == iampolicy.EffectDeny {
			want = iampolicy.Decision{Verdict: iampolicy.ExplicitDeny, Statement: tr.Statement, Sid: tr.Sid}
			break
		}
		if want.Verdict == iampolicy.ImplicitDeny {
			want = iampolicy.Decision{Verdict: iampolicy.Allow, Statement: tr.Statement, Sid: tr.Sid}
		}
	}
	if d != want {
		t.Fatalf("decision %v, traces say %v", d, want)
	}
}

package iampolicy_test

import (
	"testing"

	"keyfront/iampolicy"
)

// Evaluate runs on every origin request, so it must not allocate.

func BenchmarkEvaluate(b *testing.B) {
	for _, bc := range []struct {
		name string
		doc  string
		req  *iampolicy.Request
		want iampolicy.Verdict
	}{
		{"OAC/allow", seedOAC, newRequest(b, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:SourceAccount", "111122223333", "aws:SecureTransport", "true"), iampolicy.Allow},
		{"OAC/other-distribution", seedOAC, newRequest(b, cf, "s3:GetObject", objectARN, "aws:SourceArn", otherDist), iampolicy.ImplicitDeny},
		{"OAC/anonymous", seedOAC, newRequest(b, anon, "s3:GetObject", objectARN), iampolicy.ImplicitDeny},
		{"OACReferer/allow", seedOACReferer, newRequest(b, cf, "s3:GetObject", objectARN, "aws:SourceArn", distARN, "aws:Referer", "https://www.example.com/assets/app.js"), iampolicy.Allow},
		{"TLSOnly/deny", seedTLSOnly, newRequest(b, anon, "s3:GetObject", objectARN, "aws:SecureTransport", "false"), iampolicy.ExplicitDeny},
	} {
		p := mustParse(b, bc.doc)
		if got := p.Evaluate(bc.req).Verdict; got != bc.want {
			b.Fatalf("%s: Verdict = %v, want %v", bc.name, got, bc.want)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.Evaluate(bc.req)
			}
		})
	}
}

func BenchmarkParse(b *testing.B) {
	doc := []byte(seedOACReferer)
	b.ReportAllocs()
	b.SetBytes(int64(len(doc)))
	for b.Loop() {
		if _, err := iampolicy.ParseForBucket(doc, bucket); err != nil {
			b.Fatal(err)
		}
	}
}

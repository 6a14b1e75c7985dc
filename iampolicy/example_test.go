package iampolicy_test

import (
	"errors"
	"fmt"

	"keyfront/iampolicy"
)

// The origin's check for an edge request signed with origin access control:
// the service principal, with the distribution's ARN from signed headers.
func ExamplePolicy_Evaluate() {
	policy, err := iampolicy.ParseForBucket([]byte(seedOAC), "example-bucket")
	if err != nil {
		fmt.Println(err)
		return
	}
	req := &iampolicy.Request{
		Principal: iampolicy.ServicePrincipal("cloudfront.amazonaws.com"),
		Action:    "s3:GetObject",
		Resource:  "arn:aws:s3:::example-bucket/index.html",
	}
	req.Context.Set(iampolicy.KeySourceArn, "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE")
	req.Context.Set(iampolicy.KeySourceAccount, "111122223333")
	fmt.Println(policy.Evaluate(req))

	req.Context.Set(iampolicy.KeySourceArn, "arn:aws:cloudfront::111122223333:distribution/EOTHER")
	d, traces := policy.Explain(req)
	fmt.Println(d)
	fmt.Println(traces[0].Reason)
	// Output:
	// Allow by Statement[0] (Sid "AllowCloudFrontServicePrincipalReadOnly")
	// ImplicitDeny: no statement applies
	// Condition StringEquals "AWS:SourceArn": request value "arn:aws:cloudfront::111122223333:distribution/EOTHER" does not satisfy ["arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE"]
}

// PutBucketPolicy's validation: the error's Message is S3's, and Error says
// where the problem is.
func ExampleParseForBucket() {
	_, err := iampolicy.ParseForBucket([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Sid":"Read","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::example-bucket"}]}`), "example-bucket")
	var e *iampolicy.Error
	if errors.As(err, &e) {
		fmt.Println(iampolicy.ErrorCode, e.Message)
	}
	fmt.Println(err)
	// Output:
	// MalformedPolicy Action does not apply to any resource(s) in statement
	// Action does not apply to any resource(s) in statement: Statement[0].Action (Sid "Read") = "s3:GetObject"
}

package originauth_test

import (
	"context"
	"fmt"
	"net/http"

	"keyfront/originauth"
	"keyfront/sigv4"
)

// The origin and the edge derive the same service credential from the
// deployment's secret; the origin's verifier knows it and the owner's key,
// and the edge signs with it.
func Example() {
	akid, secret := originauth.DeriveCredential("the deployment's secret")

	// Origin: the verifier that s3.Config.Verifier takes.
	verifier := &sigv4.Verifier{
		Service: sigv4.ServiceS3,
		Credentials: originauth.Credentials("111122223333",
			originauth.Key{AccessKeyID: "AKIAEXAMPLEOWNER0001", SecretAccessKey: "owner-secret"},
			originauth.Key{AccessKeyID: akid, SecretAccessKey: secret}),
	}

	// Edge: sign an origin request for a distribution.
	signer := originauth.NewSigner(akid, secret, "us-east-1")
	req, _ := http.NewRequest("GET", "http://127.0.0.1:7082/content/index.html", nil)
	if err := signer.Sign(context.Background(), req, "arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE", "111122223333"); err != nil {
		panic(err)
	}

	// Origin again: who signed, and for which distribution.
	auth, err := verifier.Verify(req)
	if err != nil {
		panic(err)
	}
	arn, account := originauth.Source(auth, req.Header)
	fmt.Println(originauth.IsService(auth), arn, account)
	// Output: true arn:aws:cloudfront::111122223333:distribution/EDFDVBD6EXAMPLE 111122223333
}

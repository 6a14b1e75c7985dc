package sigv4

import (
	"context"
	"errors"
)

// ErrUnknownAccessKey is what a Credentials implementation returns, possibly
// wrapped, when it does not know an access key ID. Verify turns it into an
// *Error of KindUnknownAccessKey.
var ErrUnknownAccessKey = errors.New("sigv4: unknown access key")

// Credential is what Verify needs to know about one access key.
type Credential struct {
	// SecretAccessKey is the secret the client signs with. Verify never puts
	// it, or any key derived from it, in an error or in Auth.
	SecretAccessKey string

	// SessionToken, if not empty, must equal the request's
	// X-Amz-Security-Token (header, or query parameter when presigned), as
	// for AWS temporary credentials; otherwise Verify fails with
	// KindInvalidToken. An empty SessionToken accepts any token or none.
	SessionToken string

	// Principal is opaque to this package and handed back in Auth.Principal,
	// so the caller learns who signed without a second lookup. The S3 origin
	// maps the edge's service credential to the principal
	// {"Service": "cloudfront.amazonaws.com"} this way (DESIGN.md, "Origin
	// access control"), and the administrator's key to the account.
	Principal any
}

// Credentials looks up access keys.
//
// LookupAccessKey returns the credential for accessKeyID, or an error
// wrapping ErrUnknownAccessKey if there is none. Any other error is a fault
// of the store; Verify reports it as KindInternal (500) rather than as an
// authentication failure. It is called at most once per Verify, after the
// request has been parsed and its time checked, and must be safe for
// concurrent use. ctx is the request's context.
type Credentials interface {
	LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, error)
}

// StaticCredentials is a fixed set of credentials keyed by access key ID.
type StaticCredentials map[string]Credential

// LookupAccessKey implements Credentials.
func (s StaticCredentials) LookupAccessKey(_ context.Context, accessKeyID string) (Credential, error) {
	c, ok := s[accessKeyID]
	if !ok {
		return Credential{}, ErrUnknownAccessKey
	}
	return c, nil
}

// CredentialsFunc adapts a function to Credentials.
type CredentialsFunc func(ctx context.Context, accessKeyID string) (Credential, error)

// LookupAccessKey implements Credentials by calling f.
func (f CredentialsFunc) LookupAccessKey(ctx context.Context, accessKeyID string) (Credential, error) {
	return f(ctx, accessKeyID)
}

var (
	_ Credentials = StaticCredentials(nil)
	_ Credentials = CredentialsFunc(nil)
)

package domain

import (
	"keyfront"
	"keyfront/model"
)

// Messages the AWS model (or a captured AWS response) gives for the codes
// whose text clients may show verbatim (control-api.md §5, §10).
const (
	msgNoSuchPublicKey           = "The specified public key doesn't exist."
	msgNoSuchResource            = "A resource that was specified is not valid."
	msgNoSuchDistribution        = "The specified distribution does not exist."
	msgNoSuchInvalidation        = "The specified invalidation does not exist."
	msgNoSuchOAC                 = "The origin access control does not exist."
	msgNoSuchOrigin              = "No origin exists with the specified Origin Id."
	msgPublicKeyInUse            = "The specified public key is in use."
	msgResourceInUse             = "Cannot delete this resource because it is in use."
	msgTrustedKeyGroupNotExist   = "The specified key group does not exist."
	msgDistributionNotDisabled   = "The distribution you are trying to delete has not been disabled."
	msgInvalidIfMatch            = "The If-Match version is missing or not valid for the resource."
	msgPreconditionFailed        = "The request failed because it didn't meet the preconditions in one or more request-header fields."
	msgCNAMEAlreadyExists        = "One or more of the CNAMEs you provided are already associated with a different resource."
	msgTooManyPublicKeys         = "Processing your request will cause you to exceed the maximum number of CloudFront public keys allowed."
	msgPublicKeyNameExists       = "The name that you are using to create a CloudFront public key is associated with another public key in your account."
	msgPublicKeyCallerRefExists  = "The caller reference that you are using to create a CloudFront public key is associated with another public key in your account."
	msgDistributionCallerRefUsed = "The caller reference that you are using to create a distribution is associated with another distribution. Already exists: %s"
)

func errorf(code, format string, args ...any) error { return model.Errorf(code, format, args...) }

func invalidArgument(format string, args ...any) error {
	return model.Errorf("InvalidArgument", format, args...)
}

// Errors for resources that do not exist, by kind (§10).
func noSuchPublicKey() error    { return errorf("NoSuchPublicKey", msgNoSuchPublicKey) }
func noSuchKeyGroup() error     { return errorf("NoSuchResource", msgNoSuchResource) }
func noSuchDistribution() error { return errorf("NoSuchDistribution", msgNoSuchDistribution) }
func noSuchInvalidation() error { return errorf("NoSuchInvalidation", msgNoSuchInvalidation) }
func noSuchOAC() error          { return errorf("NoSuchOriginAccessControl", msgNoSuchOAC) }

// notFound converts a store ENOTFOUND into the resource's error and leaves
// any other error as it is.
func notFound(err error, mk func() error) error {
	if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
		return mk()
	}
	return err
}

// CheckIfMatch applies control-api.md §5 to the If-Match value given (with
// quotes and W/ already stripped) and the resource's current ETag: absent
// is InvalidIfMatchVersion, stale is PreconditionFailed.
func CheckIfMatch(given, current string) error {
	if given == "" {
		return errorf("InvalidIfMatchVersion", msgInvalidIfMatch)
	}
	if given != current {
		return errorf("PreconditionFailed", msgPreconditionFailed)
	}
	return nil
}

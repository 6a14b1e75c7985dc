// Package iampolicy parses, validates and evaluates Amazon S3 bucket
// policies: the IAM JSON policy language as S3 accepts it in
// PutBucketPolicy, and the decision S3 makes with it for one request.
//
// The package is pure: it performs no I/O, reads no clock and keeps no
// global mutable state. Callers pass the request's principal, action,
// resource ARN and condition context (including aws:CurrentTime when a
// policy uses Date operators); a parsed *Policy is immutable and safe for
// concurrent use.
//
// # Sources
//
// Comments cite the AWS documentation by page name. The pages are, under
// https://docs.aws.amazon.com/IAM/latest/UserGuide/:
//
//   - reference_policies_elements_version.html ("Version")
//   - reference_policies_elements_statement.html, _sid, _effect, _principal,
//     _notprincipal, _action, _notaction, _resource, _notresource
//   - reference_policies_elements_condition.html ("Condition")
//   - reference_policies_elements_condition_operators.html ("Condition operators")
//   - reference_policies_condition-single-vs-multi-valued-context-keys.html
//     ("Single-valued vs. multivalued context keys")
//   - reference_policies_condition-logic-multiple-context-keys-or-values.html
//     ("Conditions with multiple context keys or values")
//   - reference_policies_variables.html ("Policy variables")
//   - reference_policies_evaluation-logic.html ("Policy evaluation logic")
//
// and, under https://docs.aws.amazon.com/AmazonS3/latest/userguide/,
// bucket-policies.html ("Bucket policies", including the 20 KB size limit)
// and the Service Authorization Reference page for Amazon S3 (action names,
// their resource types and condition keys). Error messages are S3's own
// where they are publicly recorded; the table in errors.go says which are.
//
// # What is not modelled
//
// keyfront has no IAM identity policies, permission boundaries, SCPs or
// ACLs: a bucket policy is the only policy. In particular a statement that
// names an account ("AWS": "111122223333") matches every principal of that
// account here, whereas AWS would additionally require that account's
// identity policy to allow the request. The bucket owner's own credentials
// are always allowed by keyfront; that rule is the caller's, not this
// package's (see Policy.Evaluate).
package iampolicy

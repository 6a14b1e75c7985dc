package iampolicy

import (
	"strconv"
	"strings"
)

// ErrorCode is the S3 error code of every error Parse returns. S3 answers
// PutBucketPolicy with 400 MalformedPolicy for all of them.
const ErrorCode = "MalformedPolicy"

// Messages of the errors Parse returns, as S3 words them where the wording is
// publicly recorded. Each constant names its source:
//
//   - [S3]: seen in AWS CLI / SDK / Terraform output against Amazon S3 in
//     public issue threads (e.g. aws-samples/aws-serverless-appsync-app#4,
//     hashicorp/terraform#28688, cn-terraform/terraform-aws-s3-static-website#38,
//     cloud-gov/terraform-provision#574).
//   - [S3-compat]: the wording S3-compatible servers assert in conformance
//     tests written against AWS (versity/versitygw integration tests); not
//     seen first-hand in AWS output.
//   - [keyfront]: no public record of S3's wording was found; keyfront's own.
const (
	// [S3] The document does not start with '{'.
	MsgFirstByte = "Policies must be valid JSON and the first byte must be '{'"
	// [S3-compat] The document is not valid JSON, or has a value of the wrong
	// JSON type where the grammar wants an object or a string.
	MsgInvalidJSON = "This policy contains invalid Json"
	// [S3-compat; the text is minio's for the same S3 limit] Larger than MaxSize.
	MsgTooLarge = "Policy exceeds the maximum allowed document size."
	// [S3] Version is neither "2012-10-17" nor "2008-10-17".
	MsgInvalidVersion = "The policy must contain a valid version string"
	// [S3-compat] No Statement.
	MsgMissingStatement = "Missing required field Statement"
	// [S3-compat] "Statement": [].
	MsgEmptyStatement = "Could not parse the policy: Statement is empty!"
	// [S3] A field the grammar does not know, e.g. "condition" in lower case;
	// the field's name follows after a space.
	MsgUnknownField = "Unknown field"
	// [keyfront, after IAM's wording] Effect is absent.
	MsgMissingEffect = "Missing required field Effect"
	// [S3-compat] Effect is not "Allow" or "Deny"; the value follows after ": ".
	MsgInvalidEffect = "Invalid effect"
	// [S3] Neither Principal nor NotPrincipal.
	MsgMissingPrincipal = "Missing required field Principal"
	// [S3] "Principal": {}.
	MsgEmptyPrincipal = "Missing required field Principal cannot be empty!"
	// [S3] A principal S3 does not accept.
	MsgInvalidPrincipal = "Invalid principal in policy"
	// [keyfront] Both Principal and NotPrincipal.
	MsgPrincipalConflict = "Statement cannot have both Principal and NotPrincipal"
	// [keyfront, after IAM's wording] Neither Action nor NotAction.
	MsgMissingAction = "Missing required field Action"
	// [keyfront] Both Action and NotAction.
	MsgActionConflict = "Statement cannot have both Action and NotAction"
	// [S3] An action that names no S3 action.
	MsgInvalidAction = "Policy has invalid action"
	// [S3-compat] Neither Resource nor NotResource.
	MsgMissingResource = "Missing required field Resource"
	// [keyfront] Both Resource and NotResource.
	MsgResourceConflict = "Statement cannot have both Resource and NotResource"
	// [S3] A resource that is not an ARN in the bucket being configured.
	MsgInvalidResource = "Policy has invalid resource"
	// [S3] An action of the statement applies to none of its resources
	// (s3:GetObject on arn:aws:s3:::bucket, s3:ListBucket on bucket/*).
	MsgActionResourceMismatch = "Action does not apply to any resource(s) in statement"
	// [S3-compat] An unknown condition operator; the name follows after " : ".
	MsgInvalidConditionType = "Invalid Condition type"
	// [S3-compat] A condition key S3 does not know.
	MsgInvalidConditionKey = "Policy has an invalid condition key"
	// [S3-compat] An IpAddress / NotIpAddress value that is no IP or CIDR.
	MsgInvalidIP = "Invalid IP address in Conditions"
	// [keyfront] A Numeric* value that is no decimal number.
	MsgInvalidNumber = "Invalid numeric value in Conditions"
	// [keyfront] A Date* value that is neither ISO 8601 nor epoch seconds.
	MsgInvalidDate = "Invalid date value in Conditions"
	// [keyfront] A Bool or Null value other than true or false.
	MsgInvalidBool = "Invalid boolean value in Conditions"
	// [keyfront] A BinaryEquals value that is not base64.
	MsgInvalidBinary = "Invalid binary value in Conditions"
	// [keyfront] A condition value that is null, an object, or an empty list.
	MsgInvalidConditionValue = "Invalid Condition value"
)

// Error is a policy that S3 would refuse with 400 MalformedPolicy. Message is
// S3's text and safe to show to clients; Path, Sid and Value say where the
// problem is, for logs and for keyfront's own explanations.
type Error struct {
	// Message is the text S3 puts in <Message>, one of the Msg* constants,
	// possibly followed by the offending name as S3 does ("Unknown field
	// condition", "Invalid effect: allow").
	Message string
	// Path locates the problem in the document: "" for the whole document,
	// "Statement[1].Resource[0]" for an element, or "offset 17 (line 2,
	// column 5)" for a JSON syntax error.
	Path string
	// Sid is the Sid of the statement at fault, if it has one.
	Sid string
	// Value is the offending value, truncated to 128 bytes; "" if none.
	Value string
}

// Error returns Message followed by where: `Policy has invalid resource:
// Statement[1].Resource[0] (Sid "Read") = "arn:aws:s3:::other/*"`.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.Message)
	if e.Path != "" {
		b.WriteString(": ")
		b.WriteString(e.Path)
	}
	if e.Sid != "" {
		b.WriteString(" (Sid ")
		b.WriteString(strconv.Quote(e.Sid))
		b.WriteString(")")
	}
	if e.Value != "" {
		b.WriteString(" = ")
		b.WriteString(strconv.Quote(e.Value))
	}
	return b.String()
}

// maxErrorValue bounds Error.Value so that a hostile document cannot make
// logs or responses large.
const maxErrorValue = 128

func newError(msg, path, value string) *Error {
	if len(value) > maxErrorValue {
		value = value[:maxErrorValue] + "…"
	}
	return &Error{Message: msg, Path: path, Value: value}
}

package iampolicy

import "strings"

// resourceType is the kind of ARN an S3 action is authorized against, per the
// "Resource types" column of the Service Authorization Reference for Amazon S3.
type resourceType uint8

const (
	rtNone   resourceType = iota // account-level, access point, job, ...: never a bucket policy's resource
	rtBucket                     // arn:aws:s3:::bucket
	rtObject                     // arn:aws:s3:::bucket/key
)

// s3Actions lists S3's action names (without "s3:") and the resource type
// each is authorized against. S3 refuses a bucket policy naming an action
// that is not here ("Policy has invalid action"), and a statement whose
// actions apply to none of its resources ("Action does not apply to any
// resource(s) in statement"). The rtNone entries are valid names that can
// never apply to a bucket policy's resources.
var s3Actions = map[string]resourceType{
	// Object actions.
	"AbortMultipartUpload":             rtObject,
	"BypassGovernanceRetention":        rtObject,
	"DeleteObject":                     rtObject,
	"DeleteObjectTagging":              rtObject,
	"DeleteObjectVersion":              rtObject,
	"DeleteObjectVersionTagging":       rtObject,
	"GetObject":                        rtObject,
	"GetObjectAcl":                     rtObject,
	"GetObjectAttributes":              rtObject,
	"GetObjectLegalHold":               rtObject,
	"GetObjectRetention":               rtObject,
	"GetObjectTagging":                 rtObject,
	"GetObjectTorrent":                 rtObject,
	"GetObjectVersion":                 rtObject,
	"GetObjectVersionAcl":              rtObject,
	"GetObjectVersionAttributes":       rtObject,
	"GetObjectVersionForReplication":   rtObject,
	"GetObjectVersionTagging":          rtObject,
	"GetObjectVersionTorrent":          rtObject,
	"InitiateReplication":              rtObject,
	"ListMultipartUploadParts":         rtObject,
	"ObjectOwnerOverrideToBucketOwner": rtObject,
	"PutObject":                        rtObject,
	"PutObjectAcl":                     rtObject,
	"PutObjectLegalHold":               rtObject,
	"PutObjectRetention":               rtObject,
	"PutObjectTagging":                 rtObject,
	"PutObjectVersionAcl":              rtObject,
	"PutObjectVersionTagging":          rtObject,
	"ReplicateDelete":                  rtObject,
	"ReplicateObject":                  rtObject,
	"ReplicateTags":                    rtObject,
	"RestoreObject":                    rtObject,

	// Bucket actions.
	"CreateBucket":                                  rtBucket,
	"CreateBucketMetadataTableConfiguration":        rtBucket,
	"DeleteBucket":                                  rtBucket,
	"DeleteBucketMetadataTableConfiguration":        rtBucket,
	"DeleteBucketOwnershipControls":                 rtBucket,
	"DeleteBucketPolicy":                            rtBucket,
	"DeleteBucketWebsite":                           rtBucket,
	"GetAccelerateConfiguration":                    rtBucket,
	"GetAnalyticsConfiguration":                     rtBucket,
	"GetBucketAcl":                                  rtBucket,
	"GetBucketCORS":                                 rtBucket,
	"GetBucketLocation":                             rtBucket,
	"GetBucketLogging":                              rtBucket,
	"GetBucketMetadataTableConfiguration":           rtBucket,
	"GetBucketNotification":                         rtBucket,
	"GetBucketObjectLockConfiguration":              rtBucket,
	"GetBucketOwnershipControls":                    rtBucket,
	"GetBucketPolicy":                               rtBucket,
	"GetBucketPolicyStatus":                         rtBucket,
	"GetBucketPublicAccessBlock":                    rtBucket,
	"GetBucketRequestPayment":                       rtBucket,
	"GetBucketTagging":                              rtBucket,
	"GetBucketVersioning":                           rtBucket,
	"GetBucketWebsite":                              rtBucket,
	"GetEncryptionConfiguration":                    rtBucket,
	"GetIntelligentTieringConfiguration":            rtBucket,
	"GetInventoryConfiguration":                     rtBucket,
	"GetLifecycleConfiguration":                     rtBucket,
	"GetMetricsConfiguration":                       rtBucket,
	"GetReplicationConfiguration":                   rtBucket,
	"ListBucket":                                    rtBucket,
	"ListBucketMultipartUploads":                    rtBucket,
	"ListBucketVersions":                            rtBucket,
	"PutAccelerateConfiguration":                    rtBucket,
	"PutAnalyticsConfiguration":                     rtBucket,
	"PutBucketAcl":                                  rtBucket,
	"PutBucketCORS":                                 rtBucket,
	"PutBucketLogging":                              rtBucket,
	"PutBucketNotification":                         rtBucket,
	"PutBucketObjectLockConfiguration":              rtBucket,
	"PutBucketOwnershipControls":                    rtBucket,
	"PutBucketPolicy":                               rtBucket,
	"PutBucketPublicAccessBlock":                    rtBucket,
	"PutBucketRequestPayment":                       rtBucket,
	"PutBucketTagging":                              rtBucket,
	"PutBucketVersioning":                           rtBucket,
	"PutBucketWebsite":                              rtBucket,
	"PutEncryptionConfiguration":                    rtBucket,
	"PutIntelligentTieringConfiguration":            rtBucket,
	"PutInventoryConfiguration":                     rtBucket,
	"PutLifecycleConfiguration":                     rtBucket,
	"PutMetricsConfiguration":                       rtBucket,
	"PutReplicationConfiguration":                   rtBucket,
	"UpdateBucketMetadataJournalTableConfiguration": rtBucket,

	// Valid S3 actions whose resources are never a bucket or an object.
	"CreateAccessPoint":             rtNone,
	"CreateJob":                     rtNone,
	"DeleteAccessPoint":             rtNone,
	"DeleteAccessPointPolicy":       rtNone,
	"DescribeJob":                   rtNone,
	"GetAccessPoint":                rtNone,
	"GetAccessPointPolicy":          rtNone,
	"GetAccountPublicAccessBlock":   rtNone,
	"GetStorageLensConfiguration":   rtNone,
	"ListAccessPoints":              rtNone,
	"ListAllMyBuckets":              rtNone,
	"ListJobs":                      rtNone,
	"ListStorageLensConfigurations": rtNone,
	"PutAccessPointPolicy":          rtNone,
	"PutAccountPublicAccessBlock":   rtNone,
	"PutStorageLensConfiguration":   rtNone,
	"UpdateJobPriority":             rtNone,
	"UpdateJobStatus":               rtNone,
}

// s3ActionList is s3Actions in lower case, for matching patterns.
var s3ActionList = func() []actionEntry {
	out := make([]actionEntry, 0, len(s3Actions))
	for name, rt := range s3Actions {
		out = append(out, actionEntry{lower: "s3:" + strings.ToLower(name), rt: rt})
	}
	return out
}()

type actionEntry struct {
	lower string // "s3:getobject"
	rt    resourceType
}

// actionTypes returns, for an Action pattern, whether it names any S3 action
// and which resource types the named actions have.
// reference_policies_elements_action.html: action names are case-insensitive
// and may use * and ?.
func actionTypes(p *pattern) (known, bucket, object bool) {
	for _, a := range s3ActionList {
		if p.match(a.lower, nil, true) {
			known = true
			switch a.rt {
			case rtBucket:
				bucket = true
			case rtObject:
				object = true
			}
		}
	}
	return known, bucket, object
}

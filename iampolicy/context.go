package iampolicy

import "strings"

// Condition keys keyfront's origin fills in. Key names are case-insensitive
// (reference_policies_elements_condition.html: "Context key names are not
// case-sensitive"); these are the spellings the AWS documentation uses.
const (
	KeyCurrentTime     = "aws:CurrentTime"      // ISO 8601, e.g. 2024-05-01T12:00:00Z
	KeyEpochTime       = "aws:EpochTime"        // seconds since 1970-01-01T00:00:00Z
	KeyPrincipalType   = "aws:PrincipalType"    // Anonymous, Account, User, AssumedRole, ...
	KeyPrincipalArn    = "aws:PrincipalArn"     // absent for anonymous and service principals
	KeyPrincipalAcct   = "aws:PrincipalAccount" // the caller's account, absent for anonymous
	KeyReferer         = "aws:Referer"          // the Referer header, if any
	KeySecureTransport = "aws:SecureTransport"  // "true" over TLS, else "false"
	KeySourceAccount   = "aws:SourceAccount"    // set for service principals (OAC)
	KeySourceArn       = "aws:SourceArn"        // set for service principals (OAC)
	KeySourceIP        = "aws:SourceIp"         // the client address, IPv4 or IPv6
	KeyUserAgent       = "aws:UserAgent"        // the User-Agent header, if any
	KeyUsername        = "aws:username"         // IAM user name, for policy variables
	KeyS3Prefix        = "s3:prefix"            // ListObjects prefix parameter
	KeyS3Delimiter     = "s3:delimiter"         // ListObjects delimiter parameter
	KeyS3MaxKeys       = "s3:max-keys"          // ListObjects max-keys parameter
	KeyS3VersionID     = "s3:VersionId"         // the versionId parameter, if any
)

// Context is the request context a policy's conditions and variables are
// evaluated against: condition keys with one or more string values. Key
// names are case-insensitive; values are kept exactly. A key that is absent,
// or was set with no values, is "not present" in the sense of the IAM
// documentation. The zero value is an empty context ready to use.
type Context struct {
	m map[string][]string // lower-case key → values
}

// Set replaces the values of key. Set with no values makes the key absent.
func (c *Context) Set(key string, values ...string) {
	k := strings.ToLower(key)
	if len(values) == 0 {
		delete(c.m, k)
		return
	}
	if c.m == nil {
		c.m = make(map[string][]string)
	}
	c.m[k] = append([]string(nil), values...)
}

// Add appends values to those of key.
func (c *Context) Add(key string, values ...string) {
	if len(values) == 0 {
		return
	}
	if c.m == nil {
		c.m = make(map[string][]string)
	}
	k := strings.ToLower(key)
	c.m[k] = append(c.m[k], values...)
}

// Get returns the values of key and whether it is present. The slice must not
// be modified.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(strings.ToLower(key))
}

// lookup takes a key already in lower case, as policies store them.
func (c *Context) lookup(lower string) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	v, ok := c.m[lower]
	return v, ok && len(v) > 0
}

// single returns the value of a single-valued key, as policy variables need:
// reference_policies_condition-single-vs-multi-valued-context-keys.html says
// multivalued keys cannot be used as variables, so several values count as
// none.
func (c *Context) single(lower string) (string, bool) {
	v, ok := c.lookup(lower)
	if !ok || len(v) != 1 {
		return "", false
	}
	return v[0], true
}

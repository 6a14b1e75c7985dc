package iampolicy

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// Policy versions (reference_policies_elements_version.html).
const (
	Version2012 = "2012-10-17" // current; enables policy variables
	Version2008 = "2008-10-17" // older; "${...}" is literal text
)

// MaxSize is the largest policy S3 accepts: "Bucket policies are limited to
// 20 KB in size" (bucket-policies.html). S3 measures the policy after
// normalising it, so MaxSize applies to the document with insignificant
// whitespace removed; maxRawSize bounds the bytes Parse reads at all.
const (
	MaxSize    = 20 << 10
	maxRawSize = 8 * MaxSize
)

// Effect is a statement's Effect element.
type Effect uint8

// The two effects (reference_policies_elements_effect.html).
const (
	EffectAllow Effect = iota + 1
	EffectDeny
)

// String returns "Allow" or "Deny".
func (e Effect) String() string {
	switch e {
	case EffectAllow:
		return "Allow"
	case EffectDeny:
		return "Deny"
	}
	return "Effect(?)"
}

// Policy is a parsed bucket policy. It is immutable; its methods are safe for
// concurrent use.
type Policy struct {
	// Version is the policy language version: Version2012, or Version2008 when
	// the document has none ("If you do not include a Version element, the
	// value defaults to 2008-10-17").
	Version string
	// ID is the optional Id element.
	ID string
	// Statements are the policy's statements in document order.
	Statements []Statement
}

// Statement is one compiled statement.
type Statement struct {
	// Sid is the optional statement ID. S3 does not require Sids to be unique
	// (buckets in the wild carry repeated Sids); keyfront identifies a
	// statement by its index, and shows the Sid alongside.
	Sid string
	// Effect is EffectAllow or EffectDeny.
	Effect Effect

	principals   principalSet
	notPrincipal bool
	actions      []pattern // lower case, matched case-insensitively
	notAction    bool
	resources    []pattern
	notResource  bool
	conditions   []condition
}

// Parse parses and validates a bucket policy document as S3's PutBucketPolicy
// does, except for the bucket named by its resources (see ParseForBucket).
// Every error is an *Error whose Message is S3's.
func Parse(doc []byte) (*Policy, error) {
	p, err := parse(doc, "")
	if err != nil {
		return nil, err
	}
	return p, nil
}

// ParseForBucket is Parse plus S3's check that every Resource and NotResource
// lies in bucket: arn:aws:s3:::<bucket> or arn:aws:s3:::<bucket>/<anything>.
// Others fail with "Policy has invalid resource", as does every policy when
// bucket is empty. PutBucketPolicy uses this.
func ParseForBucket(doc []byte, bucket string) (*Policy, error) {
	if bucket == "" {
		return nil, newError(MsgInvalidResource, "", "")
	}
	p, err := parse(doc, bucket)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// inBucket reports whether resource is the bucket's ARN or an object ARN in
// it. Wildcards are not interpreted: arn:aws:s3:::* is not in any bucket.
func inBucket(resource, bucket string) bool {
	rest, ok := strings.CutPrefix(resource, "arn:aws:s3:::")
	if !ok {
		return false
	}
	key, ok := strings.CutPrefix(rest, bucket)
	return ok && (key == "" || key[0] == '/')
}

// parse parses doc; a non-empty bucket also confines resources to it.
func parse(doc []byte, bucket string) (*Policy, *Error) {
	if len(doc) == 0 || doc[0] != '{' {
		return nil, newError(MsgFirstByte, "", "")
	}
	if len(doc) > maxRawSize {
		return nil, newError(MsgTooLarge, "", "")
	}
	// json.Unmarshal validates the whole document first and reports the
	// offset of the first syntax error, which json.Compact does not.
	if err := json.Unmarshal(doc, new(json.RawMessage)); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) && se.Offset > 0 && se.Offset <= int64(len(doc)) &&
			se.Error() != "unexpected end of JSON input" {
			// Offset counts the bytes read, the bad one included.
			return nil, syntaxError(doc, se.Offset-1)
		}
		return nil, syntaxError(doc, int64(len(doc)))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil {
		return nil, syntaxError(doc, 0)
	}
	if compact.Len() > MaxSize {
		return nil, newError(MsgTooLarge, "", "")
	}
	root, e := decodeTree(doc)
	if e != nil {
		return nil, e
	}

	p := &Policy{Version: Version2008}
	var stmts *node
	for _, f := range root.obj {
		switch f.key {
		case "Version":
			if f.val.kind != kString || f.val.str != Version2012 && f.val.str != Version2008 {
				return nil, newError(MsgInvalidVersion, "Version", f.val.text())
			}
			p.Version = f.val.str
		case "Id":
			if f.val.kind != kString {
				return nil, newError(MsgInvalidJSON, "Id", f.val.text())
			}
			p.ID = f.val.str
		case "Statement":
			stmts = f.val
		default:
			return nil, newError(MsgUnknownField+" "+f.key, f.key, "")
		}
	}
	if stmts == nil {
		return nil, newError(MsgMissingStatement, "", "")
	}
	list := []*node{stmts}
	listed := stmts.kind == kArray
	if listed {
		list = stmts.arr
	}
	if len(list) == 0 {
		return nil, newError(MsgEmptyStatement, "Statement", "")
	}
	p.Statements = make([]Statement, len(list))
	for i, n := range list {
		path := "Statement"
		if listed {
			path = indexPath(path, i)
		}
		if err := parseStatement(&p.Statements[i], n, path, p.Version == Version2012, bucket); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// statementFields are the elements a statement may have
// (reference_policies_grammar.html).
var statementFields = map[string]bool{
	"Sid": true, "Effect": true,
	"Principal": true, "NotPrincipal": true,
	"Action": true, "NotAction": true,
	"Resource": true, "NotResource": true,
	"Condition": true,
}

func parseStatement(st *Statement, n *node, path string, variables bool, bucket string) *Error {
	if n.kind != kObject {
		return newError(MsgInvalidJSON, path, n.text())
	}
	if sid := n.get("Sid"); sid != nil {
		if sid.kind != kString {
			return newError(MsgInvalidJSON, joinPath(path, "Sid"), sid.text())
		}
		st.Sid = sid.str
	}
	fail := func(e *Error) *Error {
		e.Sid = st.Sid
		return e
	}
	for _, f := range n.obj {
		if !statementFields[f.key] {
			return fail(newError(MsgUnknownField+" "+f.key, joinPath(path, f.key), ""))
		}
	}

	// Effect.
	switch eff := n.get("Effect"); {
	case eff == nil:
		return fail(newError(MsgMissingEffect, path, ""))
	case eff.kind == kString && eff.str == "Allow":
		st.Effect = EffectAllow
	case eff.kind == kString && eff.str == "Deny":
		st.Effect = EffectDeny
	default:
		return fail(newError(MsgInvalidEffect+": "+eff.text(), joinPath(path, "Effect"), eff.text()))
	}

	// Principal / NotPrincipal: a bucket policy is resource-based, so one of
	// them is required (reference_policies_elements_principal.html).
	pr, npr := n.get("Principal"), n.get("NotPrincipal")
	switch {
	case pr == nil && npr == nil:
		return fail(newError(MsgMissingPrincipal, path, ""))
	case pr != nil && npr != nil:
		return fail(newError(MsgPrincipalConflict, joinPath(path, "NotPrincipal"), ""))
	}
	elem := "Principal"
	if npr != nil {
		pr, elem, st.notPrincipal = npr, "NotPrincipal", true
	}
	ps, err := parsePrincipal(pr, joinPath(path, elem))
	if err != nil {
		return fail(err)
	}
	st.principals = ps

	// Action / NotAction.
	act, nact := n.get("Action"), n.get("NotAction")
	switch {
	case act == nil && nact == nil:
		return fail(newError(MsgMissingAction, path, ""))
	case act != nil && nact != nil:
		return fail(newError(MsgActionConflict, joinPath(path, "NotAction"), ""))
	}
	elem = "Action"
	if nact != nil {
		act, elem, st.notAction = nact, "NotAction", true
	}
	actions, apaths, err := stringList(act, joinPath(path, elem), MsgInvalidAction)
	if err != nil {
		return fail(err)
	}
	actionKinds := make([][2]bool, len(actions)) // bucket, object
	for i, a := range actions {
		p := compile(a, compileOpts{wildcards: true, lower: true})
		known := false
		if a == "*" {
			known, actionKinds[i] = true, [2]bool{true, true}
		} else if len(a) > 3 && strings.EqualFold(a[:3], "s3:") {
			var b, o bool
			known, b, o = actionTypes(&p)
			actionKinds[i] = [2]bool{b, o}
		}
		if !known {
			return fail(newError(MsgInvalidAction, apaths[i], a))
		}
		st.actions = append(st.actions, p)
	}

	// Resource / NotResource.
	res, nres := n.get("Resource"), n.get("NotResource")
	switch {
	case res == nil && nres == nil:
		return fail(newError(MsgMissingResource, path, ""))
	case res != nil && nres != nil:
		return fail(newError(MsgResourceConflict, joinPath(path, "NotResource"), ""))
	}
	elem = "Resource"
	if nres != nil {
		res, elem, st.notResource = nres, "NotResource", true
	}
	resources, rpaths, err := stringList(res, joinPath(path, elem), MsgInvalidResource)
	if err != nil {
		return fail(err)
	}
	var anyBucket, anyObject bool
	for i, r := range resources {
		// A bucket policy's resources are S3 bucket and object ARNs
		// (bucket-policies.html); "*" alone, other services, access points
		// and a leading slash are refused.
		rest, ok := strings.CutPrefix(r, "arn:aws:s3:::")
		if !ok || rest == "" || rest[0] == '/' || bucket != "" && !inBucket(r, bucket) {
			return fail(newError(MsgInvalidResource, rpaths[i], r))
		}
		b, o := resourceShape(rest)
		anyBucket, anyObject = anyBucket || b, anyObject || o
		st.resources = append(st.resources, compile(r, compileOpts{wildcards: true, variables: variables}))
	}

	// S3 refuses a statement with an action that can apply to none of its
	// resources. The check needs the named actions and resources, so it is
	// skipped for NotAction and NotResource.
	if !st.notAction && !st.notResource {
		for i, k := range actionKinds {
			if !(k[0] && anyBucket || k[1] && anyObject) {
				return fail(newError(MsgActionResourceMismatch, apaths[i], actions[i]))
			}
		}
	}

	if c := n.get("Condition"); c != nil {
		conds, err := parseConditionBlock(c, joinPath(path, "Condition"), variables)
		if err != nil {
			return fail(err)
		}
		st.conditions = conds
	}
	return nil
}

// resourceShape says whether an S3 resource (the part after arn:aws:s3:::)
// can name a bucket, an object, or both: a * or ? before the first slash can
// stand for the slash itself.
func resourceShape(rest string) (bucket, object bool) {
	bucketPart, _, hasSlash := strings.Cut(rest, "/")
	if hasSlash {
		return false, true
	}
	if strings.ContainsAny(bucketPart, "*?") {
		return true, true
	}
	return true, false
}

// stringList reads an element that is a string or a non-empty list of strings
// (Action, NotAction, Resource, NotResource), refusing anything else with
// msg.
func stringList(n *node, path, msg string) ([]string, []string, *Error) {
	switch n.kind {
	case kString:
		if n.str == "" {
			return nil, nil, newError(msg, path, "")
		}
		return []string{n.str}, []string{path}, nil
	case kArray:
		if len(n.arr) == 0 {
			return nil, nil, newError(msg, path, "[]")
		}
		vals := make([]string, len(n.arr))
		paths := make([]string, len(n.arr))
		for i, e := range n.arr {
			paths[i] = indexPath(path, i)
			if e.kind != kString || e.str == "" {
				return nil, nil, newError(msg, paths[i], e.text())
			}
			vals[i] = e.str
		}
		return vals, paths, nil
	}
	return nil, nil, newError(msg, path, n.text())
}

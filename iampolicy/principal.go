package iampolicy

import (
	"strings"
)

// PrincipalType says who made a request. The zero value is PrincipalAnonymous.
type PrincipalType uint8

// The kinds of principal S3 bucket policies can name
// (reference_policies_elements_principal.html).
const (
	// PrincipalAnonymous: an unsigned request. Only "Principal": "*" (or
	// {"AWS": "*"}) matches it.
	PrincipalAnonymous PrincipalType = iota
	// PrincipalAWS: an AWS account's root or one of its IAM users, roles or
	// assumed-role sessions; ID is the ARN.
	PrincipalAWS
	// PrincipalService: an AWS service acting on its own behalf, such as
	// cloudfront.amazonaws.com for origin access control; ID is the name.
	PrincipalService
	// PrincipalCanonicalUser: an S3 canonical user ID (64 hex digits).
	PrincipalCanonicalUser
	// PrincipalFederated: a web identity or SAML provider; ID is its name or ARN.
	PrincipalFederated
)

// String returns the name the Principal element uses for the type.
func (t PrincipalType) String() string {
	switch t {
	case PrincipalAnonymous:
		return "Anonymous"
	case PrincipalAWS:
		return "AWS"
	case PrincipalService:
		return "Service"
	case PrincipalCanonicalUser:
		return "CanonicalUser"
	case PrincipalFederated:
		return "Federated"
	}
	return "PrincipalType(?)"
}

// Principal is the authenticated (or anonymous) caller of a request. The zero
// value is the anonymous principal.
type Principal struct {
	Type PrincipalType
	// ID identifies the principal within its type: an ARN for PrincipalAWS,
	// the service name for PrincipalService, and so on. Empty for anonymous.
	ID string
}

// AnonymousPrincipal returns the principal of an unsigned request.
func AnonymousPrincipal() Principal { return Principal{} }

// AccountPrincipal returns an account's root principal,
// arn:aws:iam::<account>:root. The bucket owner is the AccountPrincipal of
// KEYFRONT_ACCOUNT_ID; Evaluate gives it no special treatment.
func AccountPrincipal(account string) Principal {
	return Principal{Type: PrincipalAWS, ID: "arn:aws:iam::" + account + ":root"}
}

// ARNPrincipal returns the principal of an IAM user, role or STS session ARN.
func ARNPrincipal(arn string) Principal {
	return Principal{Type: PrincipalAWS, ID: arn}
}

// ServicePrincipal returns a service principal such as
// "cloudfront.amazonaws.com".
func ServicePrincipal(name string) Principal {
	return Principal{Type: PrincipalService, ID: name}
}

// Account returns the 12-digit account of a PrincipalAWS, "" otherwise.
func (p Principal) Account() string {
	if p.Type != PrincipalAWS {
		return ""
	}
	parts := strings.SplitN(p.ID, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}

// principalSet is a compiled Principal or NotPrincipal element.
type principalSet struct {
	everyone  bool     // "*" or {"AWS": "*"}
	accounts  []string // 12-digit accounts: match every AWS principal of the account
	arns      []string // exact IAM/STS ARNs
	services  []string // lower case
	canonical []string // lower case
	federated []string
}

// match reports whether the element names p.
func (s *principalSet) match(p Principal) bool {
	if s.everyone {
		return true
	}
	switch p.Type {
	case PrincipalAWS:
		for _, a := range s.arns {
			if a == p.ID {
				return true
			}
		}
		if len(s.accounts) > 0 {
			acct := p.Account()
			for _, a := range s.accounts {
				if a == acct {
					return true
				}
			}
		}
	case PrincipalService:
		for _, v := range s.services {
			if v == p.ID || strings.EqualFold(v, p.ID) {
				return true
			}
		}
	case PrincipalCanonicalUser:
		for _, v := range s.canonical {
			if strings.EqualFold(v, p.ID) {
				return true
			}
		}
	case PrincipalFederated:
		for _, v := range s.federated {
			if v == p.ID {
				return true
			}
		}
	}
	return false
}

// parsePrincipal compiles a Principal or NotPrincipal element:
// "*", or an object whose keys are AWS, Service, CanonicalUser, Federated and
// whose values are a string or a list of strings.
func parsePrincipal(n *node, path string) (principalSet, *Error) {
	var s principalSet
	switch n.kind {
	case kString:
		if n.str == "*" {
			s.everyone = true
			return s, nil
		}
		return s, newError(MsgInvalidPrincipal, path, n.str)
	case kObject:
	default:
		return s, newError(MsgInvalidPrincipal, path, n.text())
	}
	if len(n.obj) == 0 {
		return s, newError(MsgEmptyPrincipal, path, "")
	}
	for _, f := range n.obj {
		sub := joinPath(path, f.key)
		vals, err := principalValues(f.val, sub)
		if err != nil {
			return s, err
		}
		for i, v := range vals {
			vpath := sub
			if f.val.kind == kArray {
				vpath = indexPath(sub, i)
			}
			bad := newError(MsgInvalidPrincipal, vpath, v)
			switch f.key {
			case "AWS":
				switch {
				case v == "*":
					s.everyone = true
				case isAccountID(v):
					s.accounts = append(s.accounts, v)
				default:
					acct, root, ok := parseIAMPrincipalARN(v)
					if !ok {
						return s, bad
					}
					if root {
						s.accounts = append(s.accounts, acct)
					} else {
						s.arns = append(s.arns, v)
					}
				}
			case "Service":
				if !validServiceName(v) {
					return s, bad
				}
				s.services = append(s.services, strings.ToLower(v))
			case "CanonicalUser":
				if !isHex(v, 64) {
					return s, bad
				}
				s.canonical = append(s.canonical, strings.ToLower(v))
			case "Federated":
				if v == "" || strings.ContainsAny(v, "*?") {
					return s, bad
				}
				s.federated = append(s.federated, v)
			default:
				return s, newError(MsgInvalidPrincipal, sub, f.key)
			}
		}
	}
	return s, nil
}

func principalValues(n *node, path string) ([]string, *Error) {
	switch n.kind {
	case kString:
		if n.str == "" {
			return nil, newError(MsgInvalidPrincipal, path, "")
		}
		return []string{n.str}, nil
	case kArray:
		if len(n.arr) == 0 {
			return nil, newError(MsgInvalidPrincipal, path, "[]")
		}
		out := make([]string, 0, len(n.arr))
		for i, e := range n.arr {
			if e.kind != kString || e.str == "" {
				return nil, newError(MsgInvalidPrincipal, indexPath(path, i), e.text())
			}
			out = append(out, e.str)
		}
		return out, nil
	}
	return nil, newError(MsgInvalidPrincipal, path, n.text())
}

// parseIAMPrincipalARN accepts the ARNs reference_policies_elements_principal.html
// lists for the AWS key: arn:aws:iam::<account>:root, :user/..., :role/...,
// :federated-user/..., and arn:aws:sts::<account>:assumed-role/<role>/<session>
// or :federated-user/.... Wildcards are not allowed in principal ARNs ("You
// cannot use a wildcard to match part of a principal name or ARN").
func parseIAMPrincipalARN(v string) (account string, root, ok bool) {
	if strings.ContainsAny(v, "*?") {
		return "", false, false
	}
	parts := strings.SplitN(v, ":", 6)
	if len(parts) != 6 || parts[0] != "arn" || !validPartition(parts[1]) || parts[3] != "" || !isAccountID(parts[4]) {
		return "", false, false
	}
	res := parts[5]
	switch parts[2] {
	case "iam":
		if res == "root" {
			return parts[4], true, true
		}
		for _, p := range []string{"user/", "role/", "federated-user/"} {
			if strings.HasPrefix(res, p) && len(res) > len(p) {
				return parts[4], false, true
			}
		}
	case "sts":
		for _, p := range []string{"assumed-role/", "federated-user/"} {
			if strings.HasPrefix(res, p) && len(res) > len(p) {
				return parts[4], false, true
			}
		}
	}
	return "", false, false
}

func validPartition(p string) bool {
	return p == "aws" || strings.HasPrefix(p, "aws-") && len(p) > 4
}

// validServiceName accepts DNS-like service principal names such as
// cloudfront.amazonaws.com; S3 refuses wildcards and ARNs there.
func validServiceName(v string) bool {
	if !strings.Contains(v, ".") || strings.HasPrefix(v, ".") || strings.HasSuffix(v, ".") {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

func isAccountID(v string) bool {
	if len(v) != 12 {
		return false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < '0' || v[i] > '9' {
			return false
		}
	}
	return true
}

func isHex(v string, n int) bool {
	if len(v) != n {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

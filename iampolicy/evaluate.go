package iampolicy

import (
	"strconv"
	"strings"
)

// Request is what a bucket policy is asked about.
type Request struct {
	// Principal is the caller; the zero value is anonymous.
	Principal Principal
	// Action is the S3 action, e.g. "s3:GetObject" (matched case-insensitively).
	Action string
	// Resource is the ARN acted on: arn:aws:s3:::bucket for bucket actions,
	// arn:aws:s3:::bucket/key for object actions (matched case-sensitively).
	Resource string
	// Context holds the condition keys of the request. Keys the caller does
	// not set are absent, which matters: a condition on an absent key is
	// false, except that negated operators (StringNotEquals, NotIpAddress,
	// ...), ...IfExists, ForAllValues and Null "true" hold
	// (reference_policies_elements_condition_operators.html). Date
	// conditions need aws:CurrentTime or aws:EpochTime; this package reads no
	// clock.
	Context Context
}

// Verdict is the outcome of evaluating a policy.
type Verdict uint8

// The outcomes of reference_policies_evaluation-logic.html, for one
// resource-based policy: "an explicit deny in any policy overrides any
// allows"; otherwise an explicit allow allows; otherwise the request is
// implicitly denied.
const (
	// ImplicitDeny: no statement applies. The zero value.
	ImplicitDeny Verdict = iota
	// Allow: an Allow statement applies and no Deny statement does.
	Allow
	// ExplicitDeny: a Deny statement applies.
	ExplicitDeny
)

// String returns "ImplicitDeny", "Allow" or "ExplicitDeny".
func (v Verdict) String() string {
	switch v {
	case ImplicitDeny:
		return "ImplicitDeny"
	case Allow:
		return "Allow"
	case ExplicitDeny:
		return "ExplicitDeny"
	}
	return "Verdict(" + strconv.Itoa(int(v)) + ")"
}

// Decision is a policy's answer to a request and the statement that gave it.
type Decision struct {
	Verdict Verdict
	// Statement is the index of the deciding statement: the first applying
	// Deny for ExplicitDeny, the first applying Allow for Allow; -1 for
	// ImplicitDeny.
	Statement int
	// Sid is that statement's Sid ("" if it has none or for ImplicitDeny).
	Sid string
}

// Allowed reports whether the verdict is Allow.
func (d Decision) Allowed() bool { return d.Verdict == Allow }

// String describes the decision for logs: `Allow by Statement[0] (Sid "Read")`.
func (d Decision) String() string {
	if d.Verdict == ImplicitDeny {
		return "ImplicitDeny: no statement applies"
	}
	s := d.Verdict.String() + " by Statement[" + strconv.Itoa(d.Statement) + "]"
	if d.Sid != "" {
		s += " (Sid " + strconv.Quote(d.Sid) + ")"
	}
	return s
}

// Evaluate decides req against the policy. A nil policy (no bucket policy)
// gives ImplicitDeny.
//
// Evaluate knows nothing of ownership: keyfront allows the bucket owner's
// own credentials before asking the policy, as S3 does for the bucket
// owner's account (the owner may always manage the policy itself). Callers
// must apply that rule, and any others (such as rejecting a request whose
// signature did not verify), before or instead of calling Evaluate.
func (p *Policy) Evaluate(req *Request) Decision {
	d := Decision{Verdict: ImplicitDeny, Statement: -1}
	if p == nil {
		return d
	}
	for i := range p.Statements {
		st := &p.Statements[i]
		if st.applies(req).elem != elemNone {
			continue
		}
		if st.Effect == EffectDeny {
			return Decision{Verdict: ExplicitDeny, Statement: i, Sid: st.Sid}
		}
		if d.Verdict == ImplicitDeny {
			d = Decision{Verdict: Allow, Statement: i, Sid: st.Sid}
		}
	}
	return d
}

// Trace says whether one statement applied to a request, and if not, the
// first reason why not. Explain returns one per statement.
type Trace struct {
	Statement int
	Sid       string
	Effect    Effect
	Applies   bool
	// Reason is "" when Applies; otherwise the first element that does not
	// match, e.g. `Condition StringLike "aws:Referer": key is not present`.
	Reason string
}

// Explain is Evaluate with a per-statement account of why each statement did
// or did not apply, for keyfront's "why was this refused" answers and logs.
// It is slower than Evaluate and allocates.
func (p *Policy) Explain(req *Request) (Decision, []Trace) {
	d := p.Evaluate(req)
	if p == nil {
		return d, nil
	}
	out := make([]Trace, len(p.Statements))
	for i := range p.Statements {
		st := &p.Statements[i]
		t := Trace{Statement: i, Sid: st.Sid, Effect: st.Effect, Applies: true}
		if miss := st.applies(req); miss.elem != elemNone {
			t.Applies, t.Reason = false, miss.explain(st, req)
		}
		out[i] = t
	}
	return d, out
}

// mismatch names the first element of a statement that does not match a
// request; the zero value means the statement applies. Its text is built only
// by Explain, so that Evaluate does not allocate.
type mismatch struct {
	elem elem
	cond int // index into Statement.conditions, for elemCondition
}

type elem uint8

const (
	elemNone elem = iota
	elemPrincipal
	elemAction
	elemResource
	elemCondition
)

// applies reports what in the statement does not match req; the zero
// mismatch when the statement applies. Elements are checked cheapest first;
// a statement applies when its principal, action and resource match and all
// its conditions hold (reference_policies_elements_condition.html:
// conditions are ANDed).
func (st *Statement) applies(req *Request) mismatch {
	if st.principals.match(req.Principal) == st.notPrincipal {
		return mismatch{elem: elemPrincipal}
	}
	if matchAnyPattern(st.actions, req.Action, nil, true) == st.notAction {
		return mismatch{elem: elemAction}
	}
	if matchAnyPattern(st.resources, req.Resource, &req.Context, false) == st.notResource {
		return mismatch{elem: elemResource}
	}
	for i := range st.conditions {
		if !st.conditions[i].eval(&req.Context) {
			return mismatch{elem: elemCondition, cond: i}
		}
	}
	return mismatch{}
}

func matchAnyPattern(ps []pattern, s string, ctx *Context, fold bool) bool {
	for i := range ps {
		if ps[i].match(s, ctx, fold) {
			return true
		}
	}
	return false
}

func (m mismatch) explain(st *Statement, req *Request) string {
	q := strconv.Quote
	switch m.elem {
	case elemPrincipal:
		who := req.Principal.Type.String()
		if req.Principal.ID != "" {
			who += " " + q(req.Principal.ID)
		}
		if st.notPrincipal {
			return "NotPrincipal names " + who
		}
		return "Principal does not name " + who
	case elemAction:
		if st.notAction {
			return "NotAction names " + q(req.Action)
		}
		return "Action does not name " + q(req.Action)
	case elemResource:
		if st.notResource {
			return "NotResource names " + q(req.Resource)
		}
		return "Resource does not name " + q(req.Resource)
	}
	c := &st.conditions[m.cond]
	head := "Condition " + c.opName + " " + q(c.key) + ": "
	vals, present := req.Context.lookup(c.lkey)
	want := make([]string, len(c.values))
	for i := range c.values {
		want[i] = q(c.values[i].raw)
	}
	policy := "[" + strings.Join(want, ", ") + "]"
	if c.op.family == fNull {
		if present {
			return head + "key is present"
		}
		return head + "key is not present"
	}
	if !present {
		return head + "key is not present"
	}
	got := make([]string, len(vals))
	for i, v := range vals {
		got[i] = q(v)
	}
	return head + "request value " + strings.Join(got, ", ") + " does not satisfy " + policy
}

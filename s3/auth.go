package s3

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"

	"keyfront"
	"keyfront/iampolicy"
	"keyfront/originauth"
	"keyfront/sigv4"
)

// authenticate verifies the request's SigV4 signature, if it has one, and
// decides who is asking: the owner, the principal of the signing
// credential, or, with no signature at all, the anonymous principal
// (S3 User Guide, "Authenticating requests": an unsigned request is
// anonymous). A signature that does not verify is answered with the
// verifier's error; it never falls back to anonymous.
func (s *Server) authenticate(q *request) error {
	auth, err := s.cfg.Verifier.Verify(q.r)
	if err != nil {
		var se *sigv4.Error
		if errors.As(err, &se) && se.Kind == sigv4.KindMissing {
			q.principal = iampolicy.AnonymousPrincipal()
			return nil
		}
		return err
	}
	q.auth = auth
	p, isPrincipal := auth.Principal.(iampolicy.Principal)
	switch {
	case s.cfg.Owner.AccessKeyID != "" && auth.AccessKeyID == s.cfg.Owner.AccessKeyID,
		isPrincipal && s.cfg.Owner.AccountID != "" && p == iampolicy.AccountPrincipal(s.cfg.Owner.AccountID):
		q.owner = true
		q.principal = iampolicy.AccountPrincipal(s.cfg.Owner.AccountID)
	case isPrincipal:
		q.principal = p
	default:
		// A credential the wiring gave no principal: a signed request
		// from nobody a policy can name but "*".
		q.principal = iampolicy.Principal{Type: iampolicy.PrincipalAWS}
	}
	return nil
}

// authorize decides whether the request may do action on resource in
// bucket b: the owner always may; anyone else only if b's policy allows
// it (iampolicy.Policy.Evaluate: an explicit Deny wins, then an Allow,
// else deny). extra adds the action's own condition keys (s3:prefix, ...).
// A refusal is 403 AccessDenied "Access Denied", as S3 words it, with the
// reason in the debug log only.
func (s *Server) authorize(q *request, b *keyfront.Bucket, action, resource string, extra func(*iampolicy.Context)) error {
	if q.owner {
		return nil
	}
	if s.allowed(q, b, action, resource, extra) {
		return nil
	}
	return accessDenied()
}

// allowed is authorize's decision for a principal that is not the owner.
func (s *Server) allowed(q *request, b *keyfront.Bucket, action, resource string, extra func(*iampolicy.Context)) bool {
	if b == nil {
		return false
	}
	policy := s.policies.get(b, s.log)
	if policy == nil {
		s.debug(q, "s3 request denied: the bucket has no policy", "action", action, "resource", resource)
		return false
	}
	req := iampolicy.Request{Principal: q.principal, Action: action, Resource: resource, Context: *s.conditions(q)}
	if extra != nil {
		extra(&req.Context)
	}
	if d := policy.Evaluate(&req); d.Allowed() {
		return true
	}
	if s.log.Enabled(q.ctx(), slog.LevelDebug) {
		d, traces := policy.Explain(&req)
		reasons := make([]string, 0, len(traces))
		for _, t := range traces {
			reasons = append(reasons, "Statement["+strconv.Itoa(t.Statement)+"]: "+t.Reason)
		}
		s.debug(q, "s3 request denied by the bucket policy", "action", action, "resource", resource,
			"principal", q.principal.Type.String()+" "+q.principal.ID, "decision", d.String(), "statements", strings.Join(reasons, "; "))
	}
	return false
}

func (s *Server) debug(q *request, msg string, args ...any) {
	args = append(args, "request_id", requestIDs(q.r).request)
	s.log.Debug(msg, args...)
}

// conditions returns the global condition keys of the request
// (IAM User Guide, reference_policies_condition-keys.html), computed once.
//
//   - aws:SourceIp is the TCP peer's address: keyfront does not trust
//     X-Forwarded-For on the origin.
//   - aws:SecureTransport is "true" over TLS.
//   - aws:Referer and aws:UserAgent are the headers, when present, signed
//     or not; like S3, keyfront does not vouch for them.
//   - aws:CurrentTime and aws:EpochTime are the server's clock.
//   - aws:PrincipalType is Anonymous, Account (the owner or any account
//     root), User, AssumedRole or FederatedUser; it is absent for the
//     service principal, which has aws:PrincipalIsAWSService "true" and
//     aws:PrincipalServiceName instead.
//   - aws:SourceArn and aws:SourceAccount come only from headers signed
//     with the origin access control credential (originauth.Source).
//   - aws:PrincipalArn and aws:PrincipalAccount name an AWS principal.
func (s *Server) conditions(q *request) *iampolicy.Context {
	if q.conds != nil {
		return q.conds
	}
	c := &iampolicy.Context{}
	now := s.now().UTC()
	c.Set(iampolicy.KeyCurrentTime, now.Format("2006-01-02T15:04:05Z"))
	c.Set(iampolicy.KeyEpochTime, strconv.FormatInt(now.Unix(), 10))
	if host, _, err := net.SplitHostPort(q.r.RemoteAddr); err == nil {
		c.Set(iampolicy.KeySourceIP, host)
	}
	c.Set(iampolicy.KeySecureTransport, strconv.FormatBool(q.r.TLS != nil))
	if v := q.r.Header.Values("Referer"); len(v) > 0 {
		c.Set(iampolicy.KeyReferer, v...)
	}
	if v := q.r.Header.Values("User-Agent"); len(v) > 0 {
		c.Set(iampolicy.KeyUserAgent, v...)
	}
	p := q.principal
	c.Set("aws:PrincipalIsAWSService", strconv.FormatBool(p.Type == iampolicy.PrincipalService))
	switch p.Type {
	case iampolicy.PrincipalAnonymous:
		c.Set(iampolicy.KeyPrincipalType, "Anonymous")
	case iampolicy.PrincipalService:
		c.Set("aws:PrincipalServiceName", p.ID)
		arn, account := originauth.Source(q.auth, q.r.Header)
		if arn != "" {
			c.Set(iampolicy.KeySourceArn, arn)
		}
		if account != "" {
			c.Set(iampolicy.KeySourceAccount, account)
		}
	case iampolicy.PrincipalAWS:
		if p.ID != "" {
			c.Set(iampolicy.KeyPrincipalArn, p.ID)
			c.Set(iampolicy.KeyPrincipalType, awsPrincipalType(p.ID))
		}
		if acct := p.Account(); acct != "" {
			c.Set(iampolicy.KeyPrincipalAcct, acct)
		}
	}
	q.conds = c
	return c
}

// awsPrincipalType returns aws:PrincipalType for an IAM or STS ARN.
func awsPrincipalType(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 {
		return "User"
	}
	switch res := parts[5]; {
	case res == "root":
		return "Account"
	case strings.HasPrefix(res, "assumed-role/"):
		return "AssumedRole"
	case strings.HasPrefix(res, "federated-user/"):
		return "FederatedUser"
	}
	return "User"
}

// listConditions returns the extra condition keys of ListObjects and
// ListObjectsV2 (s3:prefix, s3:delimiter, s3:max-keys; Service
// Authorization Reference for Amazon S3): present only when the request
// has the parameter.
func listConditions(q *request) func(*iampolicy.Context) {
	return func(c *iampolicy.Context) {
		for _, k := range []struct{ param, key string }{
			{"prefix", iampolicy.KeyS3Prefix},
			{"delimiter", iampolicy.KeyS3Delimiter},
			{"max-keys", iampolicy.KeyS3MaxKeys},
		} {
			if q.query.Has(k.param) {
				c.Set(k.key, q.query.Get(k.param))
			}
		}
	}
}

// policyCache keeps each bucket's parsed policy, so that the hot path
// parses a policy once, not per request. An entry is used while the
// stored document is byte for byte the one it was parsed from.
type policyCache struct {
	mu sync.Mutex // guards m
	m  map[string]*cachedPolicy
}

type cachedPolicy struct {
	raw    []byte
	policy *iampolicy.Policy // nil if raw does not parse
}

// get returns b's parsed policy, or nil when it has none. A stored policy
// that no longer parses (written by another version of keyfront) allows
// nothing, and is logged.
func (c *policyCache) get(b *keyfront.Bucket, log *slog.Logger) *iampolicy.Policy {
	if b.Policy == nil {
		return nil
	}
	c.mu.Lock()
	e := c.m[b.Name]
	c.mu.Unlock()
	if e != nil && bytes.Equal(e.raw, b.Policy) {
		return e.policy
	}
	p, err := iampolicy.ParseForBucket(b.Policy, b.Name)
	if err != nil {
		log.Error("s3: stored bucket policy does not parse; it allows nothing", "bucket", b.Name, "err", err)
		p = nil
	}
	c.mu.Lock()
	if c.m == nil {
		c.m = make(map[string]*cachedPolicy)
	}
	c.m[b.Name] = &cachedPolicy{raw: bytes.Clone(b.Policy), policy: p}
	c.mu.Unlock()
	return p
}

// forget drops a bucket's entry, when the bucket is deleted.
func (c *policyCache) forget(bucket string) {
	c.mu.Lock()
	delete(c.m, bucket)
	c.mu.Unlock()
}

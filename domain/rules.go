package domain

import (
	"crypto/rand"
	"fmt"
	"io"
	"time"

	"keyfront"
	"keyfront/model"
)

// Config configures Rules.
type Config struct {
	// AccountID is the 12-digit account used in ARNs and accepted in
	// TrustedSigners. Empty means model.DefaultAccountID.
	AccountID string

	// EdgeDomain is the suffix of distribution domain names. Empty means
	// model.DefaultEdgeDomain.
	EdgeDomain string

	// Quotas bound the numbers of resources; zero fields mean CloudFront's
	// defaults (§7).
	Quotas Quotas

	// AllowAnyRSASize accepts RSA public keys of any size, not only 2048
	// bits (for tests with the published RSA-1024 vectors; §7).
	AllowAnyRSASize bool

	// NodeLiveTimeout is how long after its last report an edge node
	// still holds Deployed and Completed back (status.go). Zero means
	// DefaultLiveTimeout (10 s).
	NodeLiveTimeout time.Duration

	// Now returns the current time. Nil means time.Now.
	Now func() time.Time

	// Rand is the source of randomness for IDs, ETags and domain names. It
	// must be safe for concurrent use. Nil means crypto/rand.
	Rand io.Reader
}

// Quotas are the resource limits of control-api.md §7. A zero field means
// the CloudFront default shown in its comment.
type Quotas struct {
	PublicKeys                int // public keys per account: 10
	KeyGroups                 int // key groups per account: 10
	KeysPerKeyGroup           int // public keys per key group: 5
	KeyGroupsPerCacheBehavior int // key groups per cache behavior: 4
	DistributionsPerKeyGroup  int // distributions per key group: 100
	Distributions             int // distributions per account: 200
	CacheBehaviors            int // cache behaviors per distribution: 25
	Origins                   int // origins per distribution: 25
	CNAMEs                    int // alternate domain names per distribution: 100
	OriginAccessControls      int // origin access controls per account: 100
	InvalidationPaths         int // paths in progress and per batch: 3000
	InvalidationWildcards     int // wildcard paths in progress and per batch: 15
}

// WithDefaults returns q with zero fields set to CloudFront's defaults.
func (q Quotas) WithDefaults() Quotas {
	def := func(v *int, d int) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&q.PublicKeys, 10)
	def(&q.KeyGroups, 10)
	def(&q.KeysPerKeyGroup, 5)
	def(&q.KeyGroupsPerCacheBehavior, 4)
	def(&q.DistributionsPerKeyGroup, 100)
	def(&q.Distributions, 200)
	def(&q.CacheBehaviors, 25)
	def(&q.Origins, 25)
	def(&q.CNAMEs, 100)
	def(&q.OriginAccessControls, 100)
	def(&q.InvalidationPaths, 3000)
	def(&q.InvalidationWildcards, 15)
	return q
}

// Rules applies the write rules of one account. It keeps no state of its
// own and is safe for concurrent use.
type Rules struct {
	cfg    Config
	quotas Quotas
	now    func() time.Time
	rand   io.Reader
}

// New returns Rules for c.
func New(c Config) *Rules {
	r := &Rules{cfg: c, quotas: c.Quotas.WithDefaults(), now: c.Now, rand: c.Rand}
	if r.cfg.AccountID == "" {
		r.cfg.AccountID = model.DefaultAccountID
	}
	if r.cfg.EdgeDomain == "" {
		r.cfg.EdgeDomain = model.DefaultEdgeDomain
	}
	if r.now == nil {
		r.now = time.Now
	}
	if r.rand == nil {
		r.rand = rand.Reader
	}
	return r
}

// AccountID returns the account the rules apply to.
func (r *Rules) AccountID() string { return r.cfg.AccountID }

// Quotas returns the quotas in force, defaults filled in.
func (r *Rules) Quotas() Quotas { return r.quotas }

// DistributionARN returns the ARN of a distribution of the account.
func (r *Rules) DistributionARN(id keyfront.DistributionID) string {
	return model.DistributionARN(r.cfg.AccountID, id)
}

// ---- identifiers (control-api.md §4) ----

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// RandomString returns n characters drawn uniformly from alphabet read
// from rnd. It panics if rnd fails, as crypto/rand never does.
func RandomString(rnd io.Reader, alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	// Rejection sampling keeps the distribution uniform.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := io.ReadFull(rnd, buf); err != nil {
			panic(fmt.Sprintf("domain: reading randomness: %v", err))
		}
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out)
}

// UUID returns a lower-case version 4 UUID read from rnd: key group IDs,
// and the control API's request IDs. It panics if rnd fails.
func UUID(rnd io.Reader) string {
	var b [16]byte
	if _, err := io.ReadFull(rnd, b[:]); err != nil {
		panic(fmt.Sprintf("domain: reading randomness: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// newID returns prefix + 13 upper-case alphanumerics: public key ("K"),
// distribution and origin access control ("E"), invalidation ("I") IDs.
func (r *Rules) newID(prefix string) string { return prefix + RandomString(r.rand, upperAlnum, 13) }

// newETag returns a new version identifier: "E" + 13 (§4).
func (r *Rules) newETag() string { return r.newID("E") }

// newDomainName returns "d" + 13 lower-case alphanumerics + "." + edge domain.
func (r *Rules) newDomainName() string {
	return "d" + RandomString(r.rand, lowerAlnum, 13) + "." + r.cfg.EdgeDomain
}

// unusedID draws IDs until lookup reports one as not found.
func unusedID(gen func() string, lookup func(string) error) (string, error) {
	for {
		id := gen()
		err := lookup(id)
		if keyfront.ErrorCode(err) == keyfront.ENOTFOUND {
			return id, nil
		}
		if err != nil {
			return "", err
		}
	}
}

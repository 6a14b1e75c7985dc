// Package edge is keyfront's viewer-facing plane: it answers viewer requests
// the way an Amazon CloudFront edge does. For each request it
//
//  1. checks CloudFront's request limits (a URL over 8,192 bytes or a request
//     over 20,480 bytes gets 413 and the connection is closed);
//  2. finds the distribution by Host (port stripped, case-insensitive),
//     matching domain names and Aliases; an unknown or disabled host gets
//     CloudFront's 403 "Bad request." page, and the log a rate-limited
//     line naming the Host and a few of the hosts the edge knows
//     (unknownhost.go);
//  3. normalises the path (RFC 3986 dot segments, repeated slashes,
//     unreserved escapes) and picks the first cache behavior whose
//     PathPattern matches it, else the default behavior;
//  4. applies the behavior's ViewerProtocolPolicy (redirect-to-https
//     answers 301 to the TLS listener's port, Config.HTTPSPort) and
//     AllowedMethods;
//  5. on behaviors that trust key groups (or TrustedSigners), verifies the
//     signed URL or signed cookies with package signing and answers a
//     failure with CloudFront's exact 403 XML (signed-urls.md §11, §12).
//     The signature covers the raw request-target (§5); a custom policy's
//     Resource must in addition match the normalised path, so that
//     "/x/../secret" cannot use a grant for "/x/*";
//  6. serves the object from the cache or fetches it from the origin (the
//     embedded S3 origin, an external S3 endpoint or a custom HTTP(S)
//     origin), signing the origin request with origin access control when
//     the origin has one, and never forwarding the signing parameters or
//     signing cookies (§13).
//
// # Configuration
//
// The edge reads its configuration from a keyfront.Store: distributions
// (decoded once per ETag with model.DecodeStored), key groups, public keys
// (parsed once) and origin access controls. It keeps an immutable snapshot
// of what it needs to route and verify and swaps it atomically. It reads
// everything once, then follows the store's change feed (feed.go): Start
// waits for each new revision, reads what changed in one transaction and
// rebuilds only the distributions the change touches, so a change made
// through the control API reaches the edge as soon as the store wakes it,
// and an idle edge costs the same with ten distributions or ten thousand.
// Reload applies the pending changes at once. Invalidations are records in
// the same feed, purged from the cache before the edge counts their
// revision as applied. The edge is a node of the store: it reports the
// revision it has applied, which is how the control plane tells Deployed
// from InProgress. Nothing is cached across snapshots that could let a
// removed key verify: the signature memo is keyed by the fingerprint of
// the behavior's key set.
//
// # Forwarding
//
// What reaches the origin follows the behavior's ForwardedValues or its
// cache policy and origin request policy (the managed policies are known by
// ID; see policies.go). Independently of policy, the edge
//
//   - removes Expires, Policy, Signature, Key-Pair-Id and Hash-Algorithm from
//     the query, and the five CloudFront-* signing cookies, on behaviors that
//     require signatures (§13);
//   - forwards by default only what an origin needs to answer a cache fill:
//     Host is the origin's, User-Agent is "Amazon CloudFront", and it adds
//     Via, X-Amz-Cf-Id and X-Forwarded-For (the viewer's, with the TCP peer
//     appended). Range, If-Range and the conditional headers are forwarded
//     only on requests that bypass the cache; Content-Type, Content-Length
//     and Content-MD5 accompany request bodies. Referer, Origin, Accept and
//     every other viewer header reach the origin only when the policy names
//     them. CloudFront removes Referer and Accept unless configured
//     (Developer Guide, RequestAndResponseBehaviorCustomOrigin, request
//     headers table); keyfront does so for every header, so that no
//     viewer header the cache key ignores can change what the origin
//     answers. A bucket policy that tests aws:Referer therefore needs the
//     behavior to forward Referer (ForwardedValues Headers, or the managed
//     origin request policy UserAgentRefererHeaders);
//   - never forwards hop-by-hop headers, X-Forwarded-Proto, X-Real-IP,
//     X-Edge-* or viewer-sent X-Amz-* headers (an origin access control
//     signature would otherwise vouch for them), and forwards Authorization
//     on GET and HEAD only when the policy names it;
//   - adds the origin's custom headers last, replacing viewer values.
//
// # Responses
//
// Every response carries X-Amz-Cf-Id (the request ID, also in the access
// log), Via and, when the edge produced or judged it, X-Cache ("Hit",
// "Miss", "RefreshHit" or "Error" "from cloudfront"); cached objects carry
// Age. A behavior with a managed CORS response headers policy adds
// Access-Control-Allow-Origin to every response, the edge's 403s included,
// and CORS-With-Preflight has the edge answer preflight requests itself,
// before the signature check (preflights carry no credentials). Errors the edge makes
// itself use CloudFront's pages: the 403 XML of signed-urls.md §12, and the
// HTML "The request could not be satisfied." page for unknown hosts,
// refused methods and protocols, 408, 413, 502 and 504. writeError holds
// the only table from an edge error to its status and body. A viewer body
// relayed to the origin that pauses for Config.BodyIdleTimeout gets 408
// and a closed connection: the viewer stalled, not the origin.
//
// # Explaining
//
// Steps 1 to 5 are one function, decide, which ServeHTTP acts on and
// Explain reports: Explain evaluates a request (`keyfront verify
// --endpoint`, through the control API) against the configuration the edge
// serves, step by step, with the reason a person needs (the key group an
// untrusted key is in, the section of a Resource pattern that does not
// match), and gives the status and code ServeHTTP would answer. It fetches
// nothing.
package edge

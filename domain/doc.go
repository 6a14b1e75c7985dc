// Package domain holds keyfront's write rules over keyfront.Tx: creating,
// updating and deleting public keys, key groups, origin access controls,
// distributions and invalidations with every check CloudFront makes —
// field rules, uniqueness of names, caller references and aliases,
// references between resources, quotas, in-use checks and If-Match — and
// the generation of IDs, ETags and domain names (control-api.md §4–§10).
//
// Every function runs inside the transaction it is given, so a caller that
// runs one in Store.Update gets its checks and its write atomically: of two
// concurrent updates with the same ETag exactly one wins. The control API
// is one caller; a console or a signing service calls the same functions.
// Errors are *model.Error with CloudFront's code and message, or the
// store's *keyfront.Error for faults of the store itself.
//
// The package imports no plane (DESIGN.md, "The store is the only channel
// between planes").
package domain

package edge

import "keyfront"

// Internals the external tests exercise directly.
var (
	NormalizePath    = normalizePath
	MatchPathPattern = func(pattern, path string) bool { return matchPathPattern(patternWithSlash(pattern), path) }
)

// BuiltDistribution returns the distribution the edge serves under id, as
// an opaque value: the same value before and after a change means the
// change did not rebuild it.
func BuiltDistribution(s *Server, id string) any {
	if d := s.snap.Load().dists[keyfront.DistributionID(id)]; d != nil {
		return d
	}
	return nil
}

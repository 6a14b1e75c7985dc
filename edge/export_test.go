package edge

// Internals the external tests exercise directly.
var (
	NormalizePath    = normalizePath
	MatchPathPattern = func(pattern, path string) bool { return matchPathPattern(patternWithSlash(pattern), path) }
)

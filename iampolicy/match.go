package iampolicy

import (
	"strings"
	"unicode/utf8"
)

// A pattern is a compiled policy string: literal text, the wildcards * and ?
// where the element allows them, and policy variables ${key} where the policy
// version allows them.
type pattern struct {
	raw  string
	toks []token
	// exact is set when toks is one literal (or empty): matching is string
	// comparison.
	exact bool
	// vars is set when toks holds a variable, which must be resolved against
	// the request context before matching.
	vars bool
}

type tokenKind uint8

const (
	tLit   tokenKind = iota // s is literal text
	tStar                   // * : any sequence of characters, including none
	tQuest                  // ? : exactly one character
	tVar                    // ${s}: the single value of context key s (lower case)
)

type token struct {
	kind tokenKind
	s    string
	// def is the default of ${key, 'default'}; hasDef says it was given.
	def    string
	hasDef bool
}

// compileOpts says what a policy string may contain.
type compileOpts struct {
	wildcards bool // * and ? are wildcards (Action, Resource, *Like, Arn*)
	variables bool // ${...} are policy variables (Version 2012-10-17 only)
	lower     bool // fold the literal text to lower case (Action)
}

// compile turns s into a pattern.
//
// Policy variables (reference_policies_variables.html): with Version
// 2012-10-17, "${key}" is replaced at evaluation time by the request's value
// of that context key; "${key, 'default'}" gives a default for a missing key;
// "${*}", "${?}" and "${$}" stand for the literal characters. A string that
// looks like "${" but is not a well-formed variable stays literal text.
func compile(s string, o compileOpts) pattern {
	p := pattern{raw: s}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			t := lit.String()
			if o.lower {
				t = strings.ToLower(t)
			}
			p.toks = append(p.toks, token{kind: tLit, s: t})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case o.wildcards && c == '*':
			flush()
			// Consecutive stars match what one does.
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tStar {
				p.toks = append(p.toks, token{kind: tStar})
			}
			i++
			continue
		case o.wildcards && c == '?':
			flush()
			p.toks = append(p.toks, token{kind: tQuest})
			i++
			continue
		case o.variables && c == '$' && strings.HasPrefix(s[i:], "${"):
			if t, n, ok := parseVariable(s[i:]); ok {
				if t.kind == tLit {
					lit.WriteString(t.s)
				} else {
					flush()
					p.toks = append(p.toks, t)
					p.vars = true
				}
				i += n
				continue
			}
		}
		lit.WriteByte(c)
		i++
	}
	flush()
	p.exact = len(p.toks) == 0 || len(p.toks) == 1 && p.toks[0].kind == tLit
	return p
}

// parseVariable reads "${...}" at the start of s and returns the token and
// the number of bytes it spans.
func parseVariable(s string) (token, int, bool) {
	end := strings.IndexByte(s, '}')
	if end < 0 {
		return token{}, 0, false
	}
	body := strings.TrimSpace(s[2:end])
	switch body {
	case "*", "?", "$":
		return token{kind: tLit, s: body}, end + 1, true
	}
	key, def, hasDef := body, "", false
	if i := strings.IndexByte(body, ','); i >= 0 {
		key = strings.TrimSpace(body[:i])
		d := strings.TrimSpace(body[i+1:])
		if len(d) < 2 || d[0] != '\'' || d[len(d)-1] != '\'' {
			return token{}, 0, false
		}
		def, hasDef = d[1:len(d)-1], true
	}
	if !validVariableKey(key) {
		return token{}, 0, false
	}
	return token{kind: tVar, s: strings.ToLower(key), def: def, hasDef: hasDef}, end + 1, true
}

func validVariableKey(k string) bool {
	if k == "" || strings.IndexByte(k, ':') <= 0 {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' ||
			c == ':' || c == '/' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}

// hasWildcard reports whether the pattern has * or ?.
func (p *pattern) hasWildcard() bool {
	for _, t := range p.toks {
		if t.kind == tStar || t.kind == tQuest {
			return true
		}
	}
	return false
}

// literal returns the pattern's text with variables unresolved, for shape
// checks at parse time.
func (p *pattern) literal() string {
	if len(p.toks) == 1 && p.toks[0].kind == tLit {
		return p.toks[0].s
	}
	return p.raw
}

// match reports whether s matches p. ctx resolves policy variables; a
// variable whose key is absent (and has no default) or has several values
// matches nothing, as reference_policies_variables.html says of keys with
// no value. fold compares ASCII letters case-insensitively; the pattern's
// literals must then already be lower case.
func (p *pattern) match(s string, ctx *Context, fold bool) bool {
	if p.exact {
		var lit string
		if len(p.toks) == 1 {
			lit = p.toks[0].s
		}
		if fold {
			return len(s) == len(lit) && hasPrefixFold(s, lit)
		}
		return s == lit
	}
	if !p.vars {
		return matchTokens(p.toks, s, fold)
	}
	toks, ok := p.resolve(ctx)
	if !ok {
		return false
	}
	return matchTokens(toks, s, fold)
}

// resolve replaces variables with literal tokens: a wildcard character in a
// variable's value is matched literally.
func (p *pattern) resolve(ctx *Context) ([]token, bool) {
	toks := make([]token, len(p.toks))
	for i, t := range p.toks {
		if t.kind != tVar {
			toks[i] = t
			continue
		}
		v, ok := ctx.single(t.s)
		if !ok {
			if !t.hasDef {
				return nil, false
			}
			v = t.def
		}
		toks[i] = token{kind: tLit, s: v}
	}
	return toks, true
}

// resolveString returns the pattern's text with variables substituted, for
// operators that compare whole strings (StringEquals, StringEqualsIgnoreCase).
func (p *pattern) resolveString(ctx *Context) (string, bool) {
	if p.exact {
		if len(p.toks) == 1 {
			return p.toks[0].s, true
		}
		return "", true
	}
	toks, ok := p.resolve(ctx)
	if !ok {
		return "", false
	}
	var b strings.Builder
	for _, t := range toks {
		b.WriteString(t.s)
	}
	return b.String(), true
}

// matchTokens is the classic wildcard match with backtracking to the last
// star, over literal runs instead of single characters. ? consumes one UTF-8
// encoded character; * may consume any run, including slashes and colons
// (reference_policies_elements_resource.html: "you can use wildcards ...
// within any ARN segment").
func matchTokens(toks []token, s string, fold bool) bool {
	ti, si := 0, 0
	starT, starS := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				if ti == len(toks)-1 {
					return true // a trailing * takes the rest (the common "bucket/*")
				}
				starT, starS = ti, si
				ti++
				continue
			case tQuest:
				if si < len(s) {
					_, w := utf8.DecodeRuneInString(s[si:])
					si += w
					ti++
					continue
				}
			case tLit:
				if fold && hasPrefixFold(s[si:], t.s) || !fold && strings.HasPrefix(s[si:], t.s) {
					si += len(t.s)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starT < 0 || starS >= len(s) {
			return false
		}
		if s[starS] < utf8.RuneSelf {
			starS++
		} else {
			_, w := utf8.DecodeRuneInString(s[starS:])
			starS += w
		}
		ti, si = starT+1, starS
	}
}

// hasPrefixFold reports whether s begins with lower, comparing ASCII letters
// of s case-insensitively; lower must be in lower case.
func hasPrefixFold(s, lower string) bool {
	if len(s) < len(lower) {
		return false
	}
	for i := 0; i < len(lower); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != lower[i] {
			return false
		}
	}
	return true
}

package controlapi

import (
	"fmt"
	"io"
)

// Identifier formats (control-api.md §4).

const (
	upperAlnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	lowerAlnum = "abcdefghijklmnopqrstuvwxyz0123456789"
)

// randomString returns n characters drawn uniformly from alphabet.
func (s *Server) randomString(alphabet string, n int) string {
	out := make([]byte, n)
	buf := make([]byte, 1)
	// Rejection sampling keeps the distribution uniform.
	limit := 256 - 256%len(alphabet)
	for i := 0; i < n; {
		if _, err := io.ReadFull(s.rand, buf); err != nil {
			panic(fmt.Sprintf("controlapi: reading randomness: %v", err))
		}
		if int(buf[0]) >= limit {
			continue
		}
		out[i] = alphabet[int(buf[0])%len(alphabet)]
		i++
	}
	return string(out)
}

// newID returns prefix + 13 upper-case alphanumerics: public key ("K"),
// distribution and origin access control ("E"), invalidation ("I") IDs.
func (s *Server) newID(prefix string) string { return prefix + s.randomString(upperAlnum, 13) }

// newETag returns a new version identifier: "E" + 13 (§4).
func (s *Server) newETag() string { return s.newID("E") }

// newDomainName returns "d" + 13 lower-case alphanumerics + "." + edge domain.
func (s *Server) newDomainName() string {
	return "d" + s.randomString(lowerAlnum, 13) + "." + s.cfg.EdgeDomain
}

// newUUID returns a lower-case version 4 UUID: key group IDs and request IDs.
func (s *Server) newUUID() string {
	var b [16]byte
	if _, err := io.ReadFull(s.rand, b[:]); err != nil {
		panic(fmt.Sprintf("controlapi: reading randomness: %v", err))
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

func (s *Server) newRequestID() string { return s.newUUID() }

package controlapi

import "keyfront/domain"

// newRequestID returns a request ID, a lower-case UUID (control-api.md §1),
// drawn from the same source as the IDs the domain rules draw, so that a
// deterministic Config.Rand gives reproducible responses.
func (s *Server) newRequestID() string { return domain.UUID(s.rand) }

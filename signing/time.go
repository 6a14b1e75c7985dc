package signing

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// timeLayouts are the ISO 8601 forms `aws cloudfront sign` documents, plus
// fractional seconds and a "Z" suffix, which its parser also takes.
var timeLayouts = []string{
	"2006-01-02",
	"2006-01-02T15:04:05",
	"2006-01-02T15:04:05Z07:00",
	"2006-01-02T15:04:05Z0700",
	"2006-01-02 15:04:05",
	"2006-01-02 15:04:05Z07:00",
}

// ParseTime parses a date as `aws cloudfront sign` does (§14.3): YYYY-MM-DD
// (midnight UTC), YYYY-MM-DDThh:mm:ss (UTC), the same with a +hh:mm or
// -hh:mm offset or Z, or Unix seconds (so an 8-digit YYYYMMDD is read as
// seconds, as the AWS CLI warns). The result is in UTC.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, fmt.Errorf("empty date: use YYYY-MM-DD, YYYY-MM-DDThh:mm:ss[+hh:mm] or Unix seconds")
	}
	if isEpoch(s) {
		// Whole seconds count; a fractional part is dropped. The integer
		// part is parsed exactly rather than through a float64.
		whole, _, _ := strings.Cut(s, ".")
		if sec, err := strconv.ParseInt(whole, 10, 64); err == nil && sec < 1<<62 {
			return time.Unix(sec, 0).UTC(), nil
		}
	}
	for _, layout := range timeLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("unknown date format %q: use YYYY-MM-DD, YYYY-MM-DDThh:mm:ss, YYYY-MM-DDThh:mm:ss+hh:mm or Unix seconds", s)
}

// isEpoch reports whether s is digits with an optional fractional part.
func isEpoch(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' && !dot && i > 0:
			dot = true
		case c < '0' || c > '9':
			return false
		}
	}
	return true
}

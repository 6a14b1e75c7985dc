package cache_test

import (
	"net/http"
	"testing"
	"time"

	"keyfront/cache"
)

// TestTTL walks the table in CloudFront's "Manage how long content stays in
// the cache (expiration)" (DeveloperGuide/Expiration.html), for MinTTL 0
// and MinTTL > 0, with DefaultTTL 1 day and MaxTTL 1 year unless a case
// says otherwise.
func TestTTL(t *testing.T) {
	const (
		day  = 24 * time.Hour
		year = 365 * day
	)
	now := t0
	in := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		name          string
		status        int // 0 means 200
		header        []string
		min, def, max time.Duration
		want          time.Duration
	}{
		// No lifetime from the origin.
		{name: "nothing: default TTL", want: day},
		{name: "nothing, min 0, default 0", def: -1, want: 0},
		{name: "nothing, min above default: min", min: 2 * day, want: 2 * day},
		{name: "nothing: default not capped by max", max: time.Hour, want: day},

		// max-age.
		{name: "max-age below max", header: []string{"Cache-Control", "max-age=3600"}, want: time.Hour},
		{name: "max-age above max: max", header: []string{"Cache-Control", "max-age=3600"}, max: 300 * time.Second, want: 300 * time.Second},
		{name: "max-age below min: min", header: []string{"Cache-Control", "max-age=30"}, min: time.Minute, want: time.Minute},
		{name: "max-age between min and max", header: []string{"Cache-Control", "public, max-age=600"}, min: time.Minute, want: 10 * time.Minute},
		{name: "max-age=0, min 0: not cached", header: []string{"Cache-Control", "max-age=0"}, want: 0},
		{name: "max-age=0, min 10s", header: []string{"Cache-Control", "max-age=0"}, min: 10 * time.Second, want: 10 * time.Second},
		{name: "max-age name case-insensitive", header: []string{"Cache-Control", "Max-Age=60"}, want: time.Minute},
		{name: "max-age quoted", header: []string{"Cache-Control", `max-age="60"`}, want: time.Minute},
		{name: "max-age invalid is ignored", header: []string{"Cache-Control", "max-age=soon"}, want: day},
		{name: "max-age huge is 2^31 seconds", header: []string{"Cache-Control", "max-age=99999999999999999999"}, max: 100 * year, want: (1 << 31) * time.Second},
		{name: "duplicate max-age: first wins", header: []string{"Cache-Control", "max-age=60, max-age=120"}, want: time.Minute},

		// s-maxage.
		{name: "s-maxage over max-age", header: []string{"Cache-Control", "max-age=60, s-maxage=600"}, want: 10 * time.Minute},
		{name: "s-maxage lower than max-age", header: []string{"Cache-Control", "max-age=600, s-maxage=60"}, want: time.Minute},
		{name: "s-maxage above max: max", header: []string{"Cache-Control", "s-maxage=7200"}, max: time.Hour, want: time.Hour},
		{name: "s-maxage below min: min", header: []string{"Cache-Control", "s-maxage=5"}, min: time.Minute, want: time.Minute},

		// Expires.
		{name: "Expires in an hour", header: []string{"Expires", in(time.Hour)}, want: time.Hour},
		{name: "Expires beyond max: max", header: []string{"Expires", in(48 * time.Hour)}, max: day, want: day},
		{name: "Expires in the past, min 0: not cached", header: []string{"Expires", in(-time.Hour)}, want: 0},
		{name: "Expires in the past, min 1m: min", header: []string{"Expires", in(-time.Hour)}, min: time.Minute, want: time.Minute},
		{name: "Expires invalid means expired", header: []string{"Expires", "0"}, want: 0},
		{name: "max-age beats Expires", header: []string{"Cache-Control", "max-age=60", "Expires", in(day)}, want: time.Minute},

		// no-cache, no-store, private.
		{name: "no-store, min 0: not cached", header: []string{"Cache-Control", "no-store"}, want: 0},
		{name: "no-cache, min 0: not cached", header: []string{"Cache-Control", "no-cache"}, want: 0},
		{name: "private, min 0: not cached", header: []string{"Cache-Control", "private, max-age=600"}, want: 0},
		{name: "no-store, min 1h: min", header: []string{"Cache-Control", "no-store"}, min: time.Hour, want: time.Hour},
		{name: "private with max-age, min 1m: min", header: []string{"Cache-Control", "private, max-age=600"}, min: time.Minute, want: time.Minute},
		{name: "no-cache with fields", header: []string{"Cache-Control", `no-cache="Set-Cookie, X-A", max-age=60`}, want: 0},
		{name: "comma inside quotes is not a separator", header: []string{"Cache-Control", `community="a,no-store", max-age=60`}, want: time.Minute},
		{name: "directives across two fields", header: []string{"Cache-Control", "public", "Cache-Control", "max-age=60"}, want: time.Minute},

		// Statuses.
		{name: "301 uses the rules", status: 301, header: []string{"Cache-Control", "max-age=60"}, want: time.Minute},
		{name: "302 without headers: default", status: 302, want: day},
		{name: "307 without Cache-Control: not cached", status: 307, header: []string{"Expires", in(time.Hour)}, want: 0},
		{name: "308 with Cache-Control", status: 308, header: []string{"Cache-Control", "max-age=60"}, want: time.Minute},
		{name: "206 is never stored", status: 206, header: []string{"Cache-Control", "max-age=60"}, want: 0},
		{name: "304 is not an object", status: 304, want: 0},
		{name: "404 uses ErrorTTL", status: 404, header: []string{"Cache-Control", "max-age=60"}, want: 0},
		{name: "500 uses ErrorTTL", status: 500, want: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for i := 0; i+1 < len(tc.header); i += 2 {
				h.Add(tc.header[i], tc.header[i+1])
			}
			status := tc.status
			if status == 0 {
				status = 200
			}
			def, max := tc.def, tc.max
			if def == 0 {
				def = day
			} else if def < 0 {
				def = 0
			}
			if max == 0 {
				max = year
			}
			if got := cache.TTL(h, status, tc.min, def, max, now); got != tc.want {
				t.Errorf("TTL = %v, want %v", got, tc.want)
			}
		})
	}
}

// TestErrorTTL follows "How CloudFront processes and caches HTTP 4xx and
// 5xx status codes from your origin" (DeveloperGuide/HTTPStatusCodes.html).
func TestErrorTTL(t *testing.T) {
	const errMin = 10 * time.Second
	for _, tc := range []struct {
		name         string
		status       int
		cacheControl string
		want         time.Duration
	}{
		{"404 always cached", 404, "", errMin},
		{"503 always cached", 503, "", errMin},
		{"404 with longer max-age", 404, "max-age=300", 5 * time.Minute},
		{"404 with shorter max-age", 404, "max-age=1", errMin},
		{"404 with s-maxage", 404, "max-age=1, s-maxage=60", time.Minute},
		{"403 needs max-age", 403, "", 0},
		{"403 with max-age", 403, "max-age=60", time.Minute},
		{"400 with s-maxage", 400, "s-maxage=5", errMin},
		{"410 is not in either list", 410, "max-age=60", 0},
		{"200 is not an error", 200, "max-age=60", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			if tc.cacheControl != "" {
				h.Set("Cache-Control", tc.cacheControl)
			}
			if got := cache.ErrorTTL(h, tc.status, errMin); got != tc.want {
				t.Errorf("ErrorTTL = %v, want %v", got, tc.want)
			}
		})
	}
}

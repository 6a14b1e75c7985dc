package edge

import (
	"crypto/sha256"
	"fmt"
	"runtime"
	"strings"
	"testing"

	"keyfront/signing"
)

// BenchmarkMemoRetention fills the signature memo with 65,536 successful
// checks of distinct 2 KiB signed URLs and reports the heap the memo keeps
// per entry once the requests are gone.
func BenchmarkMemoRetention(b *testing.B) {
	const n = 65536
	pad := strings.Repeat("x", 2000)
	for b.Loop() {
		m := newMemo(n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range n {
			uri := fmt.Sprintf("/v/seg%d.ts?pad=%s&Expires=2000000000&Signature=sig%d&Key-Pair-Id=K2JCJMDEHXQW5F", i, pad, i)
			q := uri[strings.IndexByte(uri, '?')+1:]
			res := &signing.Result{KeyPairID: q[len(q)-14:], Query: q[:len(pad)+4],
				Policy: &signing.Policy{DateLessThan: 2000000000}}
			m.put(sha256.Sum256([]byte(uri)), res, res.Policy.DateLessThan)
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/n, "heap-B/entry")
		runtime.KeepAlive(m)
	}
}

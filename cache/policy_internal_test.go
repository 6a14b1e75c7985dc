package cache

// This file is an internal test because it drives the unexported SIEVE
// queue directly: it justifies the eviction policy (STYLE.md: no cleverness
// on the hot path without a benchmark) by comparing it with LRU on the
// same traces, for hit ratio and for the cost of a hit under contention.

import (
	"container/list"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
)

// policy is a cache of unit-size objects under one eviction policy.
type policy interface {
	// access looks key up, inserting it (evicting if full) on a miss, and
	// reports whether it was a hit.
	access(key string) bool
}

// sievePolicy is the cache's own queue with a map, as Cache uses them.
type sievePolicy struct {
	index map[string]*node
	q     queue
}

func newSieve(capacity int) *sievePolicy {
	return &sievePolicy{index: make(map[string]*node), q: queue{budget: int64(capacity)}}
}

func (p *sievePolicy) access(key string) bool {
	if n := p.index[key]; n != nil {
		n.visited.Store(true)
		return true
	}
	for p.q.count > 0 && p.q.bytes+1 > p.q.budget {
		v := p.q.victim()
		p.q.remove(v)
		delete(p.index, v.key)
	}
	n := &node{key: key, charge: 1}
	p.q.push(n)
	p.index[key] = n
	return false
}

// lruPolicy is textbook LRU: a hit moves the entry to the front.
type lruPolicy struct {
	index    map[string]*list.Element
	order    *list.List
	capacity int
}

func newLRU(capacity int) *lruPolicy {
	return &lruPolicy{index: make(map[string]*list.Element), order: list.New(), capacity: capacity}
}

func (p *lruPolicy) access(key string) bool {
	if el := p.index[key]; el != nil {
		p.order.MoveToFront(el)
		return true
	}
	if p.order.Len() >= p.capacity {
		old := p.order.Back()
		p.order.Remove(old)
		delete(p.index, old.Value.(string))
	}
	p.index[key] = p.order.PushFront(key)
	return false
}

// trace generates a request stream over a catalogue of objects whose
// popularity follows a Zipf law (web and CDN traffic, Breslau et al. 1999),
// optionally interleaved with one-hit wonders: unique URLs requested once,
// as crawlers and cache-busting query strings produce.
func trace(n int, zipfS float64, catalogue uint64, oneHitShare float64) []string {
	rng := rand.New(rand.NewPCG(42, 7))
	z := rand.NewZipf(rng, zipfS, 1, catalogue-1)
	out := make([]string, n)
	for i := range out {
		if rng.Float64() < oneHitShare {
			out[i] = "once/" + strconv.Itoa(i)
			continue
		}
		out[i] = "obj/" + strconv.FormatUint(z.Uint64(), 10)
	}
	return out
}

// BenchmarkPolicy reports each policy's hit ratio (hit%) on the same
// traces, with a cache holding 1% of the catalogue, and the time per
// access single-threaded.
func BenchmarkPolicy(b *testing.B) {
	const catalogue = 100_000
	for _, tr := range []struct {
		name    string
		s       float64
		oneHits float64
	}{
		{"zipf1.1", 1.1, 0},
		{"zipf1.1+30%once", 1.1, 0.3},
		{"zipf1.4+30%once", 1.4, 0.3},
	} {
		reqs := trace(1_000_000, tr.s, catalogue, tr.oneHits)
		for _, pol := range []struct {
			name string
			make func(int) policy
		}{
			{"sieve", func(c int) policy { return newSieve(c) }},
			{"lru", func(c int) policy { return newLRU(c) }},
		} {
			b.Run(tr.name+"/"+pol.name, func(b *testing.B) {
				var hits, total int
				for b.Loop() {
					p := pol.make(catalogue / 100)
					hits, total = 0, 0
					for _, k := range reqs {
						if p.access(k) {
							hits++
						}
						total++
					}
				}
				b.ReportMetric(100*float64(hits)/float64(total), "hit%")
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(reqs)), "ns/access")
			})
		}
	}
}

// BenchmarkPolicyParallelHit measures a hit under contention, with the lock
// each policy needs: SIEVE only sets a bit, so hits share a read lock; LRU
// moves the entry, so every hit takes the lock exclusively.
func BenchmarkPolicyParallelHit(b *testing.B) {
	const objects = 1024
	keys := make([]string, objects)
	for i := range keys {
		keys[i] = "obj/" + strconv.Itoa(i)
	}
	b.Run("sieve-rwmutex", func(b *testing.B) {
		p := newSieve(objects)
		for _, k := range keys {
			p.access(k)
		}
		var mu sync.RWMutex
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(objects)
			for pb.Next() {
				i = (i + 1) % objects
				mu.RLock()
				n := p.index[keys[i]]
				if !n.visited.Load() {
					n.visited.Store(true)
				}
				mu.RUnlock()
			}
		})
	})
	b.Run("lru-mutex", func(b *testing.B) {
		p := newLRU(objects)
		for _, k := range keys {
			p.access(k)
		}
		var mu sync.Mutex
		b.RunParallel(func(pb *testing.PB) {
			i := rand.IntN(objects)
			for pb.Next() {
				i = (i + 1) % objects
				mu.Lock()
				p.order.MoveToFront(p.index[keys[i]])
				mu.Unlock()
			}
		})
	})
}

package cache

// Waiters reports how many callers wait for the fetch in progress for key,
// the leader included, so that tests can release a fetch once every caller
// has joined it without sleeping.
func (c *Cache) Waiters(key string) int64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if f := c.flights[key]; f != nil {
		return f.callers
	}
	return 0
}

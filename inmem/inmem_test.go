package inmem_test

import (
	"testing"

	"keyfront"
	"keyfront/inmem"
	"keyfront/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) keyfront.Store {
		s := inmem.New()
		t.Cleanup(func() { s.Close() })
		return s
	})
}

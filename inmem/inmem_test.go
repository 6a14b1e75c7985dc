package inmem_test

import (
	"testing"

	"keyfront"
	"keyfront/inmem"
	"keyfront/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T, o storetest.Options) keyfront.Store {
		s := inmem.NewWith(inmem.Options{KeepRevisions: o.KeepRevisions})
		t.Cleanup(func() { s.Close() })
		return s
	})
}

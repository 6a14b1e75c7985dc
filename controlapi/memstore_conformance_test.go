package controlapi_test

import (
	"testing"

	"keyfront"
	"keyfront/storetest"
)

// TestMemStore checks that the handler tests' store keeps the Store
// contract the real stores keep.
func TestMemStore(t *testing.T) {
	storetest.Run(t, func(*testing.T) keyfront.Store { return newMemStore() })
}

package keyfront_test

import (
	"context"
	"fmt"

	"keyfront"
	"keyfront/inmem"
)

// A reader follows a store: it reads what it needs in one View and notes
// the revision, then waits for the next revision and reads what changed,
// and the changed records, in one View.
func ExampleStore_Wait() {
	ctx := context.Background()
	store := inmem.New()
	defer store.Close()

	// The reader's first load.
	var rev keyfront.Revision
	store.View(ctx, func(tx keyfront.Tx) error {
		// ... list every record the reader follows ...
		var err error
		rev, err = tx.Revision(ctx)
		return err
	})

	// Elsewhere, a writer commits.
	store.Update(ctx, func(tx keyfront.Tx) error {
		return tx.PutKeyGroup(ctx, &keyfront.KeyGroup{ID: "0b9b7cde-6f0a-4c8e-9a6c-2d1f0e3b4a59", Name: "signers"})
	})

	// The reader wakes and catches up.
	if _, err := store.Wait(ctx, rev); err != nil {
		fmt.Println(err)
		return
	}
	store.View(ctx, func(tx keyfront.Tx) error {
		cl, err := tx.Changes(ctx, rev)
		if err != nil {
			return err
		}
		if cl.Reload != keyfront.ReloadNone {
			// ... list every record again, in this View ...
			rev = cl.Revision
			return nil
		}
		for _, c := range cl.Changes {
			if c.Kind == keyfront.KindKeyGroup {
				g, err := tx.GetKeyGroup(ctx, keyfront.KeyGroupID(c.ID))
				switch {
				case keyfront.ErrorCode(err) == keyfront.ENOTFOUND:
					fmt.Printf("revision %d: key group %s was deleted\n", c.Revision, c.ID)
				case err != nil:
					return err
				default:
					fmt.Printf("revision %d: key group %s is now %q\n", c.Revision, g.ID, g.Name)
				}
			}
		}
		rev = cl.Revision
		return nil
	})
	// Output:
	// revision 1: key group 0b9b7cde-6f0a-4c8e-9a6c-2d1f0e3b4a59 is now "signers"
}

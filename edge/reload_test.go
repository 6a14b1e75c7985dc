package edge_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"keyfront"
	"keyfront/signing"
)

// Key rotation through the store (signed-urls.md §10): a key added to the
// group works at the next snapshot, a key removed stops working at the
// next snapshot — even for a URL whose verification is remembered.
func TestKeyRotationAndRevocation(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) { d.Default.CachePolicy = cachingDisabled })
	e.origin.put("/a.txt", "secret")
	base := "http://" + host1 + "/a.txt"
	urlA := signURL(t, keyA, base)
	urlB := signURL(t, keyB, base)

	for range 2 { // the second answer comes from the signature memo
		if resp, _ := e.get(urlA); resp.StatusCode != 200 {
			t.Fatalf("key A: %d", resp.StatusCode)
		}
	}
	resp, body := e.get(urlB)
	checkRejection(t, resp, body, "InvalidKey")

	// Rotate in: key B joins the group.
	e.putKey(keyB, rsaKey2())
	e.putGroup(group, keyA, keyEC, keyB) // update() reloads
	if resp, _ := e.get(urlB); resp.StatusCode != 200 {
		t.Errorf("key B after it joined the group: %d", resp.StatusCode)
	}

	// Rotate out: key A leaves the group. Its remembered verification
	// must not outlive its membership.
	e.putGroup(group, keyEC, keyB)
	resp, body = e.get(urlA)
	checkRejection(t, resp, body, "InvalidKey")
	if resp, _ := e.get(urlB); resp.StatusCode != 200 {
		t.Errorf("key B after A left: %d", resp.StatusCode)
	}

	// Deleting the key itself has the same effect.
	e.update(func(ctx context.Context, tx keyfront.Tx) error { return tx.DeletePublicKey(ctx, keyB) })
	resp, body = e.get(urlB)
	checkRejection(t, resp, body, "InvalidKey")
}

// The memo never outlives the policy: a remembered URL is refused at
// DateLessThan, and its other conditions are judged per request.
func TestMemoRespectsExpiryAndConditions(t *testing.T) {
	e := newEnv(t)
	e.basicSetup(func(d *dist) { d.Default.CachePolicy = cachingDisabled })
	e.origin.put("/a.txt", "secret")
	e.origin.put("/b.txt", "other")
	s := signer(t, keyA, signing.SHA1)
	url := mustSign(t, s, "http://"+host1+"/a.txt", signing.Terms{
		Resource:        "http://" + host1 + "/a.txt",
		DateLessThan:    testNow.Add(10 * time.Minute),
		DateGreaterThan: testNow.Add(-time.Minute),
		IPAddress:       "127.0.0.1",
	})
	for range 3 {
		if resp, _ := e.get(url); resp.StatusCode != 200 {
			t.Fatalf("fresh: %d", resp.StatusCode)
		}
	}
	// Same credentials on another path: the resource is re-checked.
	cookieURL := "http://" + host1 + "/a.txt"
	cookies := signCookies(t, keyA, cookieURL)
	if resp, _ := e.get(cookieURL, "Cookie", cookies); resp.StatusCode != 200 {
		t.Fatalf("cookies: %d", resp.StatusCode)
	}
	resp, body := e.get("http://"+host1+"/b.txt", "Cookie", cookies)
	checkRejection(t, resp, body, "AccessDenied")

	e.clock.advance(10 * time.Minute) // now == DateLessThan
	resp, body = e.get(url)
	checkRejection(t, resp, body, "AccessDenied")
}

// A configuration change reaches the edge by Reload, and by the feed
// that Start follows.
func TestConfigChangeReachesEdge(t *testing.T) {
	e := newEnv(t)
	e.basicSetup()
	e.origin.put("/a.txt", "secret")
	url := "http://" + host1 + "/a.txt"
	if resp, body := e.get(url); resp.StatusCode != 403 {
		t.Fatalf("restricted: %d %s", resp.StatusCode, body)
	}
	// Lift the restriction (putDist reloads).
	e.putDist(dist1, dist{Domain: host1, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}})
	if resp, body := e.get(url); resp.StatusCode != 200 || body != "secret" {
		t.Fatalf("after Reload: %d %s", resp.StatusCode, body)
	}

	// The feed: change the store without reloading, and wait for the
	// edge to notice (the store wakes it at once; the deadline is
	// generous).
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	e.edge.Start(ctx)
	ctx2 := context.Background()
	aliases := []string{"new.example.com"}
	cfg := dist{Domain: host1, Aliases: aliases, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1"}}.stored(t)
	err := e.store.Update(ctx2, func(tx keyfront.Tx) error {
		d, err := tx.GetDistribution(ctx2, dist1)
		if err != nil {
			return err
		}
		d.ETag = nextETag()
		d.Aliases = aliases
		d.Config = cfg
		return tx.PutDistribution(ctx2, d)
	})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, _ := e.get("http://new.example.com/a.txt")
		if resp.StatusCode == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the alias never reached the edge: %d", resp.StatusCode)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := e.edge.Close(); err != nil {
		t.Fatal(err)
	}
}

// Behaviors with TrustedSigners "self" trust every key of the account
// (signed-urls.md §10).
func TestTrustedSignersSelf(t *testing.T) {
	e := newEnv(t)
	e.putKey(keyB, rsaKey2())
	e.putDist(dist1, dist{Domain: host1, Origins: []orig{e.customOrigin("o1")}, Default: beh{Target: "o1", TrustSelf: true}})
	e.origin.put("/a.txt", "secret")
	if resp, body := e.get(signURL(t, keyB, "http://"+host1+"/a.txt")); resp.StatusCode != 200 {
		t.Errorf("key of the account: %d %s", resp.StatusCode, body)
	}
	resp, body := e.get(signURL(t, keyA, "http://"+host1+"/a.txt"))
	checkRejection(t, resp, body, "InvalidKey")
}

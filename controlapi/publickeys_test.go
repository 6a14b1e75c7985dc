package controlapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"

	"keyfront/controlapi"
)

func TestPublicKeyLifecycle(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	c := e.client

	created := e.createKey(t, "signer-a")
	id := created.PublicKey.Id
	if got, want := aws.ToString(created.PublicKey.PublicKeyConfig.EncodedKey), rsaPEM; got != want {
		t.Errorf("EncodedKey of a canonical key = %q, want it byte-identical %q", got, want)
	}
	if got := aws.ToString(created.PublicKey.PublicKeyConfig.Comment); got != "" {
		t.Errorf("Comment = %q, want empty", got)
	}
	if !strings.HasSuffix(aws.ToString(created.Location), "/2020-05-31/public-key/"+aws.ToString(id)) {
		t.Errorf("Location = %q", aws.ToString(created.Location))
	}

	got, err := c.GetPublicKey(ctx, &cloudfront.GetPublicKeyInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(got.ETag) != aws.ToString(created.ETag) {
		t.Errorf("GetPublicKey ETag = %s, want the create's %s", aws.ToString(got.ETag), aws.ToString(created.ETag))
	}
	if !got.PublicKey.CreatedTime.Equal(aws.ToTime(created.PublicKey.CreatedTime)) {
		t.Errorf("CreatedTime = %v, want %v", got.PublicKey.CreatedTime, created.PublicKey.CreatedTime)
	}
	cfg, err := c.GetPublicKeyConfig(ctx, &cloudfront.GetPublicKeyConfigInput{Id: id})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(cfg.ETag) != aws.ToString(created.ETag) || aws.ToString(cfg.PublicKeyConfig.Name) != "signer-a" {
		t.Errorf("GetPublicKeyConfig = %+v, ETag %s", cfg.PublicKeyConfig, aws.ToString(cfg.ETag))
	}

	list, err := c.ListPublicKeys(ctx, &cloudfront.ListPublicKeysInput{})
	if err != nil {
		t.Fatal(err)
	}
	if q := aws.ToInt32(list.PublicKeyList.Quantity); q != 1 || len(list.PublicKeyList.Items) != 1 || aws.ToString(list.PublicKeyList.Items[0].Id) != aws.ToString(id) {
		t.Errorf("ListPublicKeys = %d items %+v", q, list.PublicKeyList.Items)
	}
	if list.PublicKeyList.NextMarker != nil {
		t.Errorf("NextMarker = %q on the only page, want none", aws.ToString(list.PublicKeyList.NextMarker))
	}

	upd, err := c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{
		Id: id, IfMatch: created.ETag,
		PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String("ref-signer-a"), Name: aws.String("signer-a"),
			EncodedKey: aws.String(rsaPEM), Comment: aws.String("rotated"),
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(upd.ETag) == aws.ToString(created.ETag) {
		t.Error("UpdatePublicKey kept the ETag")
	}
	if aws.ToString(upd.PublicKey.PublicKeyConfig.Comment) != "rotated" {
		t.Errorf("Comment = %q", aws.ToString(upd.PublicKey.PublicKeyConfig.Comment))
	}

	_, err = c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: id, IfMatch: created.ETag})
	wantErr[*types.PreconditionFailed](t, err)
	_, err = c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: id})
	wantErr[*types.InvalidIfMatchVersion](t, err)
	if _, err := c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: id, IfMatch: upd.ETag}); err != nil {
		t.Fatal(err)
	}
	_, err = c.GetPublicKey(ctx, &cloudfront.GetPublicKeyInput{Id: id})
	wantErr[*types.NoSuchPublicKey](t, err)
	_, err = c.GetPublicKeyConfig(ctx, &cloudfront.GetPublicKeyConfigInput{Id: id})
	wantErr[*types.NoSuchPublicKey](t, err)
	_, err = c.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: id, IfMatch: upd.ETag})
	wantErr[*types.NoSuchPublicKey](t, err)
}

func TestPublicKeyRules(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, func(c *controlapi.Config) { c.Quotas.PublicKeys = 3 })
	c := e.client
	k := e.createKey(t, "first")

	create := func(ref, name, key string) error {
		_, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String(ref), Name: aws.String(name), EncodedKey: aws.String(key)}})
		return err
	}
	t.Run("name taken", func(t *testing.T) {
		e := wantErr[*types.PublicKeyAlreadyExists](t, create("other-ref", "first", rsaPEM))
		if !strings.Contains(e.ErrorMessage(), "name") {
			t.Errorf("message %q does not say the name is taken", e.ErrorMessage())
		}
	})
	t.Run("caller reference taken", func(t *testing.T) {
		wantErr[*types.PublicKeyAlreadyExists](t, create("ref-first", "other", rsaPEM))
	})
	t.Run("bad names", func(t *testing.T) {
		for _, name := range []string{"", "has space", strings.Repeat("n", 129), "dot.ted"} {
			wantErr[*types.InvalidArgument](t, create("ref-"+name, name, rsaPEM))
		}
	})
	t.Run("keys", func(t *testing.T) {
		for _, c := range []struct {
			name, key, wantInMessage string
		}{
			{"garbage", "hello", "BEGIN PUBLIC KEY"},
			{"pkcs1", pkcs1PEM(), "openssl rsa -RSAPublicKey_in -pubout"},
			{"private", privatePEM(), "private key"},
			{"rsa1024", rsa1024PEM, "RSA-1024"},
			{"p384", ec384PEM, "P-384"},
			{"truncated", rsaPEM[:len(rsaPEM)/2], "BEGIN PUBLIC KEY"},
		} {
			err := wantErr[*types.InvalidArgument](t, create("ref-"+c.name, c.name, c.key))
			if !strings.Contains(err.ErrorMessage(), c.wantInMessage) {
				t.Errorf("%s: message %q does not mention %q", c.name, err.ErrorMessage(), c.wantInMessage)
			}
		}
	})
	t.Run("canonical PEM", func(t *testing.T) {
		// CRLF line ends, surrounding blank lines: the same key, stored
		// canonical (§3.1).
		messy := "\r\n" + strings.ReplaceAll(ecPEM, "\n", "\r\n") + "\r\n"
		out, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
			CallerReference: aws.String("ref-ec"), Name: aws.String("ec"), EncodedKey: aws.String(messy)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := aws.ToString(out.PublicKey.PublicKeyConfig.EncodedKey); got != ecPEM {
			t.Errorf("EncodedKey = %q, want canonical %q", got, ecPEM)
		}
	})
	t.Run("quota", func(t *testing.T) {
		if err := create("ref-3", "third", rsaPEM); err != nil {
			t.Fatal(err)
		}
		wantErr[*types.TooManyPublicKeys](t, create("ref-4", "fourth", rsaPEM))
	})
	t.Run("immutable fields", func(t *testing.T) {
		upd := func(ref, name, key string) error {
			_, err := c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: k.PublicKey.Id, IfMatch: k.ETag,
				PublicKeyConfig: &types.PublicKeyConfig{CallerReference: aws.String(ref), Name: aws.String(name), EncodedKey: aws.String(key)}})
			return err
		}
		wantErr[*types.CannotChangeImmutablePublicKeyFields](t, upd("ref-first", "first", ecPEM))
		wantErr[*types.IllegalUpdate](t, upd("ref-first", "renamed", rsaPEM))
		wantErr[*types.IllegalUpdate](t, upd("other", "first", rsaPEM))
		// The same key with other line breaks is not a change.
		if err := upd("ref-first", "first", strings.ReplaceAll(rsaPEM, "\n", "\r\n")); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("update unknown", func(t *testing.T) {
		_, err := c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: aws.String("KNOSUCHKEY0000"), IfMatch: aws.String("E1"),
			PublicKeyConfig: &types.PublicKeyConfig{CallerReference: aws.String("r"), Name: aws.String("n"), EncodedKey: aws.String(rsaPEM)}})
		wantErr[*types.NoSuchPublicKey](t, err)
	})
}

func TestPublicKeyAnyRSASize(t *testing.T) {
	e := newEnv(t, func(c *controlapi.Config) { c.AllowAnyRSASize = true })
	_, err := e.client.CreatePublicKey(context.Background(), &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
		CallerReference: aws.String("r"), Name: aws.String("vector"), EncodedKey: aws.String(rsa1024PEM)}})
	if err != nil {
		t.Fatalf("RSA-1024 with AllowAnyRSASize: %v", err)
	}
	_, err = e.client.CreatePublicKey(context.Background(), &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
		CallerReference: aws.String("r2"), Name: aws.String("p384"), EncodedKey: aws.String(ec384PEM)}})
	wantErr[*types.InvalidArgument](t, err)
}

func TestPublicKeyInUse(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	k := e.createKey(t, "k")
	g := e.createKeyGroup(t, "g", aws.ToString(k.PublicKey.Id))
	_, err := e.client.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: k.PublicKey.Id, IfMatch: k.ETag})
	wantErr[*types.PublicKeyInUse](t, err)
	if _, err := e.client.DeleteKeyGroup(ctx, &cloudfront.DeleteKeyGroupInput{Id: g.KeyGroup.Id, IfMatch: g.ETag}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.client.DeletePublicKey(ctx, &cloudfront.DeletePublicKeyInput{Id: k.PublicKey.Id, IfMatch: k.ETag}); err != nil {
		t.Fatal(err)
	}
}

package controlapi_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront"
	"github.com/aws/aws-sdk-go-v2/service/cloudfront/types"
)

// TestNoOpUpdate: everything created survives an update with the
// configuration read back — GetConfig, Update with it, GetConfig again —
// byte for byte, whether the configuration travels as raw XML or through
// the SDK's types (§5: updates are full replacements; the defaults of §3.5
// are idempotent).
func TestNoOpUpdate(t *testing.T) {
	ctx := context.Background()
	e := newEnv(t, nil)
	raw := newUnsignedServer(t, e.store)
	c := e.client

	k1 := e.createKey(t, "k1")
	k2, err := c.CreatePublicKey(ctx, &cloudfront.CreatePublicKeyInput{PublicKeyConfig: &types.PublicKeyConfig{
		CallerReference: aws.String("r2"), Name: aws.String("k2"), EncodedKey: aws.String(ecPEM), Comment: aws.String("with <comment> & more")}})
	if err != nil {
		t.Fatal(err)
	}
	g1 := e.createKeyGroup(t, "g1", aws.ToString(k1.PublicKey.Id))
	g2, err := c.CreateKeyGroup(ctx, &cloudfront.CreateKeyGroupInput{KeyGroupConfig: &types.KeyGroupConfig{
		Name: aws.String("g2"), Items: []string{aws.ToString(k1.PublicKey.Id), aws.ToString(k2.PublicKey.Id)}, Comment: aws.String("")}})
	if err != nil {
		t.Fatal(err)
	}
	o1, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: oacConfig("o1")})
	if err != nil {
		t.Fatal(err)
	}
	o2cfg := oacConfig("o2")
	o2cfg.Description = aws.String("described")
	o2, err := c.CreateOriginAccessControl(ctx, &cloudfront.CreateOriginAccessControlInput{OriginAccessControlConfig: o2cfg})
	if err != nil {
		t.Fatal(err)
	}
	dMin := e.createDistribution(t, distConfig("min"))
	dKG := e.createDistribution(t, distConfig("kg", aws.ToString(g1.KeyGroup.Id), aws.ToString(g2.KeyGroup.Id)))
	resp, body := rawRequest(t, raw, "POST", api+"/distribution", request(t, "distributions/create-full", "KEYGROUP", aws.ToString(g2.KeyGroup.Id), "OAC", aws.ToString(o1.OriginAccessControl.Id)), nil)
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	dFull := idRE.FindStringSubmatch(body)[1]
	resp, body = rawRequest(t, raw, "POST", api+"/distribution", request(t, "distributions/create-minimal"), nil)
	if resp.StatusCode != 201 {
		t.Fatal(body)
	}
	dCLI := idRE.FindStringSubmatch(body)[1]

	type resource struct {
		name, config, update string // GetConfig path, Update path
		sdk                  func(id string) error
	}
	var resources []resource
	for _, id := range []string{aws.ToString(k1.PublicKey.Id), aws.ToString(k2.PublicKey.Id)} {
		resources = append(resources, resource{"public key " + id, "/public-key/" + id + "/config", "/public-key/" + id + "/config", func(id string) error {
			cfg, err := c.GetPublicKeyConfig(ctx, &cloudfront.GetPublicKeyConfigInput{Id: aws.String(id)})
			if err != nil {
				return err
			}
			_, err = c.UpdatePublicKey(ctx, &cloudfront.UpdatePublicKeyInput{Id: aws.String(id), IfMatch: cfg.ETag, PublicKeyConfig: cfg.PublicKeyConfig})
			return err
		}})
	}
	for _, id := range []string{aws.ToString(g1.KeyGroup.Id), aws.ToString(g2.KeyGroup.Id)} {
		resources = append(resources, resource{"key group " + id, "/key-group/" + id + "/config", "/key-group/" + id, func(id string) error {
			cfg, err := c.GetKeyGroupConfig(ctx, &cloudfront.GetKeyGroupConfigInput{Id: aws.String(id)})
			if err != nil {
				return err
			}
			_, err = c.UpdateKeyGroup(ctx, &cloudfront.UpdateKeyGroupInput{Id: aws.String(id), IfMatch: cfg.ETag, KeyGroupConfig: cfg.KeyGroupConfig})
			return err
		}})
	}
	for _, id := range []string{aws.ToString(o1.OriginAccessControl.Id), aws.ToString(o2.OriginAccessControl.Id)} {
		resources = append(resources, resource{"OAC " + id, "/origin-access-control/" + id + "/config", "/origin-access-control/" + id + "/config", func(id string) error {
			cfg, err := c.GetOriginAccessControlConfig(ctx, &cloudfront.GetOriginAccessControlConfigInput{Id: aws.String(id)})
			if err != nil {
				return err
			}
			_, err = c.UpdateOriginAccessControl(ctx, &cloudfront.UpdateOriginAccessControlInput{Id: aws.String(id), IfMatch: cfg.ETag, OriginAccessControlConfig: cfg.OriginAccessControlConfig})
			return err
		}})
	}
	for _, id := range []string{aws.ToString(dMin.Distribution.Id), aws.ToString(dKG.Distribution.Id), dFull, dCLI} {
		resources = append(resources, resource{"distribution " + id, "/distribution/" + id + "/config", "/distribution/" + id + "/config", func(id string) error {
			cfg, err := c.GetDistributionConfig(ctx, &cloudfront.GetDistributionConfigInput{Id: aws.String(id)})
			if err != nil {
				return err
			}
			_, err = c.UpdateDistribution(ctx, &cloudfront.UpdateDistributionInput{Id: aws.String(id), IfMatch: cfg.ETag, DistributionConfig: cfg.DistributionConfig})
			return err
		}})
	}

	getConfig := func(t *testing.T, srv *httptest.Server, path string) (string, string) {
		t.Helper()
		resp, body := rawRequest(t, srv, "GET", api+path, "", nil)
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d %s", path, resp.StatusCode, body)
		}
		return body, resp.Header.Get("ETag")
	}
	for _, r := range resources {
		t.Run(r.name+" raw", func(t *testing.T) {
			before, etag := getConfig(t, raw, r.config)
			resp, body := rawRequest(t, raw, "PUT", api+r.update, strings.TrimPrefix(before, `<?xml version="1.0"?>`+"\n"), map[string]string{"If-Match": etag})
			if resp.StatusCode != 200 {
				t.Fatalf("update: %d %s", resp.StatusCode, body)
			}
			if after, _ := getConfig(t, raw, r.config); after != before {
				t.Errorf("config changed by a no-op update:\nbefore %s\nafter  %s", before, after)
			}
		})
		t.Run(r.name+" SDK", func(t *testing.T) {
			before, _ := getConfig(t, raw, r.config)
			id := r.config[strings.Index(r.config[1:], "/")+2:]
			id = strings.TrimSuffix(id, "/config")
			if err := r.sdk(id); err != nil {
				t.Fatal(err)
			}
			if after, _ := getConfig(t, raw, r.config); after != before {
				t.Errorf("config changed by a no-op update through the SDK:\nbefore %s\nafter  %s", before, after)
			}
		})
	}
}

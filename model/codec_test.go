package model

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// roots are the request payloads the decoder accepts, by element name.
var roots = []struct {
	name string
	sid  ShapeID
}{
	{"PublicKeyConfig", ShPublicKeyConfig},
	{"KeyGroupConfig", ShKeyGroupConfig},
	{"DistributionConfig", ShDistributionConfig},
	{"DistributionConfigWithTags", ShDistributionConfigWithTags},
	{"OriginAccessControlConfig", ShOriginAccessControlConfig},
	{"InvalidationBatch", ShInvalidationBatch},
	{"Tags", ShTags},
	{"TagKeys", ShTagKeys},
}

// checkDecode decodes data as every root and checks that whatever decodes
// is emitted canonically: emitting, decoding and emitting again gives the
// same bytes; and that a DistributionConfig that passes validation keeps
// its canonical form when it goes through the defaults again.
func checkDecode(t *testing.T, data []byte) {
	// A stored configuration is read without validation; whatever it
	// holds, reading it must not panic.
	DecodeStored(data)
	for _, r := range roots {
		n, err := Decode(data, r.sid, r.name)
		if err != nil {
			if _, ok := err.(*Error); !ok {
				t.Fatalf("%s: error %T %v, want *Error", r.name, err, err)
			}
			continue
		}
		out := marshalElement(r.name, n)
		n2, err := Decode(out, r.sid, r.name)
		if err != nil {
			t.Fatalf("%s: emitted XML does not decode: %v\n%s", r.name, err, out)
		}
		if out2 := marshalElement(r.name, n2); !bytes.Equal(out, out2) {
			t.Fatalf("%s: not canonical:\n%s\n%s", r.name, out, out2)
		}
		if r.sid != ShDistributionConfig {
			continue
		}
		in, err := CanonicalFromNode(n2)
		if err != nil {
			continue
		}
		in2, err := DecodeDistributionConfig(in.XML)
		if err != nil {
			t.Fatalf("stored form does not validate: %v\n%s", err, in.XML)
		}
		if !bytes.Equal(in.XML, in2.XML) {
			t.Fatalf("defaults not idempotent:\n%s\n%s", in.XML, in2.XML)
		}
		if _, err := DecodeStored(in.XML); err != nil {
			t.Fatalf("DecodeStored of the stored form: %v", err)
		}
	}
}

// FuzzDecode runs the XML decoders, strict and as stored, on arbitrary
// input: no panic, errors
// are API errors, and what decodes round-trips canonically. The seed corpus
// is in testdata/fuzz/FuzzDecode, plus every request.xml under testdata.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob("../controlapi/testdata/*/*/request.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(bytes.ReplaceAll(bytes.ReplaceAll(b, []byte("{{KEYGROUP}}"), []byte("kg")), []byte("{{OAC}}"), []byte("E1")))
	}
	f.Add([]byte(`<KeyGroupConfig><Name>g</Name><Items><PublicKey>K1</PublicKey></Items><Comment>c</Comment></KeyGroupConfig>`))
	f.Add([]byte(`<InvalidationBatch><Paths><Quantity>1</Quantity><Items><Path>/a</Path></Items></Paths><CallerReference>r</CallerReference></InvalidationBatch>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDecode(t, data)
	})
}

// TestShapeTable checks the generated table against the assumptions the
// codec makes.
func TestShapeTable(t *testing.T) {
	for id := ShapeID(1); int(id) < len(shapes); id++ {
		s := &shapes[id]
		if s.name == "" || s.kind == 0 {
			t.Errorf("shape %d is empty", id)
		}
		switch s.kind {
		case kindList:
			if s.item == ShNone || s.itemName == "" {
				t.Errorf("list %s has no item shape or name", s.name)
			}
		case kindStructure:
			seen := map[string]bool{}
			for _, m := range s.members {
				if seen[m.name] {
					t.Errorf("%s lists %s twice", s.name, m.name)
				}
				seen[m.name] = true
				if m.shape == ShNone {
					t.Errorf("%s.%s has no shape", s.name, m.name)
				}
			}
		}
	}
	// The list member names clients match (§3.5).
	for list, want := range map[ShapeID]string{
		ShAliasList: "CNAME", ShOriginList: "Origin", ShMethodsList: "Method", ShTrustedKeyGroupIdList: "KeyGroup",
		ShKGKeyPairIdsList: "KeyGroup", ShPublicKeyIdList: "PublicKey", ShPathList: "Path", ShDistributionIdListSummary: "DistributionId",
		ShKeyGroupSummaryList: "KeyGroupSummary", ShPublicKeySummaryList: "PublicKeySummary", ShTagKeyList: "Key",
	} {
		if got := shapes[list].itemName; got != want {
			t.Errorf("%s items are <%s>, want <%s>", shapes[list].name, got, want)
		}
	}
	for code, status := range map[string]int{"NoSuchResource": 404, "PreconditionFailed": 412, "BatchTooLarge": 413,
		"KeyGroupAlreadyExists": 409, "InvalidIfMatchVersion": 400} {
		if got := ErrorStatus[code]; got != status {
			t.Errorf("ErrorStatus[%s] = %d, want %d", code, got, status)
		}
	}
}

// TestEmitter checks the byte rules of §1 and §8 on hand-built values.
func TestEmitter(t *testing.T) {
	n := NewNode(ShPublicKeyList)
	n.SetInt("MaxItems", 100)
	n.SetItems(nil)
	if got, want := string(MarshalRoot("PublicKeyList", n)), `<?xml version="1.0"?>`+"\n"+`<PublicKeyList xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"><MaxItems>100</MaxItems><Quantity>0</Quantity></PublicKeyList>`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Required members absent are emitted with zero values, never empty
	// numbers or booleans.
	g := NewNode(ShGeoRestriction)
	if got, want := string(marshalElement("GeoRestriction", g)), `<GeoRestriction><RestrictionType></RestrictionType><Quantity>0</Quantity></GeoRestriction>`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	c := NewNode(ShPublicKeyConfig)
	c.SetText("Comment", "a\r\nb <&> \"q\" \x01")
	if got := string(marshalElement("PublicKeyConfig", c)); !strings.Contains(got, "<Comment>a&#xD;\nb &lt;&amp;&gt; \"q\" \uFFFD</Comment>") {
		t.Errorf("escaping: %s", got)
	}
	// withNamespace on a stored element.
	raw := RawNode(ShDistributionConfig, []byte("<DistributionConfig><Comment></Comment></DistributionConfig>"))
	if got := string(MarshalRoot("DistributionConfig", raw)); !strings.HasPrefix(got, `<?xml version="1.0"?>`+"\n"+`<DistributionConfig xmlns="`) {
		t.Errorf("raw root: %s", got)
	}
}

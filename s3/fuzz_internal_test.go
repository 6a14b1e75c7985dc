package s3

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
)

// Fuzz targets for the XML bodies the origin reads from any client that
// may call DeleteObjects or CompleteMultipartUpload. The seeds are the
// bodies of the S3 API Reference's examples, what the AWS SDKs send, and
// hostile shapes (entity expansion, deep nesting). The corpus lives in
// testdata/fuzz/<FuzzName>/.

// fuzzBodyLimit bounds the fuzzed bodies: readXML caps what it reads at
// maxXMLBody, so anything larger only tests io.LimitReader.
const fuzzBodyLimit = 64 << 10

func FuzzDeleteObjectsBody(f *testing.F) {
	for _, s := range []string{
		`<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Object><Key>sample1.txt</Key></Object><Object><Key>sample2.txt</Key></Object></Delete>`,
		`<?xml version="1.0" encoding="UTF-8"?><Delete><Quiet>true</Quiet><Object><Key>a/b c</Key><VersionId>null</VersionId></Object></Delete>`,
		`<Delete><Object><Key>&lt;&amp;&#x1F600;</Key></Object></Delete>`,
		`<Delete><Quiet>yes</Quiet><Object><Key>k</Key></Object></Delete>`,
		`<Delete></Delete>`,
		`<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><Delete><Object><Key>&b;</Key></Object></Delete>`,
		strings.Repeat("<Object>", 100) + strings.Repeat("</Object>", 100),
		"",
		" \n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > fuzzBodyLimit {
			return
		}
		in, err := readDeleteRequest(bytes.NewReader(body))
		if err != nil {
			checkBodyError(t, body, err)
			return
		}
		if len(in.Objects) == 0 || len(in.Objects) > maxDeleteKeys {
			t.Fatalf("accepted %d objects", len(in.Objects))
		}
		// Each <Object> takes at least "<Object/>": what is kept is bounded
		// by what was sent.
		if len(in.Objects) > len(body)/len("<Object/>") {
			t.Fatalf("%d objects from %d bytes", len(in.Objects), len(body))
		}
		// Valid bodies round-trip: what the SDK would send for the parsed
		// request parses to the same request.
		type wire struct {
			XMLName xml.Name `xml:"Delete"`
			deleteRequest
		}
		checkRoundTrip(t, body, in, wire{deleteRequest: *in}, readDeleteRequest)
	})
}

func FuzzCompleteMultipartUploadBody(f *testing.F) {
	for _, s := range []string{
		`<CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"a54357aff0632cce46d942af68356b38"</ETag><PartNumber>1</PartNumber></Part><Part><ETag>"0c78aef83f66abc1fa1e8477f296d394"</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><ChecksumCRC32>AAAAAA==</ChecksumCRC32><ETag>e</ETag><PartNumber>10000</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber></Part><Part><PartNumber>99999999999999999999</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber> 7 </PartNumber><ChecksumSHA256>x</ChecksumSHA256></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload/>`,
		`<!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><CompleteMultipartUpload><Part><ETag>&a;</ETag><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>`,
		`<CompleteMultipartUpload><Part><PartNumber>1</PartNumber>`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if len(body) > fuzzBodyLimit {
			return
		}
		in, err := readCompleteMultipartUpload(bytes.NewReader(body))
		if err != nil {
			checkBodyError(t, body, err)
			return
		}
		if len(in.Parts) == 0 || len(in.Parts) > MaxParts {
			t.Fatalf("accepted %d parts", len(in.Parts))
		}
		if len(in.Parts) > len(body)/len("<Part/>") {
			t.Fatalf("%d parts from %d bytes", len(in.Parts), len(body))
		}
		type wire struct {
			XMLName xml.Name `xml:"CompleteMultipartUpload"`
			completeMultipartUpload
		}
		checkRoundTrip(t, body, in, wire{completeMultipartUpload: *in}, readCompleteMultipartUpload)
	})
}

// checkRoundTrip checks that what the SDK would send for the parsed
// request in (marshalled as wire) parses back to the same request, for
// bodies whose text XML can carry.
func checkRoundTrip[T any](t *testing.T, body []byte, in *T, wire any, read func(io.Reader) (*T, error)) {
	t.Helper()
	out, err := xml.Marshal(wire)
	if err != nil {
		t.Fatalf("Marshal(%+v): %v", in, err)
	}
	back, err := read(bytes.NewReader(out))
	if err != nil {
		if validXMLText(in) {
			t.Fatalf("round trip of %q: %s does not parse: %v", body, out, err)
		}
		return
	}
	if !reflect.DeepEqual(back, in) && validXMLText(in) {
		t.Fatalf("round trip of %q:\n got %+v\nwant %+v", body, back, in)
	}
}

// checkBodyError checks that a refused body gets one of the errors S3
// answers a bad XML body with, never an internal error.
func checkBodyError(t *testing.T, body []byte, err error) {
	t.Helper()
	var ae *apiError
	if !errors.As(err, &ae) {
		t.Fatalf("error %T %v is not an *apiError", err, err)
	}
	want := "MalformedXML"
	if len(bytes.TrimSpace(body)) == 0 {
		want = "MissingRequestBodyError"
	}
	if ae.Code != want {
		t.Fatalf("body %q: code %s (%v), want %s", body, ae.Code, err, want)
	}
	if ae.Message == "" {
		t.Fatalf("body %q: %s without a message", body, ae.Code)
	}
}

// validXMLText reports whether every string in v is text XML 1.0 can
// carry: encoding/xml writes other characters as U+FFFD, so those cannot
// round-trip whatever the parser does.
func validXMLText(v any) bool {
	ok := true
	var walk func(reflect.Value)
	walk = func(rv reflect.Value) {
		switch rv.Kind() {
		case reflect.Pointer:
			if !rv.IsNil() {
				walk(rv.Elem())
			}
		case reflect.Struct:
			for i := 0; i < rv.NumField(); i++ {
				walk(rv.Field(i))
			}
		case reflect.Slice:
			for i := 0; i < rv.Len(); i++ {
				walk(rv.Index(i))
			}
		case reflect.String:
			for _, r := range rv.String() {
				if !(r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF) {
					ok = false
				}
			}
		}
	}
	walk(reflect.ValueOf(v))
	return ok
}

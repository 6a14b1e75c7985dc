package sigv4_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"keyfront/sigv4"
)

// botocoreSpec is one request for testdata/botocore_sign.py.
type botocoreSpec struct {
	Name           string            `json:"-"`
	Service        string            `json:"service"`
	Region         string            `json:"region"`
	Method         string            `json:"method"`
	URL            string            `json:"url"`
	Headers        map[string]string `json:"headers"`
	Body           string            `json:"body"`
	AccessKey      string            `json:"access_key"`
	SecretKey      string            `json:"secret_key"`
	Token          *string           `json:"token"`
	Timestamp      string            `json:"timestamp"`
	PresignExpires int               `json:"presign_expires"`
}

type botocoreSigned struct {
	URL     string      `json:"url"`
	Headers [][2]string `json:"headers"`
}

var botocoreMissing = sync.OnceValue(func() error {
	return exec.Command("python3", "-c", "import botocore").Run()
})

// requireBotocore skips the test unless python3 can import botocore.
func requireBotocore(t *testing.T) {
	t.Helper()
	if err := botocoreMissing(); err != nil {
		t.Skipf("botocore cross-check skipped: python3 with botocore not available (%v)", err)
	}
}

// TestBotocoreSignatures signs requests with botocore (the AWS CLI's
// signer) and sends them over a real connection to a server that verifies
// them.
func TestBotocoreSignatures(t *testing.T) {
	requireBotocore(t)
	verifiers := map[string]*sigv4.Verifier{
		sigv4.ServiceCloudFront: newVerifier(sigv4.ServiceCloudFront, signTime),
		sigv4.ServiceS3:         newVerifier(sigv4.ServiceS3, signTime),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		service := r.Header.Get("X-Test-Service")
		auth, err := verifiers[service].Verify(r)
		if err == nil {
			var b *sigv4.Body
			if b, err = auth.Body(r.Body); err == nil {
				_, err = io.Copy(io.Discard, b)
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		io.WriteString(w, "ok")
	}))
	defer srv.Close()

	token := tokenValue
	base := srv.URL
	specs := []botocoreSpec{
		{Name: "cloudfront list", Service: sigv4.ServiceCloudFront, Method: "GET", URL: base + "/2020-05-31/distribution?MaxItems=10&Marker="},
		{Name: "cloudfront create with body", Service: sigv4.ServiceCloudFront, Method: "POST", URL: base + "/2020-05-31/key-group",
			Headers: map[string]string{"Content-Type": "application/xml"}, Body: "<KeyGroupConfig><Name>ü</Name></KeyGroupConfig>"},
		{Name: "cloudfront tagging ARN", Service: sigv4.ServiceCloudFront, Method: "POST",
			URL: base + "/2020-05-31/tagging?Operation=Tag&Resource=arn%3Aaws%3Acloudfront%3A%3A123456789012%3Adistribution%2FE1", Body: "<Tags/>"},
		{Name: "cloudfront WithTags", Service: sigv4.ServiceCloudFront, Method: "POST", URL: base + "/2020-05-31/distribution?WithTags", Body: "<x/>"},
		{Name: "cloudfront dot segments normalized", Service: sigv4.ServiceCloudFront, Method: "GET", URL: base + "/2020-05-31//a/../distribution/./E1"},
		{Name: "cloudfront Date header", Service: sigv4.ServiceCloudFront, Method: "GET", URL: base + "/2020-05-31/key-group",
			Headers: map[string]string{"Date": "Sat, 09 Mar 2024 12:30:45 GMT"}},
		{Name: "cloudfront session token", Service: sigv4.ServiceCloudFront, Region: "eu-west-1", Method: "GET", URL: base + "/2020-05-31/public-key",
			AccessKey: tokenAKID, SecretKey: tokenSecret, Token: &token},
		{Name: "cloudfront presigned", Service: sigv4.ServiceCloudFront, Method: "GET", URL: base + "/2020-05-31/distribution", PresignExpires: 300},
		{Name: "s3 put special key", Service: sigv4.ServiceS3, Method: "PUT", URL: base + "/bucket/my%20key%2Bplus/%C3%BC%21.txt",
			Headers: map[string]string{"Content-Type": "text/plain", "x-amz-meta-note": "a  b"}, Body: "object data"},
		{Name: "s3 list", Service: sigv4.ServiceS3, Region: "eu-central-1", Method: "GET",
			URL: base + "/bucket?list-type=2&prefix=a%2Fb%20c&delimiter=%2F&encoding-type=url"},
		{Name: "s3 dot segments as sent", Service: sigv4.ServiceS3, Method: "GET", URL: base + "/bucket/a/../b"},
		{Name: "s3 subresource", Service: sigv4.ServiceS3, Method: "GET", URL: base + "/bucket?policy"},
		{Name: "s3 presigned get", Service: sigv4.ServiceS3, Method: "GET", URL: base + "/bucket/photo%20one.jpg?versionId=3%2B4", PresignExpires: 3600},
		{Name: "s3 presigned session token", Service: sigv4.ServiceS3, Method: "GET", URL: base + "/bucket/k", PresignExpires: 60,
			AccessKey: tokenAKID, SecretKey: tokenSecret, Token: &token},
	}
	for i := range specs {
		s := &specs[i]
		if s.Region == "" {
			s.Region = "us-east-1"
		}
		if s.AccessKey == "" {
			s.AccessKey, s.SecretKey = testAKID, testSecret
		}
		s.Timestamp = signTime.Format(sigv4.TimeFormat)
	}
	in, _ := json.Marshal(specs)
	cmd := exec.Command("python3", "testdata/botocore_sign.py")
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_sign.py: %v\n%s", err, stderr.String())
	}
	var signed []botocoreSigned
	if err := json.Unmarshal(out, &signed); err != nil {
		t.Fatalf("parsing botocore output: %v\n%s", err, out)
	}
	if len(signed) != len(specs) {
		t.Fatalf("botocore signed %d requests, want %d", len(signed), len(specs))
	}
	for i, s := range specs {
		t.Run(s.Name, func(t *testing.T) {
			got := signed[i]
			var body io.Reader
			if s.Body != "" {
				body = strings.NewReader(s.Body)
			}
			req, err := http.NewRequest(s.Method, got.URL, body)
			if err != nil {
				t.Fatal(err)
			}
			for _, h := range got.Headers {
				if strings.EqualFold(h[0], "Host") {
					continue
				}
				req.Header.Set(h[0], h[1])
			}
			// Unsigned, and not x-amz-*, so S3 does not require it signed.
			req.Header.Set("X-Test-Service", s.Service)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				t.Fatalf("server: %d %s\nsigned by botocore: %s %v", resp.StatusCode, msg, got.URL, got.Headers)
			}
		})
	}
}

// TestBotocoreS3PutObject runs botocore's S3 client (the AWS CLI's) with
// its default settings against the verifying origin, over HTTP and HTTPS,
// and records what it sends.
func TestBotocoreS3PutObject(t *testing.T) {
	requireBotocore(t)
	const size = 200_000
	want := make([]byte, size)
	for i := range want {
		want[i] = byte(i % 251)
	}
	type job struct {
		Endpoint  string `json:"endpoint"`
		Key       string `json:"key"`
		Size      int    `json:"size"`
		Algorithm string `json:"algorithm"`
	}
	cases := []struct {
		name    string
		tls     bool
		alg     string
		wantSHA string // "hex" for a literal digest
		origin  *fakeOrigin
	}{
		{name: "http", wantSHA: "hex"},
		{name: "https", tls: true, wantSHA: sigv4.StreamingUnsignedPayloadTrailer},
		// CRC32C and CRC64NVME need awscrt in botocore; SHA1 does not.
		{name: "https sha1", tls: true, alg: "SHA1", wantSHA: sigv4.StreamingUnsignedPayloadTrailer},
	}
	// One Python process for all cases: starting botocore is the slow part.
	var jobs []job
	for i := range cases {
		c := &cases[i]
		c.origin = newFakeOrigin()
		var srv *httptest.Server
		if c.tls {
			srv = httptest.NewTLSServer(c.origin)
		} else {
			srv = httptest.NewServer(c.origin)
		}
		defer srv.Close()
		jobs = append(jobs, job{srv.URL, "dir/a key+ü.bin", size, c.alg})
	}
	in, _ := json.Marshal(jobs)
	cmd := exec.Command("python3", "testdata/botocore_put.py")
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID="+testAKID, "AWS_SECRET_ACCESS_KEY="+testSecret,
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("botocore_put.py: %v\n%s", err, stderr.String())
	}
	var results []string
	if err := json.Unmarshal(out, &results); err != nil || len(results) != len(cases) {
		t.Fatalf("botocore_put.py output %q: %v", out, err)
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := c.origin.last(t)
			if results[i] != "" {
				t.Fatalf("botocore PutObject: %s\norigin: %v", results[i], s.err)
			}
			t.Logf("sent x-amz-content-sha256=%.20s… content-encoding=%q x-amz-trailer=%q checksum header=%q",
				s.contentSHA256, s.encoding, s.trailer, s.checksumHdr)
			if !bytes.Equal(s.body, want) {
				t.Fatalf("origin decoded %d bytes, want %d", len(s.body), size)
			}
			got := s.contentSHA256
			if len(got) == 64 {
				got = "hex"
			}
			if got != c.wantSHA {
				t.Errorf("x-amz-content-sha256 = %s, want %s", got, c.wantSHA)
			}
			if !s.hasChecksum {
				t.Errorf("no checksum verified")
			}
		})
	}
}

package main

import (
	"crypto"
	"crypto/ecdsa"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"keyfront/signing"
)

// dateHelp lists the date formats of `aws cloudfront sign` (spec §14.3).
const dateHelp = "YYYY-MM-DD (00:00 UTC), YYYY-MM-DDThh:mm:ss (UTC),\n" +
	"the same with +hh:mm or -hh:mm, or epoch seconds\n" +
	"(an 8-digit YYYYMMDD is epoch seconds, as in the AWS CLI)"

// signingFlags are the flags sign and sign-cookies share with the AWS CLI.
type signingFlags struct {
	keyPairID       string
	privateKey      string
	dateLessThan    string
	dateGreaterThan string
	ipAddress       string
	hashAlgorithm   string

	terms signing.Terms         // filled by check
	hash  signing.HashAlgorithm // filled by check; SHA1 unless --hash-algorithm says otherwise
}

func (s *signingFlags) register(f *flagSet) {
	f.StringVar(&s.keyPairID, "key-pair-id", "", "the `ID` of the CloudFront public key that verifies the signature, e.g. K2JCJMDEHXQW5F")
	f.StringVar(&s.privateKey, "private-key", "", "the private `KEY`: file://KEY.pem, fileb://KEY.pem, a plain path or the PEM text;\n"+
		"PKCS#1 RSA, PKCS#8 (RSA or EC) or SEC1 EC P-256, not encrypted")
	f.StringVar(&s.dateLessThan, "date-less-than", "", "when access ends, a `TIME`: "+dateHelp)
	f.StringVar(&s.dateGreaterThan, "date-greater-than", "", "when access begins, a `TIME` as for --date-less-than (makes a custom policy)")
	f.StringVar(&s.ipAddress, "ip-address", "", "the viewer IPv4 address x.x.x.x or range x.x.x.x/n (`CIDR`) allowed (makes a custom policy)")
	f.StringVar(&s.hashAlgorithm, "hash-algorithm", "", "the hash `ALGORITHM`, SHA1 or SHA256; default SHA1 for RSA keys and SHA256 for ECDSA keys,\n"+
		"which sign with SHA256 only")
}

// check validates the flags that need no key, so that every argument
// problem is reported (status 252) before the key is read (status 255).
func (s *signingFlags) check() error {
	if err := checkKeyPairID(s.keyPairID); err != nil {
		return err
	}
	if s.hashAlgorithm != "" {
		h, err := signing.ParseHashAlgorithm(s.hashAlgorithm)
		if err != nil {
			return usagef("--hash-algorithm %q is not supported; use SHA1 or SHA256", s.hashAlgorithm)
		}
		s.hash = h
	}
	var err error
	if s.terms.DateLessThan, err = parseDateFlag("date-less-than", s.dateLessThan); err != nil {
		return err
	}
	if s.terms.DateLessThan.Unix() <= 0 {
		return usagef("--date-less-than %s is not after 1970-01-01T00:00:00Z; give the time access ends", s.dateLessThan)
	}
	if s.dateGreaterThan != "" {
		if s.terms.DateGreaterThan, err = parseDateFlag("date-greater-than", s.dateGreaterThan); err != nil {
			return err
		}
		// Whole seconds are what the policy holds (spec §14.1).
		if s.terms.DateGreaterThan.Unix() >= s.terms.DateLessThan.Unix() {
			return usagef("--date-greater-than (%s) must be before --date-less-than (%s)",
				formatTime(s.terms.DateGreaterThan), formatTime(s.terms.DateLessThan))
		}
		if s.terms.DateGreaterThan.Unix() <= 0 {
			// A zero start would be dropped from the policy; refuse it
			// rather than sign something other than what was asked.
			return usagef("--date-greater-than %s is not after 1970-01-01T00:00:00Z; omit it to set no start", s.dateGreaterThan)
		}
	}
	if s.ipAddress != "" {
		if _, err := signing.NormalizeSourceIP(s.ipAddress); err != nil {
			return usagef("invalid --ip-address: %v", err)
		}
		s.terms.IPAddress = s.ipAddress
	}
	return nil
}

// signer reads and checks the private key and returns a Signer for it.
// ECDSA keys sign with SHA256 (spec §14.3): the default switches for them,
// and an explicit SHA1 is an argument error, as in the AWS CLI.
func (s *signingFlags) signer() (*signing.Signer, error) {
	key, err := loadPrivateKey(s.privateKey)
	if err != nil {
		return nil, err
	}
	h := s.hash
	if _, ok := key.(*ecdsa.PrivateKey); ok {
		if s.hashAlgorithm != "" && h != signing.SHA256 {
			return nil, usagef("ECDSA keys sign with SHA256 only; omit --hash-algorithm or pass --hash-algorithm SHA256")
		}
		h = signing.SHA256
	}
	signer, err := signing.NewSigner(s.keyPairID, key, h)
	if err != nil {
		return nil, keyErrorf("%v", err)
	}
	return signer, nil
}

// loadPrivateKey reads, parses and checks a --private-key argument. Every
// failure is a key problem (status 255, spec §14.3).
func loadPrivateKey(arg string) (crypto.Signer, error) {
	data, where, err := readKeyArg(arg, "--private-key")
	if err != nil {
		return nil, keyErrorf("%v", err)
	}
	key, err := signing.ParsePrivateKey(data)
	if err != nil {
		return nil, keyErrorf("private key %s: %v", where, err)
	}
	if err := signing.CheckCloudFrontKey(key); err != nil {
		return nil, keyErrorf("private key %s: %v; make a new one with 'keyfront keygen'", where, err)
	}
	return key, nil
}

// readKeyArg returns the PEM a key argument names and a description of
// where it came from. The argument is what the AWS CLI takes: file://PATH
// or fileb://PATH (its paramfile prefixes, "~" expanded as it does), or the
// PEM text itself; a plain path is a keyfront extension.
func readKeyArg(arg, flagName string) (data []byte, where string, err error) {
	if strings.HasPrefix(strings.TrimSpace(arg), "-----BEGIN") {
		return []byte(arg), "given in " + flagName, nil
	}
	path := arg
	for _, prefix := range []string{"file://", "fileb://"} {
		if strings.HasPrefix(arg, prefix) {
			path = arg[len(prefix):]
			break
		}
	}
	if path == "~" || strings.HasPrefix(path, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			path = filepath.Join(home, path[1:])
		}
	}
	data, err = os.ReadFile(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, "", errors.New(flagName + " file " + path + " does not exist; give the key as file://path/to/key.pem")
	case err != nil:
		return nil, "", errors.New("cannot read " + flagName + " file: " + err.Error())
	}
	return data, path, nil
}

// checkKeyPairID applies the AWS CLI's rule for --key-pair-id: letters and
// digits only (spec §10).
func checkKeyPairID(id string) error {
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return usagef("--key-pair-id %q must contain only letters and digits, e.g. K2JCJMDEHXQW5F", id)
		}
	}
	return nil
}

// parseDateFlag parses a date flag in the AWS CLI's formats.
func parseDateFlag(name, value string) (time.Time, error) {
	t, err := signing.ParseTime(strings.TrimSpace(value))
	if err != nil {
		return time.Time{}, usagef("--%s %q is not a date: use %s", name, value, dateHelp)
	}
	return t.UTC(), nil
}

// formatTime prints a time as keyfront prints all times: UTC, RFC 3339.
func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

package keyfront_test

import (
	"errors"
	"fmt"
	"testing"

	"keyfront"
)

func TestErrorCodeAndMessage(t *testing.T) {
	notFound := &keyfront.Error{Code: keyfront.ENOTFOUND, Message: "The specified key group does not exist.", Op: "sqlite: get key group"}
	tests := []struct {
		name        string
		err         error
		wantCode    string
		wantMessage string
	}{
		{"nil", nil, "", ""},
		{"application error", notFound, keyfront.ENOTFOUND, "The specified key group does not exist."},
		{"wrapped application error", fmt.Errorf("controlapi: delete key group: %w", notFound), keyfront.ENOTFOUND, "The specified key group does not exist."},
		{"foreign error is internal and hides its text", errors.New("database is locked"), keyfront.EINTERNAL, "An internal error occurred."},
		{"Errorf", keyfront.Errorf(keyfront.EINVALID, "MaxItems %d is out of range", 0), keyfront.EINVALID, "MaxItems 0 is out of range"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := keyfront.ErrorCode(tt.err), tt.wantCode; got != want {
				t.Errorf("ErrorCode = %q, want %q", got, want)
			}
			if got, want := keyfront.ErrorMessage(tt.err), tt.wantMessage; got != want {
				t.Errorf("ErrorMessage = %q, want %q", got, want)
			}
		})
	}
}

func TestErrorString(t *testing.T) {
	cause := errors.New("disk full")
	tests := []struct {
		name string
		err  *keyfront.Error
		want string
	}{
		{"op and message", &keyfront.Error{Code: keyfront.EINVALID, Op: "signing: parse key", Message: "key is RSA-1024"}, "signing: parse key: key is RSA-1024"},
		{"op and cause", &keyfront.Error{Code: keyfront.EINTERNAL, Op: "s3: put object", Err: cause}, "s3: put object: disk full"},
		{"code only", &keyfront.Error{Code: keyfront.ECONFLICT}, "conflict"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.err.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
	if got := (&keyfront.Error{Err: cause}); !errors.Is(got, cause) {
		t.Errorf("errors.Is(%v, cause) = false, want true", got)
	}
}

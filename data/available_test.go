package data

import (
	"bytes"
	"context"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// offlineTransport fails every request as a machine without network does: the host does not resolve.
type offlineTransport struct{ calls int }

func (o *offlineTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	o.calls++
	return nil, &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: r.URL.Hostname(), IsNotFound: true}}
}

// A data set that is not on disk, on a machine without network: one attempt per file (no "retrying"
// lines), one line that says it is not there, cannot be downloaded and where to put it, and no folder
// made (neither the data directory nor the data set's folder in it).
func TestOpenOffline(t *testing.T) {
	for _, name := range []string{"cifar10", "cifar100", "mnist", "fashion-mnist"} {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "nonexistent", "data")
			tr := &offlineTransport{}
			var progress bytes.Buffer
			for _, call := range []func() error{
				func() error {
					_, err := Open(context.Background(), name, Options{Dir: dir, Client: &http.Client{Transport: tr}, Progress: &progress})
					return err
				},
				func() error {
					return Ensure(context.Background(), name, Options{Dir: dir, Client: &http.Client{Transport: tr}, Progress: &progress})
				},
			} {
				tr.calls = 0
				err := call()
				if !errors.Is(err, ErrNotAvailable) {
					t.Fatalf("error %v, want ErrNotAvailable", err)
				}
				msg := err.Error()
				for _, want := range []string{name + " is not in " + dir, "cannot be downloaded", "no network", "put ", filepath.Join(dir, name)} {
					if !strings.Contains(msg, want) {
						t.Errorf("error %q lacks %q", msg, want)
					}
				}
				if strings.Contains(msg, "\n") || len(msg) > 500 {
					t.Errorf("not one short line: %q", msg)
				}
				if tr.calls != 1 {
					t.Errorf("%d requests, want 1 (no retries when offline)", tr.calls)
				}
				if strings.Contains(progress.String(), "retrying") {
					t.Errorf("progress: %q", progress.String())
				}
				if _, err := os.Stat(filepath.Join(dir, "..")); !os.IsNotExist(err) {
					t.Errorf("a failed download made folders: %v", err)
				}
			}
		})
	}
}

func TestCheckAndCanonical(t *testing.T) {
	for _, name := range []string{"cifar10", "cifar100", "mnist", "fashion-mnist", "imagenet16-120", "imagenet16-10", "embedded", "cifar10-sample", "fashion-mnist-sample"} {
		if err := Check(name); err != nil {
			t.Errorf("Check(%q): %v", name, err)
		}
	}
	for _, name := range []string{"", "cifar11", "CIFAR10", "imagenet16-0", "imagenet16-x", "imagenet16-1001", strings.Repeat("x", 500)} {
		err := Check(name)
		if !errors.Is(err, ErrUnknown) {
			t.Errorf("Check(%q) = %v, want ErrUnknown", name, err)
		} else if len(err.Error()) > 300 {
			t.Errorf("Check(%q): %d bytes of error", name, len(err.Error()))
		}
		if _, err := Open(context.Background(), name, Options{Dir: t.TempDir(), NoDownload: true}); !errors.Is(err, ErrUnknown) {
			t.Errorf("Open(%q) = %v, want ErrUnknown", name, err)
		}
	}
	if Canonical("embedded") != "cifar10-sample" || Canonical("cifar10") != "cifar10" || Canonical("cifar10-sample") != "cifar10-sample" {
		t.Error("Canonical")
	}
	if err := Ensure(context.Background(), "embedded", Options{Dir: "/nonexistent"}); err != nil {
		t.Errorf("Ensure(embedded): %v", err)
	}
	if err := Ensure(context.Background(), "imagenet16-120", Options{Dir: t.TempDir()}); !errors.Is(err, ErrNotAvailable) {
		t.Errorf("Ensure(imagenet16-120) = %v, want ErrNotAvailable", err)
	}
}

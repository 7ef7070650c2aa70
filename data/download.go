package data

import (
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// Downloader fetches a file over HTTP into a local path, safely:
//
//   - the body goes to "<dest>.part"; only a complete file whose checksum matches is renamed to
//     dest, so dest is never a partial or corrupt file;
//   - a broken transfer is resumed with an HTTP Range request from the bytes already in
//     "<dest>.part" (also by a later call, after a crash); a server that ignores Range (answers 200)
//     or rejects it (416) makes the download restart from zero;
//   - a checksum mismatch deletes "<dest>.part"; if the bad file came from a resumed transfer, the
//     download restarts once from zero before giving up;
//   - progress goes to Progress as a few lines: one at the start, one per 10 % and one at the end.
type Downloader struct {
	// Client is the HTTP client (default http.DefaultClient).
	Client *http.Client
	// Progress receives progress lines; nil for silence.
	Progress io.Writer
	// Attempts is how many transfers to try before giving up (default 4).
	Attempts int
	// Backoff is the pause before a retry (default 1 s).
	Backoff time.Duration
}

// Fetch downloads url to dest unless dest exists. checksum is "md5:<hex>" or "sha256:<hex>"
// (required). Errors are one line naming the URL or file and the problem.
func (d *Downloader) Fetch(ctx context.Context, url, dest, checksum string) error {
	if _, err := os.Stat(dest); err == nil {
		return nil
	}
	newHash, want, err := parseChecksum(checksum)
	if err != nil {
		return fmt.Errorf("data: %s: %v", url, err)
	}
	attempts := d.Attempts
	if attempts <= 0 {
		attempts = 4
	}
	backoff := d.Backoff
	if backoff <= 0 {
		backoff = time.Second
	}
	part := dest + ".part"
	restarted := false
	var lastErr error
	for a := 0; a < attempts; a++ {
		if a > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("data: %s: %w", url, ctx.Err())
			case <-time.After(backoff):
			}
		}
		resumed, err := d.transfer(ctx, url, part)
		if err != nil {
			lastErr = err
			var perm permanentError
			if errors.As(err, &perm) || ctx.Err() != nil {
				break
			}
			d.printf("%s: transfer broken (%v); retrying\n", filepath.Base(dest), err)
			continue
		}
		got, err := fileHash(part, newHash())
		if err != nil {
			return fmt.Errorf("data: %s: %w", part, err)
		}
		if got != want {
			os.Remove(part)
			lastErr = fmt.Errorf("checksum mismatch: got %s, want %s; removed the download", got, want)
			if resumed && !restarted {
				restarted = true
				d.printf("%s: checksum mismatch after a resumed transfer; restarting from zero\n", filepath.Base(dest))
				continue
			}
			break
		}
		if err := os.Rename(part, dest); err != nil {
			return fmt.Errorf("data: %s: %w", dest, err)
		}
		d.printf("%s: done, checksum ok\n", filepath.Base(dest))
		return nil
	}
	return fmt.Errorf("data: %s: %w", url, lastErr)
}

// permanentError is a failure that another attempt would meet again (HTTP 404, no such host).
type permanentError struct{ error }

func (p permanentError) Unwrap() error { return p.error }

// offline reports whether err says this machine cannot reach the server at all (the host name does not
// resolve, or there is no route): retrying would only print the same line again.
func offline(err error) bool {
	var dns *net.DNSError
	return errors.As(err, &dns) || errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH)
}

// transfer appends the rest of url to part; it reports whether it resumed from a non-empty file.
func (d *Downloader) transfer(ctx context.Context, url, part string) (resumed bool, err error) {
	var offset int64
	if fi, err := os.Stat(part); err == nil {
		offset = fi.Size()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return false, permanentError{err}
	}
	if offset > 0 {
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-", offset))
	}
	client := d.Client
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		if offline(err) {
			return false, permanentError{err}
		}
		return false, err
	}
	defer resp.Body.Close()
	flags := os.O_WRONLY | os.O_CREATE
	total := resp.ContentLength
	switch {
	case resp.StatusCode == http.StatusPartialContent && offset > 0:
		start, size, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok || start != offset {
			os.Remove(part)
			return false, fmt.Errorf("server resumed at an unexpected range %q; restarting", resp.Header.Get("Content-Range"))
		}
		flags |= os.O_APPEND
		resumed = true
		total = size
		d.printf("%s: resuming at %s\n", filepath.Base(strings.TrimSuffix(part, ".part")), mb(offset))
	case resp.StatusCode == http.StatusOK:
		flags |= os.O_TRUNC // no range support or a fresh start: from zero
		offset = 0
	case resp.StatusCode == http.StatusRequestedRangeNotSatisfiable:
		os.Remove(part)
		return false, fmt.Errorf("server rejected the resume range; restarting")
	case resp.StatusCode >= 500:
		return false, fmt.Errorf("HTTP %s", resp.Status)
	default:
		return false, permanentError{fmt.Errorf("HTTP %s", resp.Status)}
	}
	// The folder is made only now that the server answers: a failed download leaves no folder behind.
	if err := os.MkdirAll(filepath.Dir(part), 0o755); err != nil {
		return false, permanentError{err}
	}
	f, err := os.OpenFile(part, flags, 0o644)
	if err != nil {
		return false, permanentError{err}
	}
	defer f.Close()
	if offset == 0 {
		d.printf("downloading %s (%s)\n", url, mb(total))
	}
	p := &progress{d: d, name: filepath.Base(strings.TrimSuffix(part, ".part")), done: offset, total: total, last: -1}
	p.report()
	n, err := io.Copy(io.MultiWriter(f, p), resp.Body)
	if err != nil {
		return resumed, err
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return resumed, fmt.Errorf("short body: %d of %d bytes", n, resp.ContentLength)
	}
	return resumed, f.Close()
}

type progress struct {
	d           *Downloader
	name        string
	done, total int64
	last        int64 // last reported tenth
}

func (p *progress) Write(b []byte) (int, error) {
	p.done += int64(len(b))
	p.report()
	return len(b), nil
}

func (p *progress) report() {
	if p.total <= 0 {
		return
	}
	tenth := p.done * 10 / p.total
	if tenth > p.last {
		if p.last >= 0 {
			p.d.printf("%s: %s of %s (%d%%)\n", p.name, mb(p.done), mb(p.total), p.done*100/p.total)
		}
		p.last = tenth
	}
}

func (d *Downloader) printf(format string, args ...any) {
	if d.Progress != nil {
		fmt.Fprintf(d.Progress, format, args...)
	}
}

func mb(n int64) string {
	if n < 0 {
		return "size unknown"
	}
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

func parseChecksum(s string) (func() hash.Hash, string, error) {
	algo, sum, ok := strings.Cut(s, ":")
	if !ok || sum == "" {
		return nil, "", fmt.Errorf("checksum %q, want md5:<hex> or sha256:<hex>", s)
	}
	switch algo {
	case "md5":
		return md5.New, strings.ToLower(sum), nil
	case "sha256":
		return sha256.New, strings.ToLower(sum), nil
	}
	return nil, "", fmt.Errorf("checksum %q: unknown algorithm %q", s, algo)
}

func fileHash(p string, h hash.Hash) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// parseContentRange parses "bytes START-END/SIZE".
func parseContentRange(s string) (start, size int64, ok bool) {
	s, found := strings.CutPrefix(s, "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, total, found := strings.Cut(s, "/")
	if !found {
		return 0, 0, false
	}
	a, _, found := strings.Cut(rng, "-")
	if !found {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	size, err2 := strconv.ParseInt(total, 10, 64)
	if err2 != nil {
		size = -1
	}
	return start, size, err1 == nil
}

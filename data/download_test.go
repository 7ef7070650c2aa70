package data

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// fileServer serves payload at any path. breakAt > 0 makes the first breaks responses stop after
// breakAt bytes (the connection drops: Content-Length promises more). ranges turns Range support
// on. It records the Range headers it saw.
type fileServer struct {
	payload []byte
	breakAt int
	breaks  int
	ranges  bool
	status  int

	mu       sync.Mutex
	requests int
	rangesIn []string
}

func (s *fileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	rng := r.Header.Get("Range")
	s.rangesIn = append(s.rangesIn, rng)
	broken := s.breaks > 0
	if broken {
		s.breaks--
	}
	s.mu.Unlock()
	if s.status != 0 {
		http.Error(w, "no", s.status)
		return
	}
	body, start := s.payload, 0
	if rng != "" && s.ranges {
		fmt.Sscanf(rng, "bytes=%d-", &start)
		if start >= len(s.payload) {
			w.WriteHeader(http.StatusRequestedRangeNotSatisfiable)
			return
		}
		body = s.payload[start:]
		w.Header().Set("Content-Range", fmt.Sprintf("bytes %d-%d/%d", start, len(s.payload)-1, len(s.payload)))
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(http.StatusPartialContent)
	} else {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
	}
	if broken && s.breakAt < len(body) {
		w.Write(body[:s.breakAt])
		return // the server closes the connection: the client sees an unexpected EOF
	}
	w.Write(body)
}

func payload(n int) ([]byte, string, string) {
	b := make([]byte, n)
	sm := splitmix64(5)
	for i := range b {
		b[i] = byte(sm.next())
	}
	m, s := md5.Sum(b), sha256.Sum256(b)
	return b, "md5:" + hex.EncodeToString(m[:]), "sha256:" + hex.EncodeToString(s[:])
}

func fetch(t *testing.T, srv *fileServer, dest, sum string, progress *bytes.Buffer) error {
	t.Helper()
	ts := httptest.NewServer(srv)
	defer ts.Close()
	d := &Downloader{Client: ts.Client(), Backoff: time.Millisecond}
	if progress != nil {
		d.Progress = progress
	}
	return d.Fetch(context.Background(), ts.URL+"/file.tar.gz", dest, sum)
}

func TestDownloadAndProgress(t *testing.T) {
	data, md5sum, shasum := payload(1 << 20)
	for _, sum := range []string{md5sum, shasum} {
		dest := filepath.Join(t.TempDir(), "sub", "file.tar.gz")
		var progress bytes.Buffer
		if err := fetch(t, &fileServer{payload: data}, dest, sum, &progress); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(dest)
		if !bytes.Equal(got, data) {
			t.Fatal("downloaded bytes differ")
		}
		if _, err := os.Stat(dest + ".part"); !os.IsNotExist(err) {
			t.Error(".part file left behind")
		}
		lines := strings.Split(strings.TrimSpace(progress.String()), "\n")
		// One start line, at most one per 10 %, one done line: not spammy.
		if len(lines) < 3 || len(lines) > 12 || !strings.Contains(lines[0], "downloading") || !strings.Contains(lines[len(lines)-1], "checksum ok") ||
			!strings.Contains(progress.String(), "(100%)") {
			t.Errorf("progress:\n%s", progress.String())
		}
		// A second call finds the file and does nothing.
		srv := &fileServer{payload: data}
		if err := fetch(t, srv, dest, sum, nil); err != nil || srv.requests != 0 {
			t.Errorf("existing file: err %v, %d requests", err, srv.requests)
		}
	}
}

func TestDownloadResumesBrokenTransfer(t *testing.T) {
	data, sum, _ := payload(300_000)
	dest := filepath.Join(t.TempDir(), "file.tar.gz")
	srv := &fileServer{payload: data, breakAt: 100_000, breaks: 2, ranges: true}
	var progress bytes.Buffer
	if err := fetch(t, srv, dest, sum, &progress); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(dest)
	if !bytes.Equal(got, data) {
		t.Fatal("resumed download differs")
	}
	if srv.requests != 3 || srv.rangesIn[0] != "" || srv.rangesIn[1] != "bytes=100000-" || srv.rangesIn[2] != "bytes=200000-" {
		t.Errorf("requests %d with ranges %q", srv.requests, srv.rangesIn)
	}
	if !strings.Contains(progress.String(), "resuming at 0.1 MB") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

// A partial file left by an earlier, interrupted run is resumed by the next run.
func TestDownloadResumesAcrossRuns(t *testing.T) {
	data, sum, _ := payload(50_000)
	dest := filepath.Join(t.TempDir(), "file.tar.gz")
	os.WriteFile(dest+".part", data[:20_000], 0o644)
	srv := &fileServer{payload: data, ranges: true}
	if err := fetch(t, srv, dest, sum, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) || srv.rangesIn[0] != "bytes=20000-" {
		t.Errorf("ranges %q", srv.rangesIn)
	}
}

// A server without Range support answers 200: the download restarts from zero.
func TestDownloadRestartsWithoutRangeSupport(t *testing.T) {
	data, sum, _ := payload(200_000)
	dest := filepath.Join(t.TempDir(), "file.tar.gz")
	srv := &fileServer{payload: data, breakAt: 50_000, breaks: 1}
	if err := fetch(t, srv, dest, sum, nil); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) || srv.requests != 2 {
		t.Errorf("%d requests", srv.requests)
	}
}

// A corrupt partial file (resumed into a bad whole) is detected by the checksum, thrown away,
// and the download restarts from zero.
func TestDownloadRestartsAfterBadResume(t *testing.T) {
	data, sum, _ := payload(50_000)
	dest := filepath.Join(t.TempDir(), "file.tar.gz")
	os.WriteFile(dest+".part", bytes.Repeat([]byte{7}, 20_000), 0o644)
	srv := &fileServer{payload: data, ranges: true}
	var progress bytes.Buffer
	if err := fetch(t, srv, dest, sum, &progress); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(dest); !bytes.Equal(got, data) || len(srv.rangesIn) != 2 || srv.rangesIn[1] != "" {
		t.Errorf("ranges %q", srv.rangesIn)
	}
	if !strings.Contains(progress.String(), "restarting from zero") {
		t.Errorf("progress:\n%s", progress.String())
	}
}

func TestDownloadErrors(t *testing.T) {
	data, _, _ := payload(10_000)
	dir := t.TempDir()
	dest := filepath.Join(dir, "file.tar.gz")
	err := fetch(t, &fileServer{payload: data}, dest, "md5:00000000000000000000000000000000", nil)
	if err == nil || !strings.Contains(err.Error(), "checksum mismatch") || strings.Contains(err.Error(), "\n") {
		t.Errorf("bad checksum: %v", err)
	}
	if _, e := os.Stat(dest); !os.IsNotExist(e) {
		t.Error("a file with a bad checksum was kept")
	}
	if _, e := os.Stat(dest + ".part"); !os.IsNotExist(e) {
		t.Error("a .part with a bad checksum was kept")
	}
	srv := &fileServer{payload: data, status: http.StatusNotFound}
	if err := fetch(t, srv, dest, "md5:00", nil); err == nil || !strings.Contains(err.Error(), "404") || srv.requests != 1 {
		t.Errorf("404: %v after %d requests", err, srv.requests)
	}
	srv = &fileServer{payload: data, breakAt: 10, breaks: 100}
	if err := fetch(t, srv, dest, "md5:00", nil); err == nil || srv.requests != 4 {
		t.Errorf("always broken: %v after %d requests", err, srv.requests)
	}
	if err := fetch(t, &fileServer{payload: data}, dest, "crc:1", nil); err == nil || !strings.Contains(err.Error(), "unknown algorithm") {
		t.Errorf("bad checksum spec: %v", err)
	}
}

// Open downloads a missing data set through the same machinery (a local mirror here).
func TestOpenDownloadsMissingDataSet(t *testing.T) {
	src := t.TempDir()
	writeIDXPair(t, src, "train", 20, true)
	writeIDXPair(t, src, "t10k", 5, true)
	var files []remoteFile
	for _, f := range sources["mnist"] {
		b, _ := os.ReadFile(filepath.Join(src, f.name))
		m := md5.Sum(b)
		files = append(files, remoteFile{f.name, "unused", "md5:" + hex.EncodeToString(m[:])})
	}
	saved := sources["mnist"]
	sources["mnist"] = files
	defer func() { sources["mnist"] = saved }()
	ts := httptest.NewServer(http.FileServer(http.Dir(src)))
	defer ts.Close()

	dir := t.TempDir()
	if _, err := Open(context.Background(), "mnist", Options{Dir: dir, NoDownload: true}); err == nil || !strings.Contains(err.Error(), "downloads are off") {
		t.Errorf("NoDownload: %v", err)
	}
	var progress bytes.Buffer
	d, err := Open(context.Background(), "mnist", Options{Dir: dir, Mirror: ts.URL, Client: ts.Client(), Progress: &progress})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 20 || d.Test.Len() != 5 {
		t.Errorf("%d/%d", d.Train.Len(), d.Test.Len())
	}
	if strings.Count(progress.String(), "checksum ok") != 4 {
		t.Errorf("progress:\n%s", progress.String())
	}
	// Now on disk: no server needed.
	ts.Close()
	if _, err := Open(context.Background(), "mnist", Options{Dir: dir}); err != nil {
		t.Fatal(err)
	}
}

func TestOpenNames(t *testing.T) {
	ctx := context.Background()
	if _, err := Open(ctx, "svhn", Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "unknown data set") {
		t.Errorf("unknown: %v", err)
	}
	if _, err := Open(ctx, "imagenet16-120", Options{Dir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "by hand") {
		t.Errorf("imagenet16: %v", err)
	}
	if _, err := Open(ctx, "imagenet16-x", Options{Dir: t.TempDir()}); err == nil {
		t.Error("imagenet16-x accepted")
	}
	d, err := Open(ctx, "embedded", Options{})
	if err != nil || d.Name != CIFAR10SampleName {
		t.Errorf("embedded: %v", err)
	}
	t.Setenv(DataDirEnv, "/some/where")
	if dir, _ := DefaultDir(); dir != "/some/where" {
		t.Errorf("DefaultDir with %s set: %s", DataDirEnv, dir)
	}
	t.Setenv(DataDirEnv, "")
	if dir, err := DefaultDir(); err == nil && !strings.HasSuffix(dir, filepath.Join("gaeanas", "data")) {
		t.Errorf("DefaultDir: %s", dir)
	}
}

func TestOpenSharedCIFAR10(t *testing.T) {
	realCIFAR10(t) // skips when absent
	d, err := Open(context.Background(), "cifar10", Options{Dir: sharedData, NoDownload: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.Train.Len() != 50000 {
		t.Error(d.Train.Len())
	}
}

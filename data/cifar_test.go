package data

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// small layouts: the real formats with few records per file, so tests stay fast.
func smallLayout(l cifarLayout, perFile, test int) *cifarLayout {
	l.perFile, l.testCount = perFile, test
	return &l
}

// cifarRecords makes n records whose label is i % classes (coarse i % 20) and whose red plane
// is all i, green all i+1, blue all i+2.
func cifarRecords(n, labelBytes, classes int) []byte {
	var b []byte
	for i := 0; i < n; i++ {
		if labelBytes == 2 {
			b = append(b, byte(i%20))
		}
		b = append(b, byte(i%classes))
		for ch := 0; ch < 3; ch++ {
			b = append(b, bytes.Repeat([]byte{byte(i + ch)}, 1024)...)
		}
	}
	return b
}

type member struct {
	name string
	data []byte
}

func writeTarGz(t *testing.T, p string, members []member) {
	t.Helper()
	var buf bytes.Buffer
	z := gzip.NewWriter(&buf)
	tw := tar.NewWriter(z)
	for _, m := range members {
		if err := tw.WriteHeader(&tar.Header{Name: m.name, Mode: 0o644, Size: int64(len(m.data)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		tw.Write(m.data)
	}
	tw.Close()
	z.Close()
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func cifar10Members(l *cifarLayout) []member {
	var ms []member
	for _, f := range l.train {
		ms = append(ms, member{"cifar-10-batches-bin/" + f, cifarRecords(l.perFile, 1, 10)})
	}
	ms = append(ms, member{"cifar-10-batches-bin/test_batch.bin", cifarRecords(l.testCount, 1, 10)},
		member{"cifar-10-batches-bin/batches.meta.txt", []byte(strings.Join(CIFAR10Classes, "\n") + "\n\n")})
	return ms
}

func checkSmallCIFAR(t *testing.T, d *Dataset, perFile, nTrain, nTest int) {
	t.Helper()
	if d.Train.Len() != nTrain || d.Test.Len() != nTest {
		t.Fatalf("%d/%d images, want %d/%d", d.Train.Len(), d.Test.Len(), nTrain, nTest)
	}
	// Image perFile+3 is record 3 of the second file: red 3, green 4, blue 5, interleaved (NHWC).
	img := d.Train.Image(perFile + 3)
	if img[0] != 3 || img[1] != 4 || img[2] != 5 || img[3071] != 5 {
		t.Errorf("planar→NHWC: pixel 0 = %v, last = %d", img[:3], img[3071])
	}
	if d.Train.Labels[perFile+3] != 3 {
		t.Errorf("label %d", d.Train.Labels[perFile+3])
	}
}

func TestCIFAR10ArchiveAndFolder(t *testing.T) {
	l := smallLayout(cifar10Layout, 20, 10)
	dir := t.TempDir()
	p := filepath.Join(dir, "cifar-10-binary.tar.gz")
	writeTarGz(t, p, cifar10Members(l))
	d, err := readCIFAR(p, l)
	if err != nil {
		t.Fatal(err)
	}
	checkSmallCIFAR(t, d, 20, 100, 10)
	if d.Name != "cifar10" || d.Train.Classes[9] != "truck" || d.Train.Coarse != nil {
		t.Errorf("%s %v", d.Name, d.Train.Classes)
	}
	// The same files extracted into a folder.
	ext := filepath.Join(dir, "x", "cifar-10-batches-bin")
	os.MkdirAll(ext, 0o755)
	for _, m := range cifar10Members(l) {
		os.WriteFile(filepath.Join(ext, filepath.Base(m.name)), m.data, 0o644)
	}
	for _, q := range []string{filepath.Join(dir, "x"), ext} {
		d2, err := readCIFAR(q, l)
		if err != nil {
			t.Fatal(err)
		}
		checkSmallCIFAR(t, d2, 20, 100, 10)
	}
}

func TestCIFAR100(t *testing.T) {
	l := smallLayout(cifar100Layout, 50, 10)
	p := filepath.Join(t.TempDir(), "cifar-100-binary.tar.gz")
	writeTarGz(t, p, []member{
		{"cifar-100-binary/coarse_label_names.txt", []byte(strings.Join(CIFAR100Superclasses, "\n"))},
		{"cifar-100-binary/fine_label_names.txt", []byte(strings.Join(CIFAR100Classes, "\n"))},
		{"cifar-100-binary/test.bin", cifarRecords(10, 2, 100)},
		{"cifar-100-binary/train.bin", cifarRecords(50, 2, 100)},
	})
	d, err := readCIFAR(p, l)
	if err != nil {
		t.Fatal(err)
	}
	if d.Name != "cifar100" || d.Train.Len() != 50 || d.Test.Len() != 10 || len(d.Train.Classes) != 100 || len(d.Train.CoarseClasses) != 20 {
		t.Fatalf("%s %d %d %d %d", d.Name, d.Train.Len(), d.Test.Len(), len(d.Train.Classes), len(d.Train.CoarseClasses))
	}
	if d.Train.Labels[33] != 33 || d.Train.Coarse[33] != 13 || d.Train.Image(33)[0] != 33 || d.Train.Image(33)[2] != 35 {
		t.Errorf("record 33: fine %d coarse %d pixel %v", d.Train.Labels[33], d.Train.Coarse[33], d.Train.Image(33)[:3])
	}
	if len(CIFAR100Classes) != 100 || len(CIFAR100Superclasses) != 20 {
		t.Error("class name tables")
	}
}

// Every bad input is a one-line error naming the file and the problem — never a panic and never a
// short data set.
func TestCIFARBadInput(t *testing.T) {
	l := smallLayout(cifar10Layout, 20, 10)
	dir := t.TempDir()
	good := cifar10Members(l)
	with := func(name string, data []byte) []member {
		var ms []member
		for _, m := range good {
			if strings.HasSuffix(m.name, name) {
				if data == nil {
					continue
				}
				m.data = data
			}
			ms = append(ms, m)
		}
		return ms
	}
	badLabel := cifarRecords(20, 1, 10)
	badLabel[5*3073] = 10
	notGzip := filepath.Join(dir, "plain.tar.gz")
	os.WriteFile(notGzip, []byte("hello, not an archive"), 0o644)
	truncGz := filepath.Join(dir, "trunc.tar.gz")
	writeTarGz(t, truncGz, good)
	full, _ := os.ReadFile(truncGz)
	os.WriteFile(truncGz, full[:len(full)/2], 0o644)
	noTrailer := filepath.Join(dir, "notrailer.tar.gz")
	os.WriteFile(noTrailer, full[:len(full)-4], 0o644) // all tar members intact, gzip length field cut

	cases := []struct {
		name    string
		members []member
		path    string
		layout  *cifarLayout
		want    []string
	}{
		{"truncated record", with("data_batch_3.bin", cifarRecords(20, 1, 10)[:20*3073-100]), "", l, []string{"data_batch_3.bin", "truncated record 19"}},
		{"too few records", with("test_batch.bin", cifarRecords(9, 1, 10)), "", l, []string{"test_batch.bin", "9 records, want 10"}},
		{"label out of range", with("data_batch_2.bin", badLabel), "", l, []string{"data_batch_2.bin", "record 5", "label 10 out of range"}},
		{"missing member", with("data_batch_5.bin", nil), "", l, []string{"no cifar-10-batches-bin/data_batch_5.bin"}},
		{"CIFAR-100 archive", []member{{"cifar-100-binary/train.bin", cifarRecords(3, 2, 100)}}, "", &cifar10Layout, []string{"a CIFAR-100 archive", "not CIFAR-10"}},
		{"CIFAR-10 archive read as CIFAR-100", good, "", &cifar100Layout, []string{"a CIFAR-10 archive", "not CIFAR-100"}},
		{"python version", []member{{"cifar-10-batches-py/data_batch_1", []byte("x")}}, "", &cifar10Layout, []string{"Python (pickle) version"}},
		{"wrong archive", []member{{"mnist/train-images", []byte("x")}}, "", &cifar10Layout, []string{"not a CIFAR-10 binary archive"}},
		{"real size check", good, "", &cifar10Layout, []string{"20 records, want 10000"}},
		{"not gzip", nil, notGzip, l, []string{"plain.tar.gz", "not a gzip file"}},
		{"truncated gzip", nil, truncGz, l, []string{"trunc.tar.gz"}},
		{"gzip trailer cut", nil, noTrailer, l, []string{"notrailer.tar.gz", "corrupt archive (truncated)"}},
		{"missing file", nil, filepath.Join(dir, "absent.tar.gz"), l, []string{"absent.tar.gz", "no such file"}},
		{"folder without files", nil, dir, l, []string{dir, "no data_batch_1.bin file"}},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := c.path
			if p == "" {
				p = filepath.Join(dir, "case"+string(rune('a'+i))+".tar.gz")
				writeTarGz(t, p, c.members)
			}
			d, err := readCIFAR(p, c.layout)
			checkBadInput(t, d, err, p, c.want...)
		})
	}
}

// checkBadInput asserts a one-line error that names the file and contains every want string.
func checkBadInput(t *testing.T, d any, err error, file string, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error (got %v)", d)
	}
	msg := err.Error()
	if strings.Contains(msg, "\n") {
		t.Errorf("error spans lines: %q", msg)
	}
	if !strings.Contains(msg, file) && !strings.Contains(msg, filepath.Base(file)) {
		t.Errorf("error %q does not name %s", msg, file)
	}
	for _, w := range want {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	t.Log(msg)
}

// sameGunzip reports whether b decompresses without error to the same bytes as good.
func sameGunzip(good, b []byte) bool {
	read := func(x []byte) ([]byte, error) {
		z, err := gzip.NewReader(bytes.NewReader(x))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(z)
	}
	g, _ := read(good)
	c, err := read(b)
	return err == nil && bytes.Equal(g, c)
}

// TestCIFARCorruptArchive flips one byte of the compressed stream of a small archive, at every
// position after the gzip header: the error names the file and says the archive is corrupt
// (gzip's checksum or the deflate stream), never a decoded record's symptom such as a label out
// of range.
func TestCIFARCorruptArchive(t *testing.T) {
	l := smallLayout(cifar10Layout, 3, 3)
	dir := t.TempDir()
	p := filepath.Join(dir, "cifar-10-binary.tar.gz")
	writeTarGz(t, p, cifar10Members(l))
	good, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readCIFAR(p, l); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "flipped.tar.gz")
	for i := 10; i < len(good); i += 1 + i%3 { // bytes 4..9 (time, flags, OS) are not checksummed
		b := append([]byte{}, good...)
		b[i] ^= 0x5a
		if err := os.WriteFile(bad, b, 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := readCIFAR(bad, l)
		if err == nil && sameGunzip(good, b) {
			continue // a flip in an unused Huffman code length: the stream still decodes to the same bytes
		}
		if err == nil || !strings.Contains(err.Error(), "corrupt archive") || !strings.Contains(err.Error(), "flipped.tar.gz") ||
			strings.Contains(err.Error(), "\n") {
			t.Fatalf("byte %d of %d flipped: error %v, want one line naming flipped.tar.gz and saying corrupt archive", i, len(good), err)
		}
	}
}

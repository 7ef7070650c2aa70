package data

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pickler writes the pickle opcodes that Python emits for ImageNet16 batches, so the tests need
// no Python: protocol 2 dicts of a numpy uint8 array and a list of ints.
type pickler struct{ bytes.Buffer }

func (p *pickler) op(b ...byte) { p.Write(b) }
func (p *pickler) global(module, name string) {
	p.op('c')
	p.WriteString(module + "\n" + name + "\n")
}
func (p *pickler) int(v int) {
	if v >= 0 && v < 256 {
		p.op('K', byte(v)) // BININT1
		return
	}
	p.op('J') // BININT
	binary.Write(p, binary.LittleEndian, int32(v))
}
func (p *pickler) str2(s string) { // Python 2 str: BINSTRING
	p.op('T')
	binary.Write(p, binary.LittleEndian, int32(len(s)))
	p.WriteString(s)
}
func (p *pickler) unicode(s string) { // BINUNICODE
	p.op('X')
	binary.Write(p, binary.LittleEndian, uint32(len(s)))
	p.WriteString(s)
}
func (p *pickler) bytes3(b []byte) { // BINBYTES (protocol 3)
	p.op('B')
	binary.Write(p, binary.LittleEndian, uint32(len(b)))
	p.Write(b)
}

// ndarray writes numpy.core.multiarray._reconstruct(ndarray, (0,), 'b') + BUILD(state) for a
// uint8 array of shape (n, 768); raw writes the data bytes in the style under test.
func (p *pickler) ndarray(n int, raw func()) {
	p.global("numpy.core.multiarray", "_reconstruct")
	p.global("numpy", "ndarray")
	p.int(0)
	p.op(0x85) // TUPLE1
	p.str2("b")
	p.op(0x87, 'R') // TUPLE3, REDUCE
	p.op('(')       // MARK
	p.int(1)
	p.int(n)
	p.int(768)
	p.op(0x86) // TUPLE2: shape
	p.global("numpy", "dtype")
	p.str2("u1")
	p.op(0x89, 0x88, 0x87, 'R') // False, True, TUPLE3, REDUCE
	p.op('(')
	p.int(3)
	p.str2("|")
	p.op('N', 'N', 'N')
	p.int(-1)
	p.int(-1)
	p.int(0)
	p.op('t', 'b') // TUPLE, BUILD
	p.op(0x89)     // is_fortran False
	raw()
	p.op('t', 'b')
}

type pickleStyle int

const (
	py2Numpy    pickleStyle = iota // numpy array, data as a Python 2 str
	py3Codecs                      // numpy array, data as _codecs.encode(unicode, 'latin1') (protocol 2 from Python 3)
	py3RawBytes                    // data as plain bytes (protocol 3)
)

// imageNet16Pickle returns a pickled batch of images with the given labels; image i has red
// plane i, green i+1, blue i+2.
func imageNet16Pickle(labels []int, style pickleStyle) []byte {
	data := make([]byte, 0, len(labels)*768)
	for i := range labels {
		for ch := 0; ch < 3; ch++ {
			data = append(data, bytes.Repeat([]byte{byte(i + ch)}, 256)...)
		}
	}
	var p pickler
	p.op(0x80, 2, '}', '(') // PROTO 2, EMPTY_DICT, MARK
	p.unicode("data")
	switch style {
	case py2Numpy:
		p.ndarray(len(labels), func() { p.str2(string(data)) })
	case py3Codecs:
		p.ndarray(len(labels), func() {
			p.global("_codecs", "encode")
			var u strings.Builder
			for _, b := range data {
				u.WriteRune(rune(b))
			}
			p.unicode(u.String())
			p.unicode("latin1")
			p.op(0x86, 'R')
		})
	case py3RawBytes:
		p.bytes3(data)
	}
	p.unicode("labels")
	p.op(']', '(')
	for _, l := range labels {
		p.int(l)
	}
	p.op('e')      // APPENDS
	p.op('u', '.') // SETITEMS, STOP
	return p.Bytes()
}

func writeImageNet16(t *testing.T, dir string, train [][]int, val []int, style pickleStyle) {
	t.Helper()
	for i, labels := range train {
		os.WriteFile(filepath.Join(dir, imageNet16Train[i]), imageNet16Pickle(labels, style), 0o644)
	}
	os.WriteFile(filepath.Join(dir, imageNet16Val), imageNet16Pickle(val, style), 0o644)
}

func TestImageNet16(t *testing.T) {
	train := make([][]int, 10)
	for i := range train {
		train[i] = []int{1, 120, 121, 1000, 5 + i, 300}
	}
	for _, style := range []pickleStyle{py2Numpy, py3Codecs, py3RawBytes} {
		dir := t.TempDir()
		writeImageNet16(t, dir, train, []int{2, 500, 120, 7}, style)
		d, err := ReadImageNet16(dir, 120)
		if err != nil {
			t.Fatalf("style %d: %v", style, err)
		}
		// Kept per training file: labels 1, 120, 5+i → 30 images; val keeps 2, 120, 7.
		if d.Name != "imagenet16-120" || d.Train.Len() != 30 || d.Test.Len() != 3 || len(d.Train.Classes) != 120 {
			t.Fatalf("style %d: %s %d/%d images, %d classes", style, d.Name, d.Train.Len(), d.Test.Len(), len(d.Train.Classes))
		}
		if d.Train.Labels[0] != 0 || d.Train.Labels[1] != 119 || d.Train.Labels[2] != 4 || d.Test.Labels[1] != 119 {
			t.Errorf("style %d: labels %v / %v (want label-1)", style, d.Train.Labels[:3], d.Test.Labels)
		}
		// Test image 2 is record 3 of val_data (label 7): red 3, green 4, blue 5, HWC.
		if img := d.Test.Image(2); img[0] != 3 || img[1] != 4 || img[2] != 5 || len(img) != 768 || d.Test.Height != 16 {
			t.Errorf("style %d: pixel %v", style, img[:3])
		}
		all, err := ReadImageNet16(dir, 0)
		if err != nil || all.Train.Len() != 60 || all.Name != "imagenet16-1000" {
			t.Errorf("all classes: %v", err)
		}
		s, err := Search(d, DefaultSplitSeed)
		if err != nil || s.Train.Len() != 30 || s.Valid.Len() != 1 || s.Test.Len() != 2 {
			t.Errorf("search split: %v", err)
		}
	}
}

func TestImageNet16BadInput(t *testing.T) {
	train := make([][]int, 10)
	for i := range train {
		train[i] = []int{1, 2}
	}
	cases := []struct {
		name string
		file []byte
		want []string
	}{
		{"label out of range", imageNet16Pickle([]int{1, 1001}, py2Numpy), []string{"label 1001 of image 1 out of range"}},
		{"label zero", imageNet16Pickle([]int{0}, py3RawBytes), []string{"label 0 of image 0 out of range"}},
		{"truncated pickle", imageNet16Pickle([]int{1, 2}, py2Numpy)[:900], []string{"pickle"}},
		{"not a pickle", []byte("PK\x03\x04 a zip file"), []string{"pickle"}},
		{"corrupt length field", bytes.Replace(imageNet16Pickle([]int{1}, py3RawBytes), []byte{'B', 0, 3, 0, 0}, []byte{'B', 0xff, 2, 0, 0}, 1), []string{"pickle"}},
		{"empty file", nil, []string{"pickle"}},
	}
	// A dict without labels, and a data array one byte short of whole records.
	var p pickler
	p.op(0x80, 2, '}', '(')
	p.unicode("data")
	p.bytes3(make([]byte, 768))
	p.op('u', '.')
	cases = append(cases, struct {
		name string
		file []byte
		want []string
	}{"no labels", p.Bytes(), []string{"lacks"}})
	var q pickler
	q.op(0x80, 3, '}', '(')
	q.unicode("data")
	q.bytes3(make([]byte, 767))
	q.unicode("labels")
	q.op(']', '(')
	q.int(1)
	q.op('e', 'u', '.')
	cases = append(cases, struct {
		name string
		file []byte
		want []string
	}{"short record", q.Bytes(), []string{"truncated record 0 (767 of 768 bytes)"}})
	var m pickler
	m.op(0x80, 3, '}', '(')
	m.unicode("data")
	m.bytes3(make([]byte, 2*768))
	m.unicode("labels")
	m.op(']', '(')
	m.int(1)
	m.op('e', 'u', '.')
	cases = append(cases, struct {
		name string
		file []byte
		want []string
	}{"count mismatch", m.Bytes(), []string{"2 images but 1 labels"}})
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			writeImageNet16(t, dir, train, []int{1}, py2Numpy)
			bad := filepath.Join(dir, imageNet16Train[3])
			os.WriteFile(bad, c.file, 0o644)
			d, err := ReadImageNet16(dir, 120)
			checkBadInput(t, d, err, bad, c.want...)
		})
	}
	t.Run("missing file", func(t *testing.T) {
		dir := t.TempDir()
		writeImageNet16(t, dir, train, []int{1}, py2Numpy)
		os.Remove(filepath.Join(dir, imageNet16Val))
		d, err := ReadImageNet16(dir, 120)
		checkBadInput(t, d, err, imageNet16Val, "no such file")
	})
}

package data

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// CIFAR10Classes are the CIFAR-10 class names in label order.
var CIFAR10Classes = []string{"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"}

// CIFAR100Classes are the CIFAR-100 fine class names in label order.
var CIFAR100Classes = []string{
	"apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
	"bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
	"chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
	"dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
	"lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
	"mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
	"plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
	"rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
	"squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
	"train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm",
}

// CIFAR100Superclasses are the CIFAR-100 coarse class names in label order.
var CIFAR100Superclasses = []string{
	"aquatic_mammals", "fish", "flowers", "food_containers", "fruit_and_vegetables",
	"household_electrical_devices", "household_furniture", "insects", "large_carnivores",
	"large_man-made_outdoor_things", "large_natural_outdoor_scenes", "large_omnivores_and_herbivores",
	"medium_mammals", "non-insect_invertebrates", "people", "reptiles", "small_mammals", "trees",
	"vehicles_1", "vehicles_2",
}

// cifarLayout describes one of the two CIFAR binary layouts.
type cifarLayout struct {
	name       string   // "CIFAR-10"
	dataset    string   // "cifar10"
	folder     string   // folder inside the archive: "cifar-10-batches-bin"
	train      []string // training files, in order
	test       string
	perFile    int // records per training file
	testCount  int
	labelBytes int // 1 (CIFAR-10) or 2 (CIFAR-100: coarse, fine)
	classes    []string
	coarse     []string
	namesFile  string // class names, one per line (optional)
	coarseFile string
}

var cifar10Layout = cifarLayout{
	name: "CIFAR-10", dataset: "cifar10", folder: "cifar-10-batches-bin",
	train:   []string{"data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"},
	test:    "test_batch.bin",
	perFile: 10000, testCount: 10000, labelBytes: 1, classes: CIFAR10Classes, namesFile: "batches.meta.txt",
}

var cifar100Layout = cifarLayout{
	name: "CIFAR-100", dataset: "cifar100", folder: "cifar-100-binary",
	train: []string{"train.bin"}, test: "test.bin",
	perFile: 50000, testCount: 10000, labelBytes: 2, classes: CIFAR100Classes, coarse: CIFAR100Superclasses,
	namesFile: "fine_label_names.txt", coarseFile: "coarse_label_names.txt",
}

const cifarPixels = 32 * 32 * 3

// ReadCIFAR10 reads CIFAR-10 in the official binary layout (cifar-10-binary.tar.gz) from path,
// which is either that archive (.tar.gz or .tar) or a folder holding data_batch_1.bin …
// data_batch_5.bin and test_batch.bin, directly or in a cifar-10-batches-bin sub-folder.
// Records are 1 label byte then 1024 red, 1024 green and 1024 blue bytes (rows of 32); every file
// must hold exactly 10,000 of them. Class names come from the fixed official list.
func ReadCIFAR10(path string) (*Dataset, error) { return readCIFAR(path, &cifar10Layout) }

// ReadCIFAR100 reads CIFAR-100 in the official binary layout (cifar-100-binary.tar.gz) from path,
// the archive or a folder holding train.bin and test.bin (directly or in cifar-100-binary/).
// Records are 1 coarse label byte, 1 fine label byte, then 3072 pixel bytes as in CIFAR-10;
// train.bin must hold 50,000 records and test.bin 10,000. Labels are the fine labels; Coarse
// holds the superclasses.
func ReadCIFAR100(path string) (*Dataset, error) { return readCIFAR(path, &cifar100Layout) }

func readCIFAR(p string, l *cifarLayout) (*Dataset, error) {
	fi, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	c := &cifarReader{l: l, names: map[string][]byte{}, done: map[string]bool{}}
	if fi.IsDir() {
		dir := p
		if _, err := os.Stat(filepath.Join(p, l.folder)); err == nil {
			dir = filepath.Join(p, l.folder)
		}
		for _, name := range append(append([]string{}, l.train...), l.test) {
			if err := c.readFile(dir, name); err != nil {
				return nil, err
			}
		}
		for _, name := range []string{l.namesFile, l.coarseFile} {
			if b, err := os.ReadFile(filepath.Join(dir, name)); name != "" && err == nil {
				c.names[name] = b
			}
		}
	} else if err := c.readArchive(p); err != nil {
		return nil, err
	}
	c.setNames()
	return &Dataset{Name: l.dataset, Train: c.train, Test: c.test}, nil
}

// cifarReader decodes the members of a CIFAR distribution into two Sets.
type cifarReader struct {
	l           *cifarLayout
	train, test *Set
	names       map[string][]byte // class-name files
	done        map[string]bool   // data files decoded
}

func (c *cifarReader) newSet(name string, n int) *Set {
	s := &Set{Name: c.l.dataset + "/" + name, Height: 32, Width: 32, Channels: 3, Classes: c.l.classes,
		Images: make([]byte, n*cifarPixels), Labels: make([]int32, n)}
	if c.l.labelBytes == 2 {
		s.Coarse, s.CoarseClasses = make([]int32, n), c.l.coarse
	}
	return s
}

// target says where the records of data file name go: set, first image, record count.
func (c *cifarReader) target(name string) (s *Set, offset, count int, ok bool) {
	if c.train == nil { // allocated at the first data file, so a wrong archive costs nothing
		c.train = c.newSet("train", c.l.perFile*len(c.l.train))
		c.test = c.newSet("test", c.l.testCount)
	}
	if name == c.l.test {
		return c.test, 0, c.l.testCount, true
	}
	for k, t := range c.l.train {
		if name == t {
			return c.train, k * c.l.perFile, c.l.perFile, true
		}
	}
	return nil, 0, 0, false
}

func (c *cifarReader) readFile(dir, name string) error {
	p := filepath.Join(dir, name)
	f, err := os.Open(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("data: %s: no %s file (not an extracted %s binary folder?)", dir, name, c.l.name)
		}
		return fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	s, off, n, _ := c.target(name)
	return decodeCIFAR(p, bufio.NewReaderSize(f, 1<<20), fi.Size(), c.l, s, off, n)
}

func (c *cifarReader) setNames() {
	l := c.l
	if b, ok := c.names[l.namesFile]; ok {
		if names := nameLines(b); len(names) == len(l.classes) {
			c.train.Classes, c.test.Classes = names, names
		}
	}
	if b, ok := c.names[l.coarseFile]; ok && l.coarseFile != "" {
		if names := nameLines(b); len(names) == len(l.coarse) {
			c.train.CoarseClasses, c.test.CoarseClasses = names, names
		}
	}
}

// readArchive decodes the members of a (gzipped) tar archive as they stream by.
func (c *cifarReader) readArchive(p string) (err error) {
	l := c.l
	f, err := os.Open(p)
	if err != nil {
		return fmt.Errorf("data: %s: %w", p, errors.Unwrap(err))
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 1<<20)
	var r io.Reader = br
	gzipped := false
	if magic, _ := br.Peek(2); len(magic) == 2 && magic[0] == 0x1f && magic[1] == 0x8b {
		gz, err := gzip.NewReader(br)
		if err != nil {
			return fmt.Errorf("data: %s: corrupt archive: %v", p, err)
		}
		defer gz.Close()
		r, gzipped = gz, true
	} else if !strings.HasSuffix(p, ".tar") {
		return fmt.Errorf("data: %s: not a gzip file (want the %s binary .tar.gz)", p, l.name)
	}
	var seen []string
	defer func() {
		// Read the archive to its end so that gzip verifies its checksum and length. Records are
		// decoded as they stream by, before that check: when decoding failed (a label out of range,
		// a short member, a bad tar header), a gzip error is the real cause, so it replaces the
		// decoding error.
		if err != nil && !gzipped {
			return
		}
		if _, e := io.Copy(io.Discard, r); e != nil {
			how := ""
			if errors.Is(e, io.ErrUnexpectedEOF) {
				how = " (truncated)"
			}
			err = fmt.Errorf("data: %s: corrupt archive%s: %v", p, how, e)
		}
	}()
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fmt.Errorf("data: %s: corrupt archive after %d members: %v", p, len(seen), err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		seen = append(seen, h.Name)
		base := path.Base(h.Name)
		if path.Base(path.Dir(h.Name)) != l.folder && path.Dir(h.Name) != "." {
			continue
		}
		member := p + ": " + h.Name
		if s, off, n, ok := c.target(base); ok {
			if err := decodeCIFAR(member, tr, h.Size, l, s, off, n); err != nil {
				return err
			}
			c.done[base] = true
		} else if base == l.namesFile || base == l.coarseFile && base != "" {
			if h.Size > 1<<20 {
				return fmt.Errorf("data: %s: implausible size %d", member, h.Size)
			}
			b := make([]byte, h.Size)
			if _, err := io.ReadFull(tr, b); err != nil {
				return fmt.Errorf("data: %s: truncated: %v", member, err)
			}
			c.names[base] = b
		}
	}
	for _, name := range append(append([]string{}, l.train...), l.test) {
		if !c.done[name] {
			return wrongArchive(p, name, seen, l)
		}
	}
	return nil
}

func wrongArchive(p, missing string, seen []string, l *cifarLayout) error {
	if len(seen) == 0 {
		return fmt.Errorf("data: %s: empty archive, not %s binary", p, l.name)
	}
	for _, s := range seen {
		if strings.Contains(s, "cifar-100") && l.dataset == "cifar10" {
			return fmt.Errorf("data: %s: a CIFAR-100 archive (holds %s), not CIFAR-10 binary", p, s)
		}
		if strings.Contains(s, "cifar-10-") && l.dataset == "cifar100" {
			return fmt.Errorf("data: %s: a CIFAR-10 archive (holds %s), not CIFAR-100 binary", p, s)
		}
		if strings.HasSuffix(s, "data_batch_1") || strings.HasSuffix(s, "/train") {
			return fmt.Errorf("data: %s: the CIFAR Python (pickle) version (holds %s), want the binary version", p, s)
		}
	}
	sort.Strings(seen)
	if len(seen) > 3 {
		seen = append(seen[:3], "…")
	}
	return fmt.Errorf("data: %s: not a %s binary archive: no %s/%s (holds %s)", p, l.name, l.folder, missing, strings.Join(seen, ", "))
}

// decodeCIFAR reads the size bytes of one data file from r and converts its count records into s
// from image offset on, from planar RGB to NHWC. Reading (and decompressing) runs in this
// goroutine and decoding in another, chunk by chunk, so the two overlap.
func decodeCIFAR(file string, r io.Reader, size int64, l *cifarLayout, s *Set, offset, count int) error {
	rec := int64(l.labelBytes + cifarPixels)
	if size%rec != 0 {
		n := size / rec
		return fmt.Errorf("data: %s: truncated record %d (%d of %d bytes)", file, n, size-n*rec, rec)
	}
	if size/rec != int64(count) {
		return fmt.Errorf("data: %s: %d records, want %d (not a %s %s?)", file, size/rec, count, l.name, path.Base(file))
	}
	const chunk = 500
	free := make(chan []byte, 3)
	for i := 0; i < cap(free); i++ {
		free <- make([]byte, chunk*rec)
	}
	type job struct {
		b     []byte
		first int
	}
	jobs := make(chan job, 2)
	done := make(chan error, 1)
	go func() {
		var err error
		for j := range jobs {
			if err == nil {
				err = decodeRecords(file, j.b, l, s, offset, j.first)
			}
			free <- j.b[:cap(j.b)]
		}
		done <- err
	}()
	var readErr error
	for i := 0; i < count; i += chunk {
		b := (<-free)[:int64(min(chunk, count-i))*rec]
		if n, err := io.ReadFull(r, b); err != nil {
			readErr = fmt.Errorf("data: %s: truncated record %d (%d of %d bytes): %v", file, i+n/int(rec), n%int(rec), rec, err)
			break
		}
		jobs <- job{b, i}
	}
	close(jobs)
	if err := <-done; err != nil {
		return err
	}
	return readErr
}

// decodeRecords converts the records in b, the first being record first of its file.
func decodeRecords(file string, b []byte, l *cifarLayout, s *Set, offset, first int) error {
	rec := l.labelBytes + cifarPixels
	for i := 0; i < len(b)/rec; i++ {
		r := b[i*rec : (i+1)*rec]
		k := offset + first + i
		fine := r[l.labelBytes-1]
		if int(fine) >= len(l.classes) {
			return fmt.Errorf("data: %s: record %d: label %d out of range [0, %d)", file, first+i, fine, len(l.classes))
		}
		s.Labels[k] = int32(fine)
		if l.labelBytes == 2 {
			if int(r[0]) >= len(l.coarse) {
				return fmt.Errorf("data: %s: record %d: coarse label %d out of range [0, %d)", file, first+i, r[0], len(l.coarse))
			}
			s.Coarse[k] = int32(r[0])
		}
		px := r[l.labelBytes:]
		red, green, blue := px[:1024:1024], px[1024:2048:2048], px[2048:3072:3072]
		dst := s.Images[k*cifarPixels : (k+1)*cifarPixels : (k+1)*cifarPixels]
		for j := 0; j < 1024; j++ {
			o := dst[3*j : 3*j+3 : 3*j+3]
			o[0], o[1], o[2] = red[j], green[j], blue[j]
		}
	}
	return nil
}

func nameLines(b []byte) []string {
	var out []string
	for _, line := range bytes.Split(b, []byte("\n")) {
		if s := strings.TrimSpace(string(line)); s != "" {
			out = append(out, s)
		}
	}
	return out
}

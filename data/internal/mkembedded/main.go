// Command mkembedded writes the small Fashion-MNIST sample that package data embeds
// (data/embedded/*.gz) from the official IDX files, by default Debian's
// /usr/share/datasets/fashion-mnist (apt-get install dataset-fashion-mnist).
//
// It keeps, from each of the training and test files, the first -train (-test) images of every
// class in file order, preserving their relative order, and writes them as gzipped IDX files
// (best compression, no timestamp, so the output is reproducible). Run it from data/ with
//
//	go generate ./data
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

func main() {
	src := flag.String("src", "/usr/share/datasets/fashion-mnist", "folder with the Fashion-MNIST IDX files")
	out := flag.String("out", "embedded", "output folder")
	train := flag.Int("train", 300, "training images kept per class")
	test := flag.Int("test", 100, "test images kept per class")
	flag.Parse()
	if err := run(*src, *out, *train, *test); err != nil {
		fmt.Fprintln(os.Stderr, "mkembedded:", err)
		os.Exit(1)
	}
}

func run(src, out string, train, test int) error {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, p := range []struct {
		prefix string
		per    int
	}{{"train", train}, {"t10k", test}} {
		img, err := readGz(filepath.Join(src, p.prefix+"-images-idx3-ubyte.gz"))
		if err != nil {
			return err
		}
		lbl, err := readGz(filepath.Join(src, p.prefix+"-labels-idx1-ubyte.gz"))
		if err != nil {
			return err
		}
		if len(img) < 16 || len(lbl) < 8 || binary.BigEndian.Uint32(img) != 0x803 || binary.BigEndian.Uint32(lbl) != 0x801 {
			return fmt.Errorf("%s: not IDX image/label files", p.prefix)
		}
		n := int(binary.BigEndian.Uint32(img[4:]))
		rows, cols := int(binary.BigEndian.Uint32(img[8:])), int(binary.BigEndian.Uint32(img[12:]))
		size := rows * cols
		if len(img) != 16+n*size || len(lbl) != 8+n {
			return fmt.Errorf("%s: sizes do not match the headers", p.prefix)
		}
		count := map[byte]int{}
		var keepImg, keepLbl []byte
		for i := 0; i < n; i++ {
			l := lbl[8+i]
			if count[l] >= p.per {
				continue
			}
			count[l]++
			keepLbl = append(keepLbl, l)
			keepImg = append(keepImg, img[16+i*size:16+(i+1)*size]...)
		}
		k := len(keepLbl)
		ih := make([]byte, 16)
		binary.BigEndian.PutUint32(ih, 0x803)
		binary.BigEndian.PutUint32(ih[4:], uint32(k))
		binary.BigEndian.PutUint32(ih[8:], uint32(rows))
		binary.BigEndian.PutUint32(ih[12:], uint32(cols))
		lh := make([]byte, 8)
		binary.BigEndian.PutUint32(lh, 0x801)
		binary.BigEndian.PutUint32(lh[4:], uint32(k))
		if err := writeGz(filepath.Join(out, p.prefix+"-images-idx3-ubyte.gz"), append(ih, keepImg...)); err != nil {
			return err
		}
		if err := writeGz(filepath.Join(out, p.prefix+"-labels-idx1-ubyte.gz"), append(lh, keepLbl...)); err != nil {
			return err
		}
		fmt.Printf("%s: kept %d of %d images\n", p.prefix, k, n)
	}
	return nil
}

func readGz(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", p, err)
	}
	return io.ReadAll(z)
}

func writeGz(p string, b []byte) error {
	var buf bytes.Buffer
	z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	z.Name = filepath.Base(p[:len(p)-3])
	if _, err := z.Write(b); err != nil {
		return err
	}
	if err := z.Close(); err != nil {
		return err
	}
	return os.WriteFile(p, buf.Bytes(), 0o644)
}

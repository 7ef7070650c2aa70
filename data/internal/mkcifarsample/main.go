// Command mkcifarsample writes the small CIFAR-10 sample that package data embeds
// (data/embedded/cifar10-{train,test}.bin.gz) from the official binary archive
// cifar-10-binary.tar.gz (Krizhevsky, 2009).
//
// It keeps the first -train images of every class of data_batch_1.bin and the first -test images of
// every class of test_batch.bin, in file order, as raw CIFAR-10 records (1 label byte + 1024 red,
// 1024 green, 1024 blue bytes), gzipped with best compression and no timestamp so the output is
// reproducible. Run it from data/ with
//
//	go generate ./data
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"flag"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
)

const record = 1 + 32*32*3

func main() {
	src := flag.String("src", "../../shared/data/cifar10/cifar-10-binary.tar.gz", "the CIFAR-10 binary archive")
	out := flag.String("out", "embedded", "output folder")
	train := flag.Int("train", 200, "training images kept per class (from data_batch_1.bin)")
	test := flag.Int("test", 50, "test images kept per class (from test_batch.bin)")
	flag.Parse()
	if err := run(*src, *out, *train, *test); err != nil {
		fmt.Fprintln(os.Stderr, "mkcifarsample:", err)
		os.Exit(1)
	}
}

func run(src, out string, train, test int) error {
	members, err := ReadMembers(src, "data_batch_1.bin", "test_batch.bin")
	if err != nil {
		return err
	}
	for _, p := range []struct {
		member, file string
		per          int
	}{{"data_batch_1.bin", "cifar10-train.bin.gz", train}, {"test_batch.bin", "cifar10-test.bin.gz", test}} {
		recs, err := Sample(members[p.member], p.per)
		if err != nil {
			return fmt.Errorf("%s: %w", p.member, err)
		}
		var buf bytes.Buffer
		z, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		z.Write(recs)
		if err := z.Close(); err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(out, p.file), buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Printf("%s: %d images, %d bytes\n", p.file, len(recs)/record, buf.Len())
	}
	return nil
}

// ReadMembers returns the named members (by base name) of a gzipped tar archive.
func ReadMembers(archive string, names ...string) (map[string][]byte, error) {
	f, err := os.Open(archive)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	z, err := gzip.NewReader(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	got := map[string][]byte{}
	tr := tar.NewReader(z)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", archive, err)
		}
		if b := path.Base(h.Name); want[b] {
			if got[b], err = io.ReadAll(tr); err != nil {
				return nil, fmt.Errorf("%s: %s: %w", archive, h.Name, err)
			}
		}
	}
	if _, err := io.Copy(io.Discard, z); err != nil {
		return nil, fmt.Errorf("%s: %w", archive, err)
	}
	for _, n := range names {
		if got[n] == nil {
			return nil, fmt.Errorf("%s: no %s", archive, n)
		}
	}
	return got, nil
}

// Sample returns the first per records of every class of a CIFAR-10 batch file, in file order.
func Sample(batch []byte, per int) ([]byte, error) {
	if len(batch)%record != 0 {
		return nil, fmt.Errorf("%d bytes is not a whole number of records", len(batch))
	}
	var out []byte
	count := make([]int, 10)
	kept := 0
	for i := 0; i+record <= len(batch) && kept < 10*per; i += record {
		l := batch[i]
		if l >= 10 {
			return nil, fmt.Errorf("record %d: label %d", i/record, l)
		}
		if count[l] < per {
			count[l]++
			kept++
			out = append(out, batch[i:i+record]...)
		}
	}
	if kept < 10*per {
		return nil, fmt.Errorf("only %v images per class", count)
	}
	return out, nil
}

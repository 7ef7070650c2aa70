package data

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// DataDirEnv names the environment variable that overrides the default data directory.
const DataDirEnv = "GAEA_DATA"

// DefaultDir returns the data directory: $GAEA_DATA if set, else "gaeanas/data" under the per-user
// cache directory (os.UserCacheDir: ~/.cache on Linux, ~/Library/Caches on macOS).
func DefaultDir() (string, error) {
	if d := os.Getenv(DataDirEnv); d != "" {
		return d, nil
	}
	c, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("data: no data directory: set %s (%v)", DataDirEnv, err)
	}
	return filepath.Join(c, "gaeanas", "data"), nil
}

// remoteFile is one file of an official distribution.
type remoteFile struct {
	name, url, checksum string
}

// sources lists what Open downloads, by data set; files go to <dir>/<data set>/<name>. The
// checksums are the MD5 sums the publishers give (as torchvision records them).
var sources = map[string][]remoteFile{
	"cifar10":  {{"cifar-10-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz", "md5:c32a1d4ab5d03f1284b67883e8d87530"}},
	"cifar100": {{"cifar-100-binary.tar.gz", "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz", "md5:03b5dce01913d631647c71ecec9e9cb8"}},
	"fashion-mnist": {
		{"train-images-idx3-ubyte.gz", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-images-idx3-ubyte.gz", "md5:8d4fb7e6c68d591d4c3dfef9ec88bf0d"},
		{"train-labels-idx1-ubyte.gz", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/train-labels-idx1-ubyte.gz", "md5:25c81989df183df01b3e8a0aad5dffbe"},
		{"t10k-images-idx3-ubyte.gz", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-images-idx3-ubyte.gz", "md5:bef4ecab320f06d8554ea6380940ec79"},
		{"t10k-labels-idx1-ubyte.gz", "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/t10k-labels-idx1-ubyte.gz", "md5:bb300cfdad3c16e7a12a480ee83cd310"},
	},
	"mnist": {
		{"train-images-idx3-ubyte.gz", "https://ossci-datasets.s3.amazonaws.com/mnist/train-images-idx3-ubyte.gz", "md5:f68b3c2dcbeaaa9fbdd348bbdeb94873"},
		{"train-labels-idx1-ubyte.gz", "https://ossci-datasets.s3.amazonaws.com/mnist/train-labels-idx1-ubyte.gz", "md5:d53e105ee54ea40749a09fcbcd1e9432"},
		{"t10k-images-idx3-ubyte.gz", "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-images-idx3-ubyte.gz", "md5:9fb629c4189551a2d022fa330f9573f3"},
		{"t10k-labels-idx1-ubyte.gz", "https://ossci-datasets.s3.amazonaws.com/mnist/t10k-labels-idx1-ubyte.gz", "md5:ec29112dd5afa0611ce80d1b7f02629c"},
	},
}

// Names lists the data sets Open knows.
func Names() []string {
	return []string{"cifar10", "cifar100", "fashion-mnist", "mnist", "imagenet16-120", CIFAR10SampleName, FashionMNISTSampleName, EmbeddedName}
}

// Options configures Open.
type Options struct {
	// Dir is the data directory; "" means DefaultDir().
	Dir string
	// NoDownload makes Open fail instead of downloading a data set that is not on disk.
	NoDownload bool
	// Progress receives download progress lines (the CLI passes os.Stderr); nil for silence.
	Progress io.Writer
	// Client is the HTTP client for downloads (default http.DefaultClient).
	Client *http.Client
	// Mirror, if set, replaces the official servers: file F is fetched from Mirror + "/" + F.
	Mirror string
}

// Open returns a data set by name, reading it from the data directory and downloading the official
// files into it when they are not there (CIFAR-10/100, Fashion-MNIST, MNIST). Names:
//
//   - "cifar10", "cifar100": <dir>/<name>/cifar-10[0]-binary.tar.gz or an extracted
//     cifar-10-batches-bin / cifar-100-binary folder in <dir>/<name> or <dir>;
//   - "fashion-mnist", "mnist": the four IDX files in <dir>/<name>/ (for fashion-mnist also Debian's
//     /usr/share/datasets/fashion-mnist);
//   - "imagenet16-N" (NB201 uses N = 120): the pickled batches in <dir>/imagenet16/ or
//     <dir>/ImageNet16/; never downloaded (NB201 distributes them by hand);
//   - "cifar10-sample" (alias "embedded"): the small CIFAR-10 sample compiled into the binary (see
//     CIFAR10Sample); "fashion-mnist-sample": the small Fashion-MNIST sample (see FashionMNISTSample).
func Open(ctx context.Context, name string, opt Options) (*Dataset, error) {
	switch name {
	case CIFAR10SampleName, EmbeddedName:
		return CIFAR10Sample()
	case FashionMNISTSampleName:
		return FashionMNISTSample()
	}
	dir := opt.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return nil, err
		}
	}
	if n, ok := strings.CutPrefix(name, "imagenet16-"); ok {
		classes, err := strconv.Atoi(n)
		if err != nil || classes < 1 || classes > 1000 {
			return nil, fmt.Errorf("data: unknown data set %q (want imagenet16-N, 1 ≤ N ≤ 1000)", abbrev(name))
		}
		for _, sub := range []string{"imagenet16", "ImageNet16", "."} {
			d := filepath.Join(dir, sub)
			if exists(filepath.Join(d, imageNet16Val)) {
				return ReadImageNet16(d, classes)
			}
		}
		return nil, fmt.Errorf("data: %s: no ImageNet16 (train_data_batch_1…10, val_data) in %s/imagenet16; download NB201's Imagenet16_train.zip and Imagenet16_val.zip by hand", name, dir)
	}
	var read func(string) (*Dataset, error)
	var candidates []string
	switch name {
	case "cifar10", "cifar100":
		l := &cifar10Layout
		read = ReadCIFAR10
		if name == "cifar100" {
			l, read = &cifar100Layout, ReadCIFAR100
		}
		archive := sources[name][0].name
		candidates = []string{filepath.Join(dir, name, l.folder), filepath.Join(dir, l.folder),
			filepath.Join(dir, name, archive), filepath.Join(dir, archive)}
	case "fashion-mnist", "mnist":
		read = ReadMNIST
		if name == "fashion-mnist" {
			read = ReadFashionMNIST
		}
		candidates = []string{filepath.Join(dir, name)}
		if name == "fashion-mnist" {
			candidates = append(candidates, "/usr/share/datasets/fashion-mnist")
		}
	default:
		known := Names()
		sort.Strings(known)
		return nil, fmt.Errorf("data: unknown data set %q (known: %s)", abbrev(name), strings.Join(known, ", "))
	}
	for _, c := range candidates {
		if complete(c, name) {
			return read(c)
		}
	}
	if opt.NoDownload {
		return nil, fmt.Errorf("data: %s not found in %s (looked for %s) and downloads are off", name, dir, strings.Join(candidates, ", "))
	}
	dl := &Downloader{Client: opt.Client, Progress: opt.Progress}
	for _, f := range sources[name] {
		url := f.url
		if opt.Mirror != "" {
			url = strings.TrimSuffix(opt.Mirror, "/") + "/" + f.name
		}
		if err := dl.Fetch(ctx, url, filepath.Join(dir, name, f.name), f.checksum); err != nil {
			return nil, err
		}
	}
	if name == "cifar10" || name == "cifar100" {
		return read(filepath.Join(dir, name, sources[name][0].name))
	}
	return read(filepath.Join(dir, name))
}

func exists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// complete reports whether p looks like a copy of the named data set (a file, a CIFAR folder with
// its test batch, or a folder with all four IDX files). Reading it then checks everything.
func complete(p, name string) bool {
	fi, err := os.Stat(p)
	if err != nil {
		return false
	}
	switch name {
	case "cifar10":
		return !fi.IsDir() || exists(filepath.Join(p, "test_batch.bin"))
	case "cifar100":
		return !fi.IsDir() || exists(filepath.Join(p, "test.bin"))
	}
	if !fi.IsDir() {
		return false
	}
	for _, f := range sources[name] {
		if !exists(filepath.Join(p, f.name)) && !exists(filepath.Join(p, strings.TrimSuffix(f.name, ".gz"))) {
			return false
		}
	}
	return true
}

// abbrev shortens s to its first 80 characters and "…", so that an error quoting a long (or
// garbage) input stays one short line.
func abbrev(s string) string {
	const n = 80
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

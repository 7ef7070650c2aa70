package data

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"

	"github.com/gaeanas/gaeanas/internal/text"
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

// ErrUnknown is wrapped by the errors of Open, Ensure and Check for a name that is no data set.
var ErrUnknown = errors.New("unknown data set")

// ErrNotAvailable is wrapped by the errors of Open and Ensure for a known data set that is not in the
// data directory and could not be downloaded (no network, downloads off, or one distributed by hand).
var ErrNotAvailable = errors.New("data set not available")

// notAvailableError is an error wrapping ErrNotAvailable whose text does not repeat it.
type notAvailableError struct{ msg string }

func (e *notAvailableError) Error() string        { return e.msg }
func (e *notAvailableError) Is(target error) bool { return target == ErrNotAvailable }

func notAvailable(format string, args ...any) error {
	return &notAvailableError{fmt.Sprintf(format, args...)}
}

// Canonical is the name of a data set without its aliases: "embedded" is "cifar10-sample"; other
// names are returned as they are.
func Canonical(name string) string {
	if name == EmbeddedName {
		return CIFAR10SampleName
	}
	return name
}

// Check reports whether name is a data set Open knows (imagenet16-N with 1 ≤ N ≤ 1000 included),
// without looking for it; the error wraps ErrUnknown.
func Check(name string) error {
	if n, ok := strings.CutPrefix(name, "imagenet16-"); ok {
		if classes, err := strconv.Atoi(n); err != nil || classes < 1 || classes > 1000 {
			return fmt.Errorf("data: %w %q (want imagenet16-N, 1 ≤ N ≤ 1000)", ErrUnknown, text.Abbrev(name))
		}
		return nil
	}
	for _, n := range Names() {
		if n == name {
			return nil
		}
	}
	known := Names()
	sort.Strings(known)
	return fmt.Errorf("data: %w %q (known: %s)", ErrUnknown, text.Abbrev(name), strings.Join(known, ", "))
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
//
// An unknown name is an error wrapping ErrUnknown; a data set that is not on disk and cannot be
// downloaded an error wrapping ErrNotAvailable, one line saying where to put it. A failed download
// creates no folder.
func Open(ctx context.Context, name string, opt Options) (*Dataset, error) {
	switch name {
	case CIFAR10SampleName, EmbeddedName:
		return CIFAR10Sample()
	case FashionMNISTSampleName:
		return FashionMNISTSample()
	}
	path, read, err := locate(ctx, name, opt)
	if err != nil {
		return nil, err
	}
	return read(path)
}

// Ensure makes sure the named data set can be read: it is compiled in, or on disk in the data
// directory, or it is downloaded there now (when opt allows). It reads nothing; the errors are
// Open's. Commands call it before they create a run folder.
func Ensure(ctx context.Context, name string, opt Options) error {
	switch name {
	case CIFAR10SampleName, EmbeddedName, FashionMNISTSampleName:
		return nil
	}
	_, _, err := locate(ctx, name, opt)
	return err
}

// locate finds the files of a data set on disk (downloading them when they are missing and opt allows)
// and returns the path to read and the function that reads it.
func locate(ctx context.Context, name string, opt Options) (string, func(string) (*Dataset, error), error) {
	if err := Check(name); err != nil {
		return "", nil, err
	}
	dir := opt.Dir
	if dir == "" {
		var err error
		if dir, err = DefaultDir(); err != nil {
			return "", nil, err
		}
	}
	if n, ok := strings.CutPrefix(name, "imagenet16-"); ok {
		classes, _ := strconv.Atoi(n)
		for _, sub := range []string{"imagenet16", "ImageNet16", "."} {
			d := filepath.Join(dir, sub)
			if exists(filepath.Join(d, imageNet16Val)) {
				return d, func(d string) (*Dataset, error) { return ReadImageNet16(d, classes) }, nil
			}
		}
		return "", nil, notAvailable("data: %s: no ImageNet16 (train_data_batch_1…10, val_data) in %s/imagenet16; download NB201's Imagenet16_train.zip and Imagenet16_val.zip by hand", name, dir)
	}
	var read func(string) (*Dataset, error)
	var candidates []string
	var want string // what to put where, for the error
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
		want = fmt.Sprintf("%s (or its extracted %s folder)", archive, l.folder)
	case "fashion-mnist", "mnist":
		read = ReadMNIST
		if name == "fashion-mnist" {
			read = ReadFashionMNIST
		}
		candidates = []string{filepath.Join(dir, name)}
		if name == "fashion-mnist" {
			candidates = append(candidates, "/usr/share/datasets/fashion-mnist")
		}
		want = "the four IDX files (train-images-idx3-ubyte.gz, …)"
	}
	for _, c := range candidates {
		if complete(c, name) {
			return c, read, nil
		}
	}
	put := fmt.Sprintf("put %s in %s (or name another folder with --data-dir or $%s)", want, filepath.Join(dir, name), DataDirEnv)
	if opt.NoDownload {
		return "", nil, notAvailable("data: %s is not in %s and downloads are off; %s", name, dir, put)
	}
	dl := &Downloader{Client: opt.Client, Progress: opt.Progress}
	for _, f := range sources[name] {
		url := f.url
		if opt.Mirror != "" {
			url = strings.TrimSuffix(opt.Mirror, "/") + "/" + f.name
		}
		if err := dl.Fetch(ctx, url, filepath.Join(dir, name, f.name), f.checksum); err != nil {
			if ctx.Err() != nil {
				return "", nil, err
			}
			return "", nil, notAvailable("data: %s is not in %s and cannot be downloaded (%s); %s", name, dir, whyNot(err), put)
		}
	}
	if name == "cifar10" || name == "cifar100" {
		return filepath.Join(dir, name, sources[name][0].name), read, nil
	}
	return filepath.Join(dir, name), read, nil
}

// whyNot says in a few words why a download failed.
func whyNot(err error) string {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return "no network: cannot resolve " + dns.Name
	}
	if errors.Is(err, syscall.ENETUNREACH) || errors.Is(err, syscall.EHOSTUNREACH) {
		return "no network"
	}
	msg := strings.TrimPrefix(err.Error(), "data: ")
	if r := []rune(msg); len(r) > 120 {
		msg = string(r[:120]) + "…"
	}
	return msg
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

// Package ckpt makes checkpoint folders verifiable: a manifest with the SHA-256 of every file,
// written last, and its check on restore; and the step a checkpoint's variable files are named
// after.
package ckpt

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gomlx/gomlx/pkg/core/tensors"
	"github.com/gomlx/gomlx/pkg/ml/context"
	"github.com/gomlx/gomlx/pkg/ml/train/optimizers"
)

// ManifestFile is the manifest inside a checkpoint folder, in sha256sum's format
// ("<hex>  <name>" per line), so `sha256sum -c MANIFEST.sha256` checks a folder by hand.
const ManifestFile = "MANIFEST.sha256"

// WriteManifest writes dir/ManifestFile listing every regular file of dir (not sub-folders) with
// its SHA-256, and syncs it. Call it after every other file of the checkpoint is written.
func WriteManifest(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, e := range entries {
		if !e.Type().IsRegular() || e.Name() == ManifestFile {
			continue
		}
		sum, err := fileSHA256(filepath.Join(dir, e.Name()))
		if err != nil {
			return err
		}
		fmt.Fprintf(&buf, "%s  %s\n", sum, e.Name())
	}
	return WriteFileSync(filepath.Join(dir, ManifestFile), buf.Bytes())
}

// WriteFileSync writes data to path and syncs it to disk before returning.
func WriteFileSync(path string, data []byte) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Verify checks dir against its manifest. The error names the first bad file (missing, truncated
// or with a different checksum) by its path. A folder without a manifest (written before manifests
// existed) passes.
func Verify(dir string) error {
	m, err := os.ReadFile(filepath.Join(dir, ManifestFile))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if len(m) == 0 || m[len(m)-1] != '\n' {
		return fmt.Errorf("%s: truncated manifest", filepath.Join(dir, ManifestFile))
	}
	n := 0
	sc := bufio.NewScanner(bytes.NewReader(m))
	for sc.Scan() {
		want, name, ok := strings.Cut(sc.Text(), "  ")
		if !ok || len(want) != 64 || name == "" || strings.ContainsAny(name, `/\`) {
			return fmt.Errorf("%s: corrupt manifest line %q", filepath.Join(dir, ManifestFile), text.Abbrev(sc.Text()))
		}
		p := filepath.Join(dir, name)
		got, err := fileSHA256(p)
		if err != nil {
			return fmt.Errorf("%s: missing or unreadable (%v)", p, err)
		}
		if got != want {
			return fmt.Errorf("%s: checksum mismatch (corrupt or truncated file)", p)
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("%s: empty manifest", filepath.Join(dir, ManifestFile))
	}
	return nil
}

func fileSHA256(p string) (string, error) {
	f, err := os.Open(p)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// SetStep sets GoMLX's global step variable of ctx (which the checkpoints handler names its files
// after: "…-step-00000042") to step. Our executors count steps themselves and never increment it.
func SetStep(ctx *context.Context, step int64) error {
	return optimizers.GetGlobalStepVar(ctx).SetValue(tensors.FromValue(step))
}

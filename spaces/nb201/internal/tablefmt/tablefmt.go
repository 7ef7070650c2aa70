// Package tablefmt is the binary form of the embedded NAS-Bench-201 accuracy table: the generator
// (internal/mktable) encodes it, package nb201 decodes it.
//
// The stream is gzip-compressed; inside, little-endian:
//
//	magic      [8]byte  "NB201TBL"
//	version    uint32   1
//	n          uint32   number of rows (15625)
//	csvSHA256  [32]byte hash of the CSV the table was generated from
//	code       [n]uint16  the architecture of row i as its base-5 code (nb201.Arch.Code)
//	acc        [3][n]float64  test accuracy (%) on CIFAR-10, CIFAR-100, ImageNet16-120, row order
//
// The float64 columns are stored byte-plane by byte-plane (all first bytes, then all second bytes, …),
// which lets gzip find the repeated sign/exponent bytes; the values are exact copies of the CSV's
// (strconv.ParseFloat of its decimal strings).
package tablefmt

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
)

// Magic starts every table; Version is the format version this package writes and reads.
const (
	Magic   = "NB201TBL"
	Version = 1
)

// NumDatasets is the number of accuracy columns.
const NumDatasets = 3

// Table is the decoded table.
type Table struct {
	CSVSHA256 [32]byte
	Code      []uint16
	Acc       [NumDatasets][]float64
}

// Encode writes t, gzip-compressed, to w. The output is deterministic.
func Encode(w io.Writer, t *Table) error {
	n := len(t.Code)
	for d := range t.Acc {
		if len(t.Acc[d]) != n {
			return fmt.Errorf("tablefmt: column %d has %d rows, codes have %d", d, len(t.Acc[d]), n)
		}
	}
	var raw bytes.Buffer
	raw.WriteString(Magic)
	_ = binary.Write(&raw, binary.LittleEndian, uint32(Version))
	_ = binary.Write(&raw, binary.LittleEndian, uint32(n))
	raw.Write(t.CSVSHA256[:])
	_ = binary.Write(&raw, binary.LittleEndian, t.Code)
	plane := make([]byte, n)
	for d := range t.Acc {
		for b := 0; b < 8; b++ {
			for i, v := range t.Acc[d] {
				plane[i] = byte(math.Float64bits(v) >> (8 * b))
			}
			raw.Write(plane)
		}
	}
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return err
	}
	return zw.Close()
}

// Decode reads a table written by Encode.
func Decode(data []byte) (*Table, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("tablefmt: %w", err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("tablefmt: %w", err)
	}
	const header = len(Magic) + 4 + 4 + 32
	if len(raw) < header || string(raw[:len(Magic)]) != Magic {
		return nil, errors.New("tablefmt: not an NB201 table (bad magic)")
	}
	le := binary.LittleEndian
	if v := le.Uint32(raw[8:]); v != Version {
		return nil, fmt.Errorf("tablefmt: version %d, want %d", v, Version)
	}
	n := int(le.Uint32(raw[12:]))
	if want := header + n*2 + NumDatasets*n*8; len(raw) != want {
		return nil, fmt.Errorf("tablefmt: %d bytes for %d rows, want %d", len(raw), n, want)
	}
	t := &Table{Code: make([]uint16, n)}
	copy(t.CSVSHA256[:], raw[16:48])
	p := raw[header:]
	for i := range t.Code {
		t.Code[i] = le.Uint16(p[2*i:])
	}
	p = p[2*n:]
	for d := range t.Acc {
		bits := make([]uint64, n)
		for b := 0; b < 8; b++ {
			for i, x := range p[:n] {
				bits[i] |= uint64(x) << (8 * b)
			}
			p = p[n:]
		}
		col := make([]float64, n)
		for i, u := range bits {
			col[i] = math.Float64frombits(u)
		}
		t.Acc[d] = col
	}
	return t, nil
}

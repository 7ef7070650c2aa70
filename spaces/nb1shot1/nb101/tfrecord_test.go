package nb101

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"io"
	"strings"
	"testing"
)

// TestCRC32C: the Castagnoli check value (RFC 3720 appendix B.4: CRC-32C of "123456789" is 0xE3069283)
// and TensorFlow's mask, ((c >> 15) | (c << 17)) + 0xa282ead8 (tensorflow/core/lib/hash/crc32c.h Mask).
func TestCRC32C(t *testing.T) {
	c := crc32.Checksum([]byte("123456789"), castagnoli)
	if c != 0xe3069283 {
		t.Fatalf("CRC-32C check value %08x", c)
	}
	if got, want := maskedCRC([]byte("123456789")), ((c>>15)|(c<<17))+0xa282ead8; got != want {
		t.Errorf("maskedCRC = %08x, want %08x", got, want)
	}
}

func writeRecords(t testing.TB, recs ...[]byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewWriter(&b)
	for _, r := range recs {
		if err := w.Write(r); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

// TestTFRecordRoundTrip: records written are read back in order, with their lengths and offsets, an
// empty record included, then io.EOF.
func TestTFRecordRoundTrip(t *testing.T) {
	recs := [][]byte{[]byte("first"), {}, bytes.Repeat([]byte{0xff, 0}, 3000)}
	data := writeRecords(t, recs...)
	if want := 3*16 + 5 + 0 + 6000; len(data) != want {
		t.Fatalf("%d bytes written, want %d (16 bytes of framing per record)", len(data), want)
	}
	r := NewReader(bytes.NewReader(data))
	for i, want := range recs {
		got, err := r.Next()
		if err != nil || !bytes.Equal(got, want) {
			t.Fatalf("record %d: %d bytes, %v", i, len(got), err)
		}
	}
	if _, err := r.Next(); err != io.EOF {
		t.Errorf("after the last record: %v, want io.EOF", err)
	}
	if r.Offset() != int64(len(data)) {
		t.Errorf("Offset = %d, want %d", r.Offset(), len(data))
	}
}

// TestTFRecordCorruption: a damaged length, length CRC, data or data CRC, and a stream cut inside a
// record, each give a one-line error naming the record and its offset.
func TestTFRecordCorruption(t *testing.T) {
	good := writeRecords(t, []byte("first record"), []byte("second record"))
	second := 16 + len("first record")
	huge := make([]byte, 12)
	binary.LittleEndian.PutUint64(huge, 1<<40)
	binary.LittleEndian.PutUint32(huge[8:], maskedCRC(huge[:8]))
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"length byte", flip(good, second+0), "record 1 at byte 28: length CRC mismatch"},
		{"length CRC", flip(good, second+9), "length CRC mismatch"},
		{"data byte", flip(good, second+14), "record 1 at byte 28: data CRC mismatch"},
		{"data CRC", flip(good, len(good)-1), "data CRC mismatch"},
		{"cut in the header", good[:second+5], "record 1 at byte 28: truncated header (5 of 12 bytes)"},
		{"cut in the data", good[:second+20], "truncated record (8 of 17 data+CRC bytes)"},
		{"cut in the data CRC", good[:len(good)-2], "truncated record"},
		{"absurd length", huge, "record length 1099511627776 exceeds"},
	}
	for _, c := range cases {
		r := NewReader(bytes.NewReader(c.data))
		var err error
		for err == nil {
			_, err = r.Next()
		}
		if err == io.EOF || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %q, want one line containing %q", c.name, err, c.want)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 0x20
	return c
}

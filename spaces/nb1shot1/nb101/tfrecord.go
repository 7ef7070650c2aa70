package nb101

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// TFRecord framing (tensorflow/core/lib/io/record_writer.cc): each record is
//
//	uint64 length (little endian) | uint32 masked CRC-32C of the 8 length bytes | data | uint32 masked CRC-32C of data
//
// where mask(c) = ((c >> 15) | (c << 17)) + 0xa282ead8 (32-bit arithmetic).

// maxRecord bounds the length field: a NAS-Bench-101 row is about 1 KB, so a length above this is
// corruption, not a record to allocate.
const maxRecord = 64 << 20

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// maskedCRC is TFRecord's masked CRC-32C of b.
func maskedCRC(b []byte) uint32 {
	c := crc32.Checksum(b, castagnoli)
	return ((c >> 15) | (c << 17)) + 0xa282ead8
}

// Reader reads the records of a TFRecord stream, checking both CRCs of every record.
type Reader struct {
	r      *bufio.Reader
	offset int64 // byte offset of the next record
	n      int   // records read so far
	buf    []byte
}

// NewReader returns a Reader of the TFRecord stream r.
func NewReader(r io.Reader) *Reader {
	return &Reader{r: bufio.NewReaderSize(r, 1<<20)}
}

// Offset is the byte offset of the next record (the bytes consumed so far).
func (r *Reader) Offset() int64 { return r.offset }

// Next returns the next record's data, valid until the following call. At the clean end of the stream it
// returns io.EOF; a stream that ends inside a record, or a record whose length or data CRC does not
// match, gives an error naming the record and its offset.
func (r *Reader) Next() ([]byte, error) {
	var head [12]byte
	n, err := io.ReadFull(r.r, head[:])
	if err == io.EOF {
		return nil, io.EOF
	}
	if err != nil {
		return nil, r.errorf("truncated header (%d of 12 bytes)", n)
	}
	length := binary.LittleEndian.Uint64(head[:8])
	if got, want := maskedCRC(head[:8]), binary.LittleEndian.Uint32(head[8:]); got != want {
		return nil, r.errorf("length CRC mismatch (stored %08x, computed %08x): corrupted file", want, got)
	}
	if length > maxRecord {
		return nil, r.errorf("record length %d exceeds %d bytes: corrupted file", length, maxRecord)
	}
	if cap(r.buf) < int(length)+4 {
		r.buf = make([]byte, int(length)+4)
	}
	body := r.buf[:int(length)+4]
	if n, err := io.ReadFull(r.r, body); err != nil {
		return nil, r.errorf("truncated record (%d of %d data+CRC bytes)", n, len(body))
	}
	data := body[:length]
	if got, want := maskedCRC(data), binary.LittleEndian.Uint32(body[length:]); got != want {
		return nil, r.errorf("data CRC mismatch (stored %08x, computed %08x): corrupted file", want, got)
	}
	r.offset += 12 + int64(length) + 4
	r.n++
	return data, nil
}

func (r *Reader) errorf(format string, args ...any) error {
	return fmt.Errorf("tfrecord: record %d at byte %d: %s", r.n, r.offset, fmt.Sprintf(format, args...))
}

// Writer writes records in TFRecord framing.
type Writer struct {
	w   io.Writer
	err error
}

// NewWriter returns a Writer that writes TFRecord records to w.
func NewWriter(w io.Writer) *Writer { return &Writer{w: w} }

// Write appends one record.
func (w *Writer) Write(data []byte) error {
	if w.err != nil {
		return w.err
	}
	var head [12]byte
	binary.LittleEndian.PutUint64(head[:8], uint64(len(data)))
	binary.LittleEndian.PutUint32(head[8:], maskedCRC(head[:8]))
	var foot [4]byte
	binary.LittleEndian.PutUint32(foot[:], maskedCRC(data))
	for _, b := range [][]byte{head[:], data, foot[:]} {
		if _, err := w.w.Write(b); err != nil {
			w.err = fmt.Errorf("tfrecord: write: %w", err)
			return w.err
		}
	}
	return nil
}

// errShort is returned by the protobuf decoder for data that ends inside a field.
var errShort = errors.New("truncated")

package nb101

import (
	"encoding/binary"
	"fmt"
	"math"
)

// Metrics is the `ModelMetrics` protobuf message of one training run (google-research/nasbench
// nasbench/lib/model_metrics.proto, lines 9-23).
type Metrics struct {
	// Evaluations are the evaluations during training (field 1): [0] at initialisation, [1] half-way, [2]
	// at the end (nasbench/api.py lines 176-193 read [1] and [2]).
	Evaluations []Evaluation
	// TrainableParameters is the network's parameter count (field 2).
	TrainableParameters int32
	// TotalTime is the run's total time in seconds, training and evaluation (field 3).
	TotalTime float64
}

// Evaluation is the `EvaluationData` message (model_metrics.proto lines 25-53).
type Evaluation struct {
	CurrentEpoch       float64 // field 1
	TrainingTime       float64 // field 2, seconds of training so far
	TrainAccuracy      float64 // field 3
	ValidationAccuracy float64 // field 4
	TestAccuracy       float64 // field 5
	CheckpointPath     string  // field 6
}

// Protobuf wire types (protobuf encoding spec).
const (
	wireVarint  = 0
	wireFixed64 = 1
	wireBytes   = 2
	wireFixed32 = 5
)

// UnmarshalMetrics decodes a serialized ModelMetrics message. Unknown fields are skipped; a known field
// with the wrong wire type, a field that runs past the end of the data, or a malformed varint is an
// error.
func UnmarshalMetrics(b []byte) (Metrics, error) {
	var m Metrics
	err := walk(b, func(field, wire int, v uint64, data []byte) error {
		switch field {
		case 1:
			if wire != wireBytes {
				return wireErr("evaluation_data", wire, wireBytes)
			}
			e, err := unmarshalEvaluation(data)
			if err != nil {
				return fmt.Errorf("evaluation_data[%d]: %w", len(m.Evaluations), err)
			}
			m.Evaluations = append(m.Evaluations, e)
		case 2:
			if wire != wireVarint {
				return wireErr("trainable_parameters", wire, wireVarint)
			}
			m.TrainableParameters = int32(v) // int32 fields are sign-extended to 64 bits on the wire
		case 3:
			if wire != wireFixed64 {
				return wireErr("total_time", wire, wireFixed64)
			}
			m.TotalTime = math.Float64frombits(v)
		}
		return nil
	})
	if err != nil {
		return Metrics{}, fmt.Errorf("ModelMetrics protobuf: %w", err)
	}
	return m, nil
}

func unmarshalEvaluation(b []byte) (Evaluation, error) {
	var e Evaluation
	err := walk(b, func(field, wire int, v uint64, data []byte) error {
		var dst *float64
		switch field {
		case 1:
			dst = &e.CurrentEpoch
		case 2:
			dst = &e.TrainingTime
		case 3:
			dst = &e.TrainAccuracy
		case 4:
			dst = &e.ValidationAccuracy
		case 5:
			dst = &e.TestAccuracy
		case 6:
			if wire != wireBytes {
				return wireErr("checkpoint_path", wire, wireBytes)
			}
			e.CheckpointPath = string(data)
			return nil
		default:
			return nil
		}
		if wire != wireFixed64 {
			return wireErr(fmt.Sprintf("field %d (double)", field), wire, wireFixed64)
		}
		*dst = math.Float64frombits(v)
		return nil
	})
	return e, err
}

func wireErr(name string, got, want int) error {
	return fmt.Errorf("%s has wire type %d, want %d", name, got, want)
}

// walk calls fn for every field of the message b: v holds the value of varint and fixed fields, data
// the payload of length-delimited ones.
func walk(b []byte, fn func(field, wire int, v uint64, data []byte) error) error {
	for pos := 0; pos < len(b); {
		start := pos
		tag, n := binary.Uvarint(b[pos:])
		if n <= 0 {
			return fmt.Errorf("byte %d: malformed tag varint", start)
		}
		pos += n
		field, wire := int(tag>>3), int(tag&7)
		if field == 0 {
			return fmt.Errorf("byte %d: field number 0", start)
		}
		var v uint64
		var data []byte
		switch wire {
		case wireVarint:
			v, n = binary.Uvarint(b[pos:])
			if n <= 0 {
				return fmt.Errorf("byte %d: field %d: malformed or truncated varint", start, field)
			}
			pos += n
		case wireFixed64:
			if len(b)-pos < 8 {
				return fmt.Errorf("byte %d: field %d: %w fixed64 (%d of 8 bytes)", start, field, errShort, len(b)-pos)
			}
			v = binary.LittleEndian.Uint64(b[pos:])
			pos += 8
		case wireFixed32:
			if len(b)-pos < 4 {
				return fmt.Errorf("byte %d: field %d: %w fixed32 (%d of 4 bytes)", start, field, errShort, len(b)-pos)
			}
			v = uint64(binary.LittleEndian.Uint32(b[pos:]))
			pos += 4
		case wireBytes:
			l, n := binary.Uvarint(b[pos:])
			if n <= 0 {
				return fmt.Errorf("byte %d: field %d: malformed length varint", start, field)
			}
			pos += n
			if l > uint64(len(b)-pos) {
				return fmt.Errorf("byte %d: field %d: length %d exceeds the %d bytes left", start, field, l, len(b)-pos)
			}
			data = b[pos : pos+int(l)]
			pos += int(l)
		default:
			return fmt.Errorf("byte %d: field %d: unsupported wire type %d", start, field, wire)
		}
		if err := fn(field, wire, v, data); err != nil {
			return err
		}
	}
	return nil
}

// Marshal encodes m as a ModelMetrics protobuf message, as NAS-Bench-101's generator wrote it
// (fields in number order, proto2 optional fields always present).
func (m Metrics) Marshal() []byte {
	var b []byte
	for _, e := range m.Evaluations {
		eb := e.marshal()
		b = appendTag(b, 1, wireBytes)
		b = binary.AppendUvarint(b, uint64(len(eb)))
		b = append(b, eb...)
	}
	b = appendTag(b, 2, wireVarint)
	b = binary.AppendUvarint(b, uint64(int64(m.TrainableParameters)))
	b = appendTag(b, 3, wireFixed64)
	return binary.LittleEndian.AppendUint64(b, math.Float64bits(m.TotalTime))
}

func (e Evaluation) marshal() []byte {
	var b []byte
	for i, v := range []float64{e.CurrentEpoch, e.TrainingTime, e.TrainAccuracy, e.ValidationAccuracy, e.TestAccuracy} {
		b = appendTag(b, i+1, wireFixed64)
		b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
	}
	if e.CheckpointPath != "" {
		b = appendTag(b, 6, wireBytes)
		b = binary.AppendUvarint(b, uint64(len(e.CheckpointPath)))
		b = append(b, e.CheckpointPath...)
	}
	return b
}

func appendTag(b []byte, field, wire int) []byte {
	return binary.AppendUvarint(b, uint64(field)<<3|uint64(wire))
}

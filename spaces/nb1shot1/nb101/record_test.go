package nb101

import (
	"bytes"
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

// sampleMetrics is a ModelMetrics as the dataset has it: evaluations at the start, half-way and end.
func sampleMetrics(params int32, test, valid, time float64) Metrics {
	return Metrics{
		Evaluations: []Evaluation{
			{CurrentEpoch: 0, TrainAccuracy: 0.1, ValidationAccuracy: 0.1, TestAccuracy: 0.1},
			{CurrentEpoch: 54, TrainingTime: time / 2, TrainAccuracy: 0.8, ValidationAccuracy: valid - 0.05, TestAccuracy: test - 0.05},
			{CurrentEpoch: 108, TrainingTime: time, TrainAccuracy: 1, ValidationAccuracy: valid, TestAccuracy: test,
				CheckpointPath: "gs://bucket/model.ckpt-1000"},
		},
		TrainableParameters: params,
		TotalTime:           time * 1.1,
	}
}

// TestMetricsWireFormat: the encoding follows the protobuf wire format (the varint 150 is 96 01, the
// protobuf documentation's example; a double is tag, then 8 little-endian bytes) and decodes back.
func TestMetricsWireFormat(t *testing.T) {
	b := Metrics{TrainableParameters: 150}.Marshal()
	want := []byte{0x10, 0x96, 0x01, 0x19, 0, 0, 0, 0, 0, 0, 0, 0}
	if !bytes.Equal(b, want) {
		t.Errorf("Marshal = % x, want % x", b, want)
	}
	for _, m := range []Metrics{sampleMetrics(2694282, 0.93, 0.94, 1155.8), {TrainableParameters: -5}, {}} {
		got, err := UnmarshalMetrics(m.Marshal())
		if err != nil || !reflect.DeepEqual(got, m) {
			t.Errorf("round trip of %+v: %+v, %v", m, got, err)
		}
	}
	// Unknown fields of every wire type are skipped.
	extra := append(sampleMetrics(7, 0.5, 0.5, 1).Marshal(), 0x20, 0x01, 0x2d, 1, 2, 3, 4, 0x31, 1, 2, 3, 4, 5, 6, 7, 8, 0x3a, 2, 'h', 'i')
	if got, err := UnmarshalMetrics(extra); err != nil || got.TrainableParameters != 7 || len(got.Evaluations) != 3 {
		t.Errorf("with unknown fields: %+v, %v", got, err)
	}
}

// TestMetricsErrors: malformed protobufs (a length running past the end, cut fields, wrong wire types)
// give one-line errors.
func TestMetricsErrors(t *testing.T) {
	good := sampleMetrics(1, 0.5, 0.5, 1).Marshal()
	cases := []struct {
		name string
		b    []byte
		want string
	}{
		{"length past the end", append([]byte{0x0a, 0x40}, make([]byte, 10)...), "field 1: length 64 exceeds the 10 bytes left"},
		{"inner length past the end", []byte{0x0a, 0x03, 0x32, 0x09, 'x'}, "evaluation_data[0]: byte 0: field 6: length 9 exceeds the 1 bytes left"},
		{"cut fixed64", good[:len(good)-3], "field 3: truncated fixed64 (5 of 8 bytes)"},
		{"cut varint", []byte{0x10, 0x96}, "field 2: malformed or truncated varint"},
		{"wrong wire type", []byte{0x11, 0, 0, 0, 0, 0, 0, 0, 0}, "trainable_parameters has wire type 1, want 0"},
		{"wrong inner wire type", []byte{0x0a, 0x02, 0x28, 0x01}, "field 5 (double) has wire type 0, want 1"},
		{"group wire type", []byte{0x0b}, "unsupported wire type 3"},
		{"field 0", []byte{0x00, 0x01}, "field number 0"},
	}
	for _, c := range cases {
		_, err := UnmarshalMetrics(c.b)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
}

// TestRecordRoundTrip: a record written in the dataset's JSON form parses back to the same hash, budget,
// module and metrics; Final is evaluation_data[2].
func TestRecordRoundTrip(t *testing.T) {
	p := published[9]
	h, _ := ParseHash(p.hash)
	rec := Record{Hash: h, Epochs: 108, Spec: specFromDigits(t, p.adjacency, p.ops), Metrics: sampleMetrics(int32(p.params), p.test[0], p.valid[0], 3658.1)}
	data := rec.Marshal()
	if !strings.HasPrefix(string(data), `["`+p.hash+`",108,"`+p.adjacency+`","`+p.ops+`","`) {
		t.Errorf("record text %.120s…", data)
	}
	got, err := ParseRecord(data)
	if err != nil || !reflect.DeepEqual(got, rec) {
		t.Fatalf("ParseRecord: %+v, %v", got, err)
	}
	final, err := got.Final()
	if err != nil || final.TestAccuracy != p.test[0] || final.ValidationAccuracy != p.valid[0] {
		t.Errorf("Final = %+v, %v", final, err)
	}
	// The reference's own json.dumps spacing parses too.
	spaced := strings.ReplaceAll(string(data), `","`, `", "`)
	spaced = strings.Replace(spaced, `",108,"`, `", 108, "`, 1)
	if _, err := ParseRecord([]byte(spaced)); err != nil {
		t.Errorf("spaced record: %v", err)
	}
}

// TestRecordErrors: malformed records give one-line errors that say what is wrong.
func TestRecordErrors(t *testing.T) {
	b64 := base64.StdEncoding.EncodeToString(sampleMetrics(1, 0.5, 0.5, 1).Marshal())
	hash := published[0].hash
	adj := "0100" + "0010" + "0001" + "0000"
	ops := "input,conv3x3-bn-relu,maxpool3x3,output"
	row := func(h, e, a, o, m string) []byte {
		return []byte(`["` + h + `", ` + e + `, "` + a + `", "` + o + `", "` + m + `"]`)
	}
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"not JSON", []byte("garbage"), "not a JSON list of 5 elements"},
		{"4 elements", []byte(`["` + hash + `", 108, "0", "input"]`), "not a JSON list of 5 elements"},
		{"hash not a string", []byte(`[1, 108, "` + adj + `", "` + ops + `", "` + b64 + `"]`), "element 0 is not the module hash"},
		{"short hash", row("abc", "108", adj, ops, b64), "want 32 hex digits, got 3"},
		{"hash not hex", row(strings.Repeat("g", 32), "108", adj, ops, b64), "not hex"},
		{"epochs a string", row(hash, `"108"`, adj, ops, b64), "element 1 is not the epochs"},
		{"epochs fractional", row(hash, "10.5", adj, ops, b64), "epochs 10.5 is not a positive integer"},
		{"adjacency not square", row(hash, "108", adj[:15], ops, b64), "adjacency has 15 digits"},
		{"adjacency digit", row(hash, "108", "0120"+adj[4:], ops, b64), `adjacency digit '2'`},
		{"lower triangle", row(hash, "108", "0100"+"1010"+adj[8:], ops, b64), "not upper triangular"},
		{"ops count", row(hash, "108", adj, "input,output", b64), "2 ops for a 4-vertex matrix"},
		{"metrics not base64", row(hash, "108", adj, ops, "***"), "metrics are not base64"},
		{"metrics wrong length", row(hash, "108", adj, ops, base64.StdEncoding.EncodeToString([]byte{0x0a, 0x7f, 1})), "length 127 exceeds the 1 bytes left"},
	}
	for _, c := range cases {
		_, err := ParseRecord(c.data)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
	rec, _ := ParseRecord(row(hash, "108", adj, ops, base64.StdEncoding.EncodeToString(Metrics{TrainableParameters: 3}.Marshal())))
	if _, err := rec.Final(); err == nil || !strings.Contains(err.Error(), "0 evaluations, want 3") {
		t.Errorf("Final of a record without evaluations: %v", err)
	}
}

// TestSpecErrors: specs outside the dataset's space are refused by NewSpec or Hash with one-line errors.
func TestSpecErrors(t *testing.T) {
	full := func(v int) [][]int { // every forward edge
		m := make([][]int, v)
		for i := range m {
			m[i] = make([]int, v)
			for j := i + 1; j < v; j++ {
				m[i][j] = 1
			}
		}
		return m
	}
	ops := func(v int) []string {
		o := []string{Input}
		for i := 1; i < v-1; i++ {
			o = append(o, Conv3x3)
		}
		return append(o, Output)
	}
	cases := []struct {
		name   string
		matrix [][]int
		ops    []string
		want   string
	}{
		{"10 edges", full(5), ops(5), "10 edges after pruning, at most 9"},
		{"8 vertices", [][]int{{0, 1, 0, 0, 0, 0, 0, 0}, {0, 0, 1, 0, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0, 0, 0}, {0, 0, 0, 0, 1, 0, 0, 0},
			{0, 0, 0, 0, 0, 1, 0, 0}, {0, 0, 0, 0, 0, 0, 1, 0}, {0, 0, 0, 0, 0, 0, 0, 1}, make([]int, 8)}, ops(8), "8 vertices after pruning, at most 7"},
		{"unknown op", full(3), []string{Input, "conv5x5", Output}, `op "conv5x5" is not one of`},
		{"output first", full(3), []string{Output, Conv3x3, Input}, "the first op must be"},
		{"disconnected", [][]int{{0, 0}, {0, 0}}, []string{Input, Output}, "not connected"},
	}
	for _, c := range cases {
		s, err := NewSpec(c.matrix, c.ops)
		if err == nil {
			_, err = s.Hash()
		}
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want one line containing %q", c.name, err, c.want)
		}
	}
	if _, err := NewSpec([][]int{{0, 2}, {0, 0}}, []string{Input, Output}); err == nil || !strings.Contains(err.Error(), "want 0 or 1") {
		t.Errorf("entry 2: %v", err)
	}
}

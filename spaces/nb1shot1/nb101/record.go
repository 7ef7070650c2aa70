package nb101

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"math"
	"strings"
)

// Record is one row of the dataset: the JSON list [module hash, epochs, adjacency, ops, metrics] that
// every TFRecord record of nasbench_full.tfrecord and nasbench_only108.tfrecord holds (nasbench/api.py
// lines 146-156): the hash as 32 hex digits, the training budget in epochs, the row-major adjacency
// matrix as a string of digits, the ops comma-separated, and the base64 of a ModelMetrics protobuf.
// Every (module, epochs) pair has NumRepeats records, one per training run.
type Record struct {
	Hash    Hash
	Epochs  int
	Spec    Spec
	Metrics Metrics
}

// ParseRecord decodes one record's data.
func ParseRecord(data []byte) (Record, error) {
	var row []json.RawMessage
	if err := json.Unmarshal(data, &row); err != nil || len(row) != 5 {
		return Record{}, fmt.Errorf("nb101: record is not a JSON list of 5 elements [hash, epochs, adjacency, ops, metrics]: %.60q", data)
	}
	var hash, adjacency, ops, metrics string
	var epochs float64
	for i, dst := range []any{&hash, &epochs, &adjacency, &ops, &metrics} {
		if err := json.Unmarshal(row[i], dst); err != nil {
			what := [...]string{"module hash (a string)", "epochs (a number)", "adjacency (a string)", "ops (a string)", "metrics (a string)"}[i]
			return Record{}, fmt.Errorf("nb101: record element %d is not the %s: %.40q", i, what, row[i])
		}
	}
	var r Record
	var err error
	if r.Hash, err = ParseHash(hash); err != nil {
		return Record{}, fmt.Errorf("nb101: record: %w", err)
	}
	if epochs != math.Trunc(epochs) || epochs < 1 || epochs > 1e6 {
		return Record{}, fmt.Errorf("nb101: record %s: epochs %v is not a positive integer", hash, epochs)
	}
	r.Epochs = int(epochs)
	// api.py lines 151-154: dim = sqrt(len(adjacency)), digits reshaped row-major; ops split on ','.
	dim := int(math.Round(math.Sqrt(float64(len(adjacency)))))
	if dim*dim != len(adjacency) || dim < 2 {
		return Record{}, fmt.Errorf("nb101: record %s: adjacency has %d digits, not a square matrix", hash, len(adjacency))
	}
	matrix := make([][]int, dim)
	for i := range matrix {
		matrix[i] = make([]int, dim)
		for j := range matrix[i] {
			c := adjacency[i*dim+j]
			if c != '0' && c != '1' {
				return Record{}, fmt.Errorf("nb101: record %s: adjacency digit %q is not 0 or 1", hash, c)
			}
			matrix[i][j] = int(c - '0')
		}
	}
	if r.Spec, err = NewSpec(matrix, strings.Split(ops, ",")); err != nil {
		return Record{}, fmt.Errorf("nb101: record %s: %w", hash, err)
	}
	raw, err := base64.StdEncoding.DecodeString(metrics)
	if err != nil {
		return Record{}, fmt.Errorf("nb101: record %s: metrics are not base64", hash)
	}
	if r.Metrics, err = UnmarshalMetrics(raw); err != nil {
		return Record{}, fmt.Errorf("nb101: record %s: %w", hash, err)
	}
	return r, nil
}

// Final returns the evaluation at the end of training, evaluation_data[2] (nasbench/api.py lines
// 187-193; [0] is at initialisation and [1] half-way).
func (r Record) Final() (Evaluation, error) {
	if len(r.Metrics.Evaluations) < 3 {
		return Evaluation{}, fmt.Errorf("nb101: record %s (%d epochs): %d evaluations, want 3 (start, half-way, end)",
			r.Hash, r.Epochs, len(r.Metrics.Evaluations))
	}
	return r.Metrics.Evaluations[2], nil
}

// Marshal encodes r as the dataset writes it: the JSON list with the adjacency digits, the joined ops
// and the base64 metrics.
func (r Record) Marshal() []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode([]any{r.Hash.String(), r.Epochs, r.Spec.digits(), strings.Join(r.Spec.Ops, ","), base64.StdEncoding.EncodeToString(r.Metrics.Marshal())})
	return bytes.TrimRight(b.Bytes(), "\n")
}

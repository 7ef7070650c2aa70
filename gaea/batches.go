package gaea

import (
	"encoding/json"
	"fmt"
	"math/rand"

	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// Block is one of the two blocks of the alternating search.
type Block int

const (
	ArchBlock   Block = iota // the architecture parameters θ (and β)
	WeightBlock              // the shared weights of the supernet
)

func (b Block) String() string {
	if b == ArchBlock {
		return "arch"
	}
	return "weights"
}

// Batches feeds the two blocks. Next returns images [batch, height, width, channels] (float32) and
// labels [batch] (int32). Single-level search draws both blocks from the training data; bilevel draws
// the architecture block from a held-out split. State and SetState let a checkpoint resume the data
// stream exactly.
type Batches interface {
	Next(block Block) (images, labels *tensors.Tensor, err error)
	State() (json.RawMessage, error)
	SetState(json.RawMessage) error
}

// memoryState is the serialisable position of a MemoryBatches.
type memoryState struct {
	Draws map[string]int64 `json:"draws"` // batches drawn per stream
	Seed  int64            `json:"seed"`
}

// MemoryBatches draws random batches (with replacement across batches, without within one) from
// images held in memory. Level SingleLevel draws both blocks from Train; BiLevel draws the architecture block
// from Valid. Each stream's batches depend only on the seed and the stream's draw count, so SetState
// resumes the exact sequence.
type MemoryBatches struct {
	Train, Valid Dataset
	Level        Level
	BatchSize    int
	seed         int64
	draws        map[string]int64
}

// Dataset is images [n, h, w, c] row-major float32 and labels.
type Dataset struct {
	Images                 []float32
	Labels                 []int32
	Height, Width, Channel int
}

// Len is the number of examples.
func (d Dataset) Len() int { return len(d.Labels) }

// NewMemoryBatches checks the datasets and returns a batch source.
func NewMemoryBatches(train, valid Dataset, level Level, batchSize int, seed int64) (*MemoryBatches, error) {
	if _, err := ParseLevel(string(level)); err != nil {
		return nil, err
	}
	for name, d := range map[string]Dataset{"train": train, "valid": valid} {
		if name == "valid" && level == SingleLevel && d.Len() == 0 {
			continue
		}
		if d.Len() < batchSize || batchSize < 1 {
			return nil, fmt.Errorf("gaea: %s set has %d examples for batches of %d", name, d.Len(), batchSize)
		}
		if len(d.Images) != d.Len()*d.Height*d.Width*d.Channel {
			return nil, fmt.Errorf("gaea: %s set: %d pixels for %d images of %d×%d×%d", name, len(d.Images), d.Len(), d.Height, d.Width, d.Channel)
		}
	}
	return &MemoryBatches{Train: train, Valid: valid, Level: level, BatchSize: batchSize, seed: seed,
		draws: map[string]int64{}}, nil
}

// Next implements Batches.
func (m *MemoryBatches) Next(block Block) (*tensors.Tensor, *tensors.Tensor, error) {
	d, stream := m.Train, block.String()
	if block == ArchBlock && m.Level == BiLevel {
		d = m.Valid
	}
	n := m.draws[stream]
	m.draws[stream] = n + 1
	rng := rand.New(rand.NewSource(m.seed*1_000_003 + n*2 + int64(block)))
	idx := rng.Perm(d.Len())[:m.BatchSize]
	size := d.Height * d.Width * d.Channel
	images := make([]float32, m.BatchSize*size)
	labels := make([]int32, m.BatchSize)
	for i, j := range idx {
		copy(images[i*size:(i+1)*size], d.Images[j*size:(j+1)*size])
		labels[i] = d.Labels[j]
	}
	return tensors.FromFlatDataAndDimensions(images, m.BatchSize, d.Height, d.Width, d.Channel),
		tensors.FromFlatDataAndDimensions(labels, m.BatchSize), nil
}

// Draws returns how many batches each stream ("arch", "weights") has drawn.
func (m *MemoryBatches) Draws() map[string]int64 {
	d := map[string]int64{}
	for k, v := range m.draws {
		d[k] = v
	}
	return d
}

// State implements Batches.
func (m *MemoryBatches) State() (json.RawMessage, error) {
	return json.Marshal(memoryState{Draws: m.Draws(), Seed: m.seed})
}

// SetState implements Batches.
func (m *MemoryBatches) SetState(raw json.RawMessage) error {
	var s memoryState
	if err := json.Unmarshal(raw, &s); err != nil {
		return fmt.Errorf("gaea: batches state: %w", err)
	}
	if s.Seed != m.seed {
		return fmt.Errorf("gaea: batches state has seed %d, this source %d", s.Seed, m.seed)
	}
	m.draws = map[string]int64{}
	for k, v := range s.Draws {
		m.draws[k] = v
	}
	return nil
}

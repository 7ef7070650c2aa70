package gaea

import "fmt"

// Sampling is how the supernet's edges use the mixture weights in a search (Config.Sampling). Its text
// form (JSON, flags) is the constant's value: "", "gdas", "rsws".
type Sampling string

const (
	// WeightedSum mixes every op of an edge weighted by its mixture weight (GAEA, DARTS).
	WeightedSum Sampling = ""
	// GDAS mixes a straight-through Gumbel sample over log θ / τ: the forward value is the sampled op's
	// output, gradients reach every weight (see Search and spaces.Mixture).
	GDAS Sampling = "gdas"
	// RSWS trains the weights on a uniformly random op per edge and has no architecture step (random
	// search with weight sharing).
	RSWS Sampling = "rsws"
)

// ParseSampling returns the Sampling of a text form: "" (or "weighted-sum"), "gdas" or "rsws".
func ParseSampling(s string) (Sampling, error) {
	switch Sampling(s) {
	case WeightedSum, GDAS, RSWS:
		return Sampling(s), nil
	case "weighted-sum":
		return WeightedSum, nil
	}
	return "", fmt.Errorf("gaea: sampling %q (want \"\", gdas or rsws)", s)
}

// String returns the text form, "weighted-sum" for WeightedSum.
func (s Sampling) String() string {
	if s == WeightedSum {
		return "weighted-sum"
	}
	return string(s)
}

// MarshalText implements encoding.TextMarshaler: "", "gdas" or "rsws".
func (s Sampling) MarshalText() ([]byte, error) {
	if _, err := ParseSampling(string(s)); err != nil {
		return nil, err
	}
	return []byte(s), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (see ParseSampling).
func (s *Sampling) UnmarshalText(b []byte) error {
	v, err := ParseSampling(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Level says which data the architecture block of a search draws from (MemoryBatches): "single" —
// single-level, ERM: both blocks from the training data — or "bi" — bilevel: the architecture block
// from a held-out split.
type Level string

const (
	SingleLevel Level = "single"
	BiLevel     Level = "bi"
)

// ParseLevel returns the Level of a text form, "single" or "bi".
func ParseLevel(s string) (Level, error) {
	switch Level(s) {
	case SingleLevel, BiLevel:
		return Level(s), nil
	}
	return "", fmt.Errorf("gaea: level %q (want single or bi)", s)
}

// String returns the text form.
func (l Level) String() string { return string(l) }

// MarshalText implements encoding.TextMarshaler: "single" or "bi".
func (l Level) MarshalText() ([]byte, error) {
	if _, err := ParseLevel(string(l)); err != nil {
		return nil, err
	}
	return []byte(l), nil
}

// UnmarshalText implements encoding.TextUnmarshaler (see ParseLevel).
func (l *Level) UnmarshalText(b []byte) error {
	v, err := ParseLevel(string(b))
	if err != nil {
		return err
	}
	*l = v
	return nil
}

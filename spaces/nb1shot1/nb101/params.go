package nb101

import "fmt"

// NetworkConfig is the macro structure of NAS-Bench-101's network (nasbench/lib/config.py lines 57-62):
// a 3×3 conv-BN-ReLU stem to Stem channels, Stacks stacks of Modules copies of the cell, a 2×2 max-pool
// and a doubling of the channels before every stack but the first, global average pooling and a dense
// layer to Classes logits.
type NetworkConfig struct {
	Stem, Stacks, Modules, Classes int
}

// DefaultNetwork is the configuration every NAS-Bench-101 model was trained with: stem 128, 3 stacks of 3
// modules, 10 CIFAR-10 classes.
var DefaultNetwork = NetworkConfig{Stem: 128, Stacks: 3, Modules: 3, Classes: 10}

func (c NetworkConfig) check() error {
	if c.Stem < 1 || c.Stacks < 1 || c.Modules < 1 || c.Classes < 1 {
		return fmt.Errorf("nb101: network config %+v: every field must be ≥ 1", c)
	}
	return nil
}

// VertexChannels returns the output channels of every vertex of the pruned spec s in a module with in
// input and out output channels (nasbench/lib/model_builder.py compute_vertex_channels, lines 369-434):
// the output channels are split evenly over the vertices feeding the output (the first out mod k of them
// get one more), and every other vertex gets the largest count among its successors.
func VertexChannels(s Spec, in, out int) []int {
	v := s.Vertices()
	ch := make([]int, v)
	ch[0], ch[v-1] = in, out
	if v == 2 {
		return ch
	}
	fanIn := 0
	for i := 1; i < v-1; i++ {
		if s.Matrix[i][v-1] {
			fanIn++
		}
	}
	each, extra := out/fanIn, out%fanIn
	for i := 1; i < v-1; i++ {
		if s.Matrix[i][v-1] {
			ch[i] = each
			if extra > 0 {
				ch[i]++
				extra--
			}
		}
	}
	for i := v - 3; i > 0; i-- {
		if !s.Matrix[i][v-1] {
			for j := i + 1; j < v-1; j++ {
				if s.Matrix[i][j] {
					ch[i] = max(ch[i], ch[j])
				}
			}
		}
	}
	return ch
}

// ParamCount is the number of trainable parameters of NAS-Bench-101's network of s (the dataset's
// trainable_parameters). It prunes s first, as the dataset does. Every conv is bias-free and followed by
// a batch norm with scale and offset (base_ops.py conv_bn_relu, lines 32-60), the dense layer has a bias:
//
//	conv_bn_relu(k, in, out) = k·k·in·out + 2·out
//	stem       conv_bn_relu(3, 3, Stem)
//	module     Σ_vertices [ conv_bn_relu(1, in, c_v) if the input feeds v (projection) +
//	                        conv_bn_relu(3 or 1, c_v, c_v) for a conv op ]
//	           + conv_bn_relu(1, in, out) if the input feeds the output directly
//	head       out·Classes + Classes
//
// with c_v from VertexChannels (model_builder.py build_module, lines 243-335).
func ParamCount(s Spec, cfg NetworkConfig) (int, error) {
	if err := cfg.check(); err != nil {
		return 0, err
	}
	p, ok := s.Prune()
	if !ok {
		return 0, fmt.Errorf("nb101: params of %s: the input is not connected to the output", s)
	}
	total := convBNReLU(3, 3, cfg.Stem)
	in, c := cfg.Stem, cfg.Stem
	for stack := 0; stack < cfg.Stacks; stack++ {
		if stack > 0 {
			c *= 2
		}
		for range cfg.Modules {
			n, err := moduleParams(p, in, c)
			if err != nil {
				return 0, err
			}
			total += n
			in = c
		}
	}
	return total + c*cfg.Classes + cfg.Classes, nil
}

func convBNReLU(k, in, out int) int { return k*k*in*out + 2*out }

func moduleParams(p Spec, in, out int) (int, error) {
	v := p.Vertices()
	ch := VertexChannels(p, in, out)
	n := 0
	for t := 1; t < v-1; t++ {
		if p.Matrix[0][t] {
			n += convBNReLU(1, in, ch[t])
		}
		switch p.Ops[t] {
		case Conv3x3:
			n += convBNReLU(3, ch[t], ch[t])
		case Conv1x1:
			n += convBNReLU(1, ch[t], ch[t])
		case MaxPool3x3:
		default:
			return 0, fmt.Errorf("nb101: op %q is not one of %v", p.Ops[t], AvailableOps)
		}
	}
	if p.Matrix[0][v-1] {
		n += convBNReLU(1, in, out)
	}
	return n, nil
}

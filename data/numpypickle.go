package data

import (
	"encoding/binary"
	"fmt"

	"github.com/nlpodyssey/gopickle/types"
)

// The few numpy and Python globals that a pickled numpy array refers to. A numpy array pickles as
//
//	numpy.core.multiarray._reconstruct(numpy.ndarray, (0,), b'b')  then BUILD with
//	(version, shape, dtype, is_fortran, raw bytes)
//
// and its dtype as numpy.dtype('u1', False, True) then BUILD with (3, '|', …). Python 3 pickles
// at protocol 2 write bytes as _codecs.encode(str, 'latin1').

type ndarray struct {
	shape []int
	dtype string
	raw   []byte
}

type npDtype struct{ name, order string }

type pyFunc func(args ...any) (any, error)

func (f pyFunc) Call(args ...any) (any, error) { return f(args...) }

func findNumpyClass(module, name string) (any, error) {
	switch module + "." + name {
	case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
		return pyFunc(func(...any) (any, error) { return &ndarray{}, nil }), nil
	case "numpy.ndarray":
		return pyFunc(func(...any) (any, error) { return &ndarray{}, nil }), nil
	case "numpy.dtype":
		return pyFunc(func(args ...any) (any, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("numpy.dtype without arguments")
			}
			s, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("numpy.dtype(%T)", args[0])
			}
			return &npDtype{name: s}, nil
		}), nil
	case "_codecs.encode":
		return pyFunc(func(args ...any) (any, error) {
			if len(args) < 1 {
				return nil, fmt.Errorf("_codecs.encode without arguments")
			}
			s, ok := args[0].(string)
			if !ok {
				return nil, fmt.Errorf("_codecs.encode(%T)", args[0])
			}
			b := make([]byte, 0, len(s))
			for _, r := range s { // latin-1: one byte per code point < 256
				if r > 255 {
					return nil, fmt.Errorf("_codecs.encode: code point %d is not latin-1", r)
				}
				b = append(b, byte(r))
			}
			return b, nil
		}), nil
	}
	return nil, fmt.Errorf("unsupported pickled class %s.%s", module, name)
}

// PySetState receives (3, order, subarray, names, fields, elsize, alignment, flags).
func (d *npDtype) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || t.Len() < 2 {
		return fmt.Errorf("numpy dtype state %T", state)
	}
	if o, ok := t.Get(1).(string); ok {
		d.order = o
	}
	return nil
}

// PySetState receives (version, shape, dtype, is_fortran, raw data) or the same without version.
func (a *ndarray) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || t.Len() < 4 {
		return fmt.Errorf("numpy array state %T", state)
	}
	items := []any(*t)
	if len(items) == 5 {
		items = items[1:]
	}
	shape, ok := items[0].(*types.Tuple)
	if !ok {
		return fmt.Errorf("numpy array shape %T", items[0])
	}
	size := 1
	for _, d := range *shape {
		n, ok := d.(int)
		if !ok || n < 0 {
			return fmt.Errorf("numpy array dimension %v", d)
		}
		a.shape = append(a.shape, n)
		size *= n
	}
	dt, ok := items[1].(*npDtype)
	if !ok {
		return fmt.Errorf("numpy array dtype %T", items[1])
	}
	a.dtype = dt.name
	if f, ok := items[2].(bool); ok && f && len(a.shape) > 1 {
		return fmt.Errorf("Fortran-ordered numpy arrays are not supported")
	}
	switch r := items[3].(type) {
	case []byte:
		a.raw = r
	case string:
		a.raw = []byte(r)
	default:
		return fmt.Errorf("numpy array data %T (object arrays are not supported)", items[3])
	}
	if el := a.itemSize(); el > 0 && len(a.raw) != size*el {
		return fmt.Errorf("numpy array of shape %v holds %d bytes, want %d", a.shape, len(a.raw), size*el)
	}
	return nil
}

func (a *ndarray) itemSize() int {
	switch a.dtype {
	case "u1", "|u1", "i1", "b1":
		return 1
	case "i2", "<i2", "u2":
		return 2
	case "i4", "<i4", "u4":
		return 4
	case "i8", "<i8", "u8":
		return 8
	}
	return 0
}

func (a *ndarray) ints() ([]int64, error) {
	el := a.itemSize()
	if el == 0 {
		return nil, fmt.Errorf("numpy array of dtype %q, want integers", a.dtype)
	}
	out := make([]int64, len(a.raw)/el)
	for i := range out {
		b := a.raw[i*el:]
		switch el {
		case 1:
			out[i] = int64(b[0])
		case 2:
			out[i] = int64(int16(binary.LittleEndian.Uint16(b)))
		case 4:
			out[i] = int64(int32(binary.LittleEndian.Uint32(b)))
		case 8:
			out[i] = int64(binary.LittleEndian.Uint64(b))
		}
	}
	return out, nil
}

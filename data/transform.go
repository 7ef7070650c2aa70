package data

import (
	"fmt"
	"strings"
)

// Transform turns the bytes of one image into the float32 values a network reads, in the order
// torchvision applies the standard CIFAR pipeline:
//
//  1. random crop: pad CropPad zero pixels on every side, then cut a Height×Width window at an
//     offset (dy, dx) drawn uniformly from [0, 2·CropPad]²;
//  2. random horizontal flip with probability ½ (if Flip);
//  3. scale to 0–1 (byte/255) and normalise per channel: (v − Mean[c]) / Std[c] (if Mean is set);
//     padded pixels are 0 before normalisation, so (0 − Mean[c]) / Std[c] after;
//  4. cutout (DeVries and Taylor, as in DARTS): a centre (cy, cx) drawn uniformly over the image,
//     the square rows [cy − Cutout/2, cy + Cutout/2) × same columns, clipped at the border, set to 0
//     after normalisation.
//
// The zero Transform only scales to 0–1. Random draws come from a seed per image (see Apply), so a
// transform is reproducible and independent of batch boundaries and worker count.
type Transform struct {
	CropPad   int
	Flip      bool
	Cutout    int
	Mean, Std []float32
}

// Standard per-channel normalisation constants on the 0–1 scale (the values DARTS, NB201 and
// torchvision examples use).
var (
	CIFAR10Mean      = []float32{0.4914, 0.4822, 0.4465}
	CIFAR10Std       = []float32{0.2470, 0.2435, 0.2616}
	CIFAR100Mean     = []float32{0.5071, 0.4865, 0.4409}
	CIFAR100Std      = []float32{0.2673, 0.2564, 0.2762}
	ImageNet16Mean   = []float32{122.68 / 255, 116.66 / 255, 104.01 / 255}
	ImageNet16Std    = []float32{63.22 / 255, 61.26 / 255, 65.09 / 255}
	FashionMNISTMean = []float32{0.2860}
	FashionMNISTStd  = []float32{0.3530}
	MNISTMean        = []float32{0.1307}
	MNISTStd         = []float32{0.3081}
)

// Normalization returns the standard mean and std of a data set by name ("cifar10", "cifar100",
// "imagenet16-…", "fashion-mnist", "mnist", and the embedded samples "cifar10-sample" (alias
// "embedded": the CIFAR-10 constants) and "fashion-mnist-sample").
func Normalization(dataset string) (mean, std []float32, err error) {
	switch {
	case dataset == "cifar10" || dataset == CIFAR10SampleName || dataset == EmbeddedName:
		return CIFAR10Mean, CIFAR10Std, nil
	case dataset == "cifar100":
		return CIFAR100Mean, CIFAR100Std, nil
	case strings.HasPrefix(dataset, "imagenet16"):
		return ImageNet16Mean, ImageNet16Std, nil
	case dataset == "fashion-mnist" || dataset == FashionMNISTSampleName:
		return FashionMNISTMean, FashionMNISTStd, nil
	case dataset == "mnist":
		return MNISTMean, MNISTStd, nil
	}
	return nil, nil, fmt.Errorf("data: no normalisation constants for %q", dataset)
}

// colour reports whether a data set is one of the natural-image sets that are cropped and flipped.
func colour(dataset string) bool {
	return dataset == "cifar10" || dataset == CIFAR10SampleName || dataset == EmbeddedName ||
		dataset == "cifar100" || strings.HasPrefix(dataset, "imagenet16")
}

// TrainTransform is the augmentation used while searching and training: for CIFAR and
// ImageNet16, random crop with CropPad 4 (2 for 16×16 ImageNet16, as NB201 does) and horizontal
// flip, then normalisation; for Fashion-MNIST and MNIST normalisation only. cutout > 0 adds cutout
// of that length (16 for final CIFAR training).
func TrainTransform(dataset string, cutout int) (Transform, error) {
	mean, std, err := Normalization(dataset)
	if err != nil {
		return Transform{}, err
	}
	t := Transform{Mean: mean, Std: std, Cutout: cutout}
	if colour(dataset) {
		t.CropPad, t.Flip = 4, true
		if strings.HasPrefix(dataset, "imagenet16") {
			t.CropPad = 2
		}
	}
	return t, nil
}

// TestTransform is normalisation only: no augmentation at test time.
func TestTransform(dataset string) (Transform, error) {
	mean, std, err := Normalization(dataset)
	return Transform{Mean: mean, Std: std}, err
}

// draws are the random choices for one image.
type draws struct {
	dy, dx int
	flip   bool
	cy, cx int
}

// draw makes the random choices of t for one image from seed, always in this order: dy, dx (if
// CropPad > 0), flip (if Flip: lowest bit of one output), cy, cx (if Cutout > 0), each an output of
// SplitMix64 started at seed, reduced modulo the range.
func (t *Transform) draw(seed uint64, h, w int) draws {
	s := splitmix64(seed)
	d := draws{dy: t.CropPad, dx: t.CropPad}
	if t.CropPad > 0 {
		d.dy = s.intn(2*t.CropPad + 1)
		d.dx = s.intn(2*t.CropPad + 1)
	}
	if t.Flip {
		d.flip = s.next()&1 == 1
	}
	if t.Cutout > 0 {
		d.cy = s.intn(h)
		d.cx = s.intn(w)
	}
	return d
}

// compiled is a Transform ready to apply: a lookup table per channel from byte to output value.
type compiled struct {
	t      Transform
	h, w   int
	c      int
	lut    [][256]float32
	padVal []float32
}

func (t Transform) compile(h, w, c int) (*compiled, error) {
	if t.CropPad < 0 || t.Cutout < 0 {
		return nil, fmt.Errorf("data: transform: negative CropPad %d or Cutout %d", t.CropPad, t.Cutout)
	}
	if (t.Mean == nil) != (t.Std == nil) || t.Mean != nil && (len(t.Mean) != c || len(t.Std) != c) {
		return nil, fmt.Errorf("data: transform: Mean and Std need %d values each (got %d and %d)", c, len(t.Mean), len(t.Std))
	}
	k := &compiled{t: t, h: h, w: w, c: c, lut: make([][256]float32, c), padVal: make([]float32, c)}
	for ch := 0; ch < c; ch++ {
		m, sd := float32(0), float32(1)
		if t.Mean != nil {
			m, sd = t.Mean[ch], t.Std[ch]
			if !(sd > 0) {
				return nil, fmt.Errorf("data: transform: Std[%d] = %v, want > 0", ch, sd)
			}
		}
		for v := 0; v < 256; v++ {
			k.lut[ch][v] = (float32(v)/255 - m) / sd
		}
		k.padVal[ch] = (0 - m) / sd
	}
	return k, nil
}

// Apply writes the transformed image src (h×w×c bytes, HWC) into dst (h·w·c float32), with the
// random choices drawn from seed.
func (t Transform) Apply(dst []float32, src []byte, h, w, c int, seed uint64) error {
	if len(src) != h*w*c || len(dst) != h*w*c {
		return fmt.Errorf("data: transform: %d source bytes and %d outputs for a %d×%d×%d image", len(src), len(dst), h, w, c)
	}
	k, err := t.compile(h, w, c)
	if err != nil {
		return err
	}
	k.apply(dst, src, t.draw(seed, h, w))
	return nil
}

// apply is the fused crop + flip + normalise + cutout loop.
func (k *compiled) apply(dst []float32, src []byte, d draws) {
	h, w, c, pad := k.h, k.w, k.c, k.t.CropPad
	for y := 0; y < h; y++ {
		row := dst[y*w*c : (y+1)*w*c]
		sy := y + d.dy - pad
		if sy < 0 || sy >= h {
			for x := 0; x < w; x++ {
				copy(row[x*c:(x+1)*c], k.padVal)
			}
			continue
		}
		srow := src[sy*w*c : (sy+1)*w*c]
		if c == 3 {
			l0, l1, l2 := &k.lut[0], &k.lut[1], &k.lut[2]
			for x := 0; x < w; x++ {
				sx := x
				if d.flip {
					sx = w - 1 - x
				}
				sx += d.dx - pad
				o := row[3*x : 3*x+3 : 3*x+3]
				if sx < 0 || sx >= w {
					o[0], o[1], o[2] = k.padVal[0], k.padVal[1], k.padVal[2]
					continue
				}
				p := srow[3*sx : 3*sx+3 : 3*sx+3]
				o[0], o[1], o[2] = l0[p[0]], l1[p[1]], l2[p[2]]
			}
			continue
		}
		for x := 0; x < w; x++ {
			sx := x
			if d.flip {
				sx = w - 1 - x
			}
			sx += d.dx - pad
			for ch := 0; ch < c; ch++ {
				if sx < 0 || sx >= w {
					row[x*c+ch] = k.padVal[ch]
				} else {
					row[x*c+ch] = k.lut[ch][srow[sx*c+ch]]
				}
			}
		}
	}
	if k.t.Cutout > 0 {
		CutoutSquare(dst, h, w, c, d.cy, d.cx, k.t.Cutout)
	}
}

// FlipHorizontal mirrors an h×w×c image (HWC) left–right in place. Applying it twice restores
// the image.
func FlipHorizontal[T any](img []T, h, w, c int) {
	for y := 0; y < h; y++ {
		row := img[y*w*c : (y+1)*w*c]
		for a, b := 0, w-1; a < b; a, b = a+1, b-1 {
			for ch := 0; ch < c; ch++ {
				row[a*c+ch], row[b*c+ch] = row[b*c+ch], row[a*c+ch]
			}
		}
	}
}

// PadCrop writes into dst (h×w×c) the window at offset (dy, dx) of src (h×w×c) padded with pad
// zeros on every side; dy, dx ∈ [0, 2·pad]. PadCrop(dst, src, …, pad, pad, pad) copies src.
func PadCrop[T any](dst, src []T, h, w, c, pad, dy, dx int) {
	var zero T
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			sy, sx := y+dy-pad, x+dx-pad
			for ch := 0; ch < c; ch++ {
				if sy < 0 || sy >= h || sx < 0 || sx >= w {
					dst[(y*w+x)*c+ch] = zero
				} else {
					dst[(y*w+x)*c+ch] = src[(sy*w+sx)*c+ch]
				}
			}
		}
	}
}

// CutoutSquare sets to 0 the square of side length centred at (cy, cx) — rows
// [cy − length/2, cy + length/2), same columns — clipped to the h×w image (HWC, in place).
func CutoutSquare(img []float32, h, w, c, cy, cx, length int) {
	y0, y1 := max(cy-length/2, 0), min(cy+length/2, h)
	x0, x1 := max(cx-length/2, 0), min(cx+length/2, w)
	for y := y0; y < y1; y++ {
		clear(img[(y*w+x0)*c : (y*w+x1)*c])
	}
}

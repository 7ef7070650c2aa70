package data

import (
	"math"
	"reflect"
	"slices"
	"testing"
)

func randomImage(n int, seed uint64) []byte {
	s := splitmix64(seed)
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(s.next())
	}
	return b
}

func TestFlipIsItsOwnInverse(t *testing.T) {
	for _, c := range []struct{ h, w, ch int }{{32, 32, 3}, {5, 7, 1}, {1, 1, 3}, {16, 16, 3}} {
		img := randomImage(c.h*c.w*c.ch, 1)
		orig := slices.Clone(img)
		FlipHorizontal(img, c.h, c.w, c.ch)
		if c.w > 1 && slices.Equal(img, orig) {
			t.Errorf("%v: flip changed nothing", c)
		}
		// Pixel (y, x) moved to (y, w-1-x) with its channels in order.
		if img[0] != orig[(c.w-1)*c.ch] {
			t.Errorf("%v: pixel 0 after flip is %d, want %d", c, img[0], orig[(c.w-1)*c.ch])
		}
		FlipHorizontal(img, c.h, c.w, c.ch)
		if !slices.Equal(img, orig) {
			t.Errorf("%v: flip twice is not the identity", c)
		}
	}
}

func TestPadCrop(t *testing.T) {
	const h, w, c, pad = 32, 32, 3, 4
	src := make([]float32, h*w*c)
	for i := range src {
		src[i] = float32(i%255) + 1 // never zero
	}
	dst := make([]float32, h*w*c)
	PadCrop(dst, src, h, w, c, pad, pad, pad)
	if !slices.Equal(dst, src) {
		t.Error("centred crop is not the identity")
	}
	for dy := 0; dy <= 2*pad; dy++ {
		for dx := 0; dx <= 2*pad; dx++ {
			PadCrop(dst, src, h, w, c, pad, dy, dx)
			if len(dst) != h*w*c {
				t.Fatal("shape changed")
			}
			zeros := 0
			for y := 0; y < h; y++ {
				for x := 0; x < w; x++ {
					sy, sx := y+dy-pad, x+dx-pad
					inside := sy >= 0 && sy < h && sx >= 0 && sx < w
					for ch := 0; ch < c; ch++ {
						v := dst[(y*w+x)*c+ch]
						if inside && v != src[(sy*w+sx)*c+ch] || !inside && v != 0 {
							t.Fatalf("offset (%d,%d): pixel (%d,%d,%d) = %v", dy, dx, y, x, ch, v)
						}
						if v == 0 {
							zeros++
						}
					}
				}
			}
			wantZeros := (h*w - (h-abs(dy-pad))*(w-abs(dx-pad))) * c
			if zeros != wantZeros {
				t.Fatalf("offset (%d,%d): %d zero values, want %d (the padding)", dy, dx, zeros, wantZeros)
			}
		}
	}
}

func abs(x int) int { return max(x, -x) }

func TestCutoutSquare(t *testing.T) {
	const h, w, c = 32, 32, 3
	for _, ctr := range [][2]int{{16, 16}, {0, 0}, {31, 5}, {3, 31}} {
		img := make([]float32, h*w*c)
		for i := range img {
			img[i] = 1
		}
		CutoutSquare(img, h, w, c, ctr[0], ctr[1], 16)
		zeros := 0
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				in := y >= ctr[0]-8 && y < ctr[0]+8 && x >= ctr[1]-8 && x < ctr[1]+8
				if (img[(y*w+x)*c] == 0) != in {
					t.Fatalf("centre %v: pixel (%d,%d) zero=%v", ctr, y, x, !in)
				}
				if in {
					zeros++
				}
			}
		}
		if ctr == [2]int{16, 16} && zeros != 256 {
			t.Errorf("centred cutout zeroed %d pixels, want 256", zeros)
		}
	}
}

// The fused loop equals the composition crop → flip → normalise → cutout with the same draws.
func TestApplyMatchesComposition(t *testing.T) {
	const h, w, c = 32, 32, 3
	src := randomImage(h*w*c, 9)
	tf := Transform{CropPad: 4, Flip: true, Cutout: 16, Mean: CIFAR10Mean, Std: CIFAR10Std}
	flips := 0
	for seed := uint64(0); seed < 200; seed++ {
		d := tf.draw(seed, h, w)
		if d.flip {
			flips++
		}
		if d.dy < 0 || d.dy > 8 || d.dx < 0 || d.dx > 8 || d.cy < 0 || d.cy >= h || d.cx < 0 || d.cx >= w {
			t.Fatalf("draws out of range: %+v", d)
		}
		ref := make([]float32, h*w*c)
		for i, v := range src {
			ref[i] = float32(v) + 1 // +1 marks real pixels; padding stays 0
		}
		crop := make([]float32, len(ref))
		PadCrop(crop, ref, h, w, c, 4, d.dy, d.dx)
		if d.flip {
			FlipHorizontal(crop, h, w, c)
		}
		for i, v := range crop {
			ch := i % c
			crop[i] = (max(v-1, 0)/255 - CIFAR10Mean[ch]) / CIFAR10Std[ch]
		}
		CutoutSquare(crop, h, w, c, d.cy, d.cx, 16)
		got := make([]float32, len(ref))
		if err := tf.Apply(got, src, h, w, c, seed); err != nil {
			t.Fatal(err)
		}
		for i := range got {
			if math.Abs(float64(got[i]-crop[i])) > 1e-6 {
				t.Fatalf("seed %d: value %d = %v, composition gives %v (draws %+v)", seed, i, got[i], crop[i], d)
			}
		}
	}
	if flips < 70 || flips > 130 {
		t.Errorf("%d flips in 200 draws", flips)
	}
}

func TestTransformNoAugmentation(t *testing.T) {
	src := []byte{0, 51, 255, 102}
	got := make([]float32, 4)
	if err := (Transform{}).Apply(got, src, 2, 2, 1, 0); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, []float32{0, 0.2, 1, 0.4}) {
		t.Errorf("zero Transform gives %v, want bytes/255", got)
	}
	tt, _ := TestTransform("cifar10")
	if tt.CropPad != 0 || tt.Flip || tt.Cutout != 0 {
		t.Errorf("test transform augments: %+v", tt)
	}
	out := make([]float32, 3)
	_ = tt.Apply(out, []byte{0, 0, 0}, 1, 1, 3, 0)
	for ch := range out {
		if want := -CIFAR10Mean[ch] / CIFAR10Std[ch]; math.Abs(float64(out[ch]-want)) > 1e-6 {
			t.Errorf("normalised 0 on channel %d = %v, want %v", ch, out[ch], want)
		}
	}
}

func TestStandardTransforms(t *testing.T) {
	for _, c := range []struct {
		name         string
		cutout       int
		pad          int
		flip         bool
		channelsMean int
	}{
		{"cifar10", 0, 4, true, 3}, {"cifar100", 16, 4, true, 3}, {"imagenet16-120", 0, 2, true, 3},
		{"fashion-mnist", 0, 0, false, 1}, {"mnist", 0, 0, false, 1}, {"embedded", 0, 4, true, 3},
		{"cifar10-sample", 0, 4, true, 3}, {"fashion-mnist-sample", 0, 0, false, 1},
	} {
		tf, err := TrainTransform(c.name, c.cutout)
		if err != nil {
			t.Fatal(err)
		}
		if tf.CropPad != c.pad || tf.Flip != c.flip || tf.Cutout != c.cutout || len(tf.Mean) != c.channelsMean {
			t.Errorf("%s: %+v", c.name, tf)
		}
	}
	if _, err := TrainTransform("nope", 0); err == nil {
		t.Error("unknown data set: no error")
	}
}

func TestTransformErrors(t *testing.T) {
	dst := make([]float32, 12)
	src := make([]byte, 12)
	for _, tf := range []Transform{
		{Mean: []float32{0.5}, Std: []float32{0.5}}, // wrong channel count
		{Mean: []float32{0, 0, 0}},                  // no std
		{Mean: []float32{0, 0, 0}, Std: []float32{1, 0, 1}},
		{CropPad: -1},
	} {
		if err := tf.Apply(dst, src, 2, 2, 3, 0); err == nil {
			t.Errorf("%+v: no error", tf)
		}
	}
	if err := (Transform{}).Apply(dst[:5], src, 2, 2, 3, 0); err == nil {
		t.Error("short dst: no error")
	}
}

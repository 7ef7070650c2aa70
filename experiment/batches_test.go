package experiment

import (
	"context"
	"slices"
	"testing"

	"github.com/gaeanas/gaeanas/data"
	"github.com/gaeanas/gaeanas/gaea"
	"github.com/gomlx/gomlx/pkg/core/tensors"
)

// augment_arch false: the architecture batches are the test transform (normalisation only) of the
// images the stream draws; true (the default): they are augmented as the weight batches.
func TestAugmentArch(t *testing.T) {
	st, err := Defaults(Paper, "nb201", GAEADARTS, data.CIFAR10SampleName)
	if err != nil {
		t.Fatal(err)
	}
	if !st.AugmentArch {
		t.Fatal("augment_arch defaults to false, want true (the reference loaders)")
	}
	st.Batch, st.Subset = 8, 64
	d, err := OpenData(context.Background(), &st, nil)
	if err != nil {
		t.Fatal(err)
	}
	// The architecture stream's first batch without augmentation, drawn as NewBatches draws it.
	tf, err := data.TestTransform(st.Dataset)
	if err != nil {
		t.Fatal(err)
	}
	it, err := data.NewIterator(d.Arch, st.Batch).Seed(uint64(st.Seed)*2 + 2).Infinite().Transform(tf).Done()
	if err != nil {
		t.Fatal(err)
	}
	want, err := it.Next()
	if err != nil {
		t.Fatal(err)
	}
	wantX := tensors.MustCopyFlatData[float32](want.Images)
	for _, augment := range []bool{false, true} {
		st.AugmentArch = augment
		b, err := NewBatches(&st, d)
		if err != nil {
			t.Fatal(err)
		}
		x, y, err := b.Next(gaea.ArchBlock)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(tensors.MustCopyFlatData[int32](y), tensors.MustCopyFlatData[int32](want.Labels)) {
			t.Fatalf("augment_arch=%v: the stream drew other images", augment)
		}
		same := slices.Equal(tensors.MustCopyFlatData[float32](x), wantX)
		if same == augment {
			t.Errorf("augment_arch=%v: architecture batch equals the unaugmented one: %v", augment, same)
		}
	}
}

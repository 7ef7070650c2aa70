package main

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestDataEmbedded(t *testing.T) {
	var out, progress bytes.Buffer
	if err := dataTo(&out, &progress, []string{"--dataset", "embedded"}); err != nil {
		t.Fatal(err)
	}
	if strings.Count(out.String(), "\n") != 1 {
		t.Errorf("not one line: %q", out.String())
	}
	var r dataReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Dataset != "cifar10-sample" || r.Train != 2000 || r.Test != 500 || r.Classes != 10 || len(r.Mean) != 3 || len(r.Std) != 3 ||
		r.SearchTrain != 1000 || r.SearchValid != 1000 || r.SearchTest != 500 {
		t.Errorf("report %+v", r)
	}
	for _, k := range []string{`"train"`, `"test"`, `"classes"`, `"mean"`, `"std"`, `"search_train"`, `"search_valid"`} {
		if !strings.Contains(out.String(), k) {
			t.Errorf("no %s in %s", k, out.String())
		}
	}
}

func TestDataSharedCIFAR10(t *testing.T) {
	const dir = "../../../shared/data"
	if _, err := os.Stat(dir + "/cifar10/cifar-10-binary.tar.gz"); err != nil {
		t.Skipf("shared CIFAR-10 not available: %v", err)
	}
	if testing.Short() || os.Getenv("GAEA_TEST_LONG") == "" {
		t.Skip("long: set GAEA_TEST_LONG=1 (.ci/run does); decompresses the 163 MB CIFAR-10 archive")
	}
	var out bytes.Buffer
	if err := dataTo(&out, &bytes.Buffer{}, []string{"--dataset", "cifar10", "--data-dir", dir, "--download=false"}); err != nil {
		t.Fatal(err)
	}
	var r dataReport
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		t.Fatal(err)
	}
	if r.Train != 50000 || r.Test != 10000 || r.Classes != 10 || r.SearchTrain != 25000 || r.SearchValid != 25000 || len(r.Mean) != 3 {
		t.Errorf("report %s", out.String())
	}
	for c, want := range []float64{0.4914, 0.4822, 0.4465} {
		if d := r.Mean[c] - want; d > 0.005 || d < -0.005 {
			t.Errorf("mean[%d] = %v", c, r.Mean[c])
		}
	}
}

func TestDataErrors(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--dataset", "svhn"}, "unknown data set"},
		{[]string{"--dataset", "cifar100", "--data-dir", t.TempDir(), "--download=false"}, "downloads are off"},
		{[]string{"--dataset", "embedded", "extra"}, "unexpected argument"},
		{[]string{"--nope"}, "flag provided but not defined"},
	} {
		err := dataTo(&bytes.Buffer{}, &bytes.Buffer{}, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%q: error %v, want one line with %q", c.args, err, c.want)
		}
	}
}

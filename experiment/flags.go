package experiment

import (
	"flag"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Overrides are settings given by the user (command-line flags), by settings key.
type Overrides map[string]any

// FlagName is the command-line spelling of a settings key: weight_lr → weight-lr.
func FlagName(key string) string { return strings.ReplaceAll(key, "_", "-") }

// AddFlags defines one flag per settings key on fs (--epochs, --weight-lr, --nesterov, …); the values
// given end up in the returned Overrides. A flag that is not given keeps the preset's value; a flag that
// is given must be valid (Apply and Validate check it).
func AddFlags(fs *flag.FlagSet) Overrides {
	o := Overrides{}
	var zero Settings
	for _, key := range Keys() {
		key := key
		if derivedKeys[key] {
			continue // no flag: the value follows from others (Apply refuses it too)
		}
		usage := flagUsage[key]
		if usage == "" {
			usage = strings.ReplaceAll(key, "_", " ")
		}
		const preset = " (default from the preset; see gaea presets)"
		switch zero.mustGet(key).(type) {
		case bool:
			name := FlagName(key)
			fs.Func(name, usage+": --"+name+" or --"+name+" false"+preset, func(s string) error {
				b, err := strconv.ParseBool(s)
				if err != nil {
					return fmt.Errorf("want true or false")
				}
				o[key] = b
				return nil
			})
			// A bare --nesterov means true.
			f := fs.Lookup(FlagName(key))
			f.Value = boolFuncValue{f.Value}
		case int:
			fs.Func(FlagName(key), usage+preset, func(s string) error {
				v, err := strconv.Atoi(s)
				if err != nil {
					return fmt.Errorf("want an integer")
				}
				o[key] = v
				return nil
			})
		case float64:
			fs.Func(FlagName(key), usage+preset, func(s string) error {
				v, err := strconv.ParseFloat(s, 64)
				if err != nil {
					return fmt.Errorf("want a number")
				}
				o[key] = v
				return nil
			})
		case string:
			fs.Func(FlagName(key), usage+preset, func(s string) error { o[key] = s; return nil })
		}
	}
	return o
}

type boolFuncValue struct{ flag.Value }

func (boolFuncValue) IsBoolFlag() bool { return true }

// String is the wrapped value's; the flag package also calls it on a zero boolFuncValue (to find
// the default), whose Value is nil.
func (b boolFuncValue) String() string {
	if b.Value == nil {
		return ""
	}
	return b.Value.String()
}

func (s *Settings) mustGet(key string) any {
	v, err := s.Get(key)
	if err != nil {
		panic(err)
	}
	return v
}

// Apply sets the given values (source "command line"), refreshes the image counts and validates.
// Counts given as 0 or less are refused here (a flag given must be valid) where 0 is no meaningful value.
func (s *Settings) Apply(o Overrides) error {
	epochs, schedule, warmup := s.Epochs, s.ScheduleEpochs, s.WarmupEpochs
	for _, key := range Keys() {
		v, ok := o[key]
		if !ok {
			continue
		}
		if n, isInt := v.(int); isInt && n <= 0 && positiveKeys[key] {
			return fmt.Errorf("--%s must be at least 1, got %d", FlagName(key), n)
		}
		if derivedKeys[key] {
			return fmt.Errorf("--%s follows from the data set, level and algorithm; it cannot be set", FlagName(key))
		}
		if err := s.Set(key, v, "command line"); err != nil {
			return err
		}
	}
	// Epochs given without the epoch-valued keys: those keep the preset's ratio to the epochs.
	if _, ok := o["epochs"]; ok && epochs > 0 && s.Epochs > 0 {
		scale := func(v int) int { return int(math.Round(float64(v) * float64(s.Epochs) / float64(epochs))) }
		if _, ok := o["schedule_epochs"]; !ok {
			s.ScheduleEpochs = max(s.Epochs, scale(schedule))
			s.Sources["schedule_epochs"] = fmt.Sprintf("the preset's ratio to --epochs (%d/%d)", schedule, epochs)
		}
		if _, ok := o["warmup_epochs"]; !ok && warmup > 0 {
			s.WarmupEpochs = min(s.Epochs-1, max(1, scale(warmup)))
			s.Sources["warmup_epochs"] = fmt.Sprintf("the preset's ratio to --epochs (%d/%d)", warmup, epochs)
		}
	}
	if err := s.fillImages(); err != nil {
		return err
	}
	return s.Validate()
}

// derivedKeys are the settings keys whose value follows from the others: they have no flag, and
// Apply refuses them.
var derivedKeys = map[string]bool{"train_images": true, "valid_images": true, "arch_optimizer": true}

// positiveKeys are the integer settings for which 0 is not a value (rather than "off").
var positiveKeys = map[string]bool{"epochs": true, "batch": true, "channels": true, "cells": true,
	"schedule_epochs": true, "candidates": true, "valid_batch": true}

var flagUsage = map[string]string{
	"dataset":          "data set: cifar10, cifar100, imagenet16-120, fashion-mnist, mnist, cifar10-sample (embedded), fashion-mnist-sample (embedded)",
	"level":            "single (ERM: both blocks on the training data) or bi (architecture block on a held-out split)",
	"epochs":           "epochs of the search",
	"batch":            "images per batch",
	"channels":         "supernet width C",
	"cells":            "NB201: cells per stage N; DARTS: layers",
	"with_none":        "include the none (zero) op",
	"weight_lr":        "maximum weight learning rate of the cosine schedule",
	"weight_lr_min":    "minimum weight learning rate of the cosine schedule",
	"schedule_epochs":  "epochs the cosine spans (≥ epochs)",
	"schedule_offset":  "1: epoch e uses the cosine at e+1 (PyTorch scheduler stepped first)",
	"momentum":         "SGD momentum of the weights",
	"nesterov":         "Nesterov momentum",
	"weight_decay":     "weight decay of the shared weights",
	"grad_clip":        "global-norm clip of the weight gradients",
	"arch_lr":          "architecture learning rate",
	"entropy_reg":      "λ of the entropic regulariser λ·KL(θ‖uniform)",
	"second_order":     "DARTS's unrolled (second-order) architecture gradient",
	"edge_weights":     "learn edge weights β per node (darts space)",
	"partial_channels": "PC-DARTS partial channels K (0 = all)",
	"warmup_epochs":    "epochs of weight steps only at the start",
	"tau_max":          "GDAS temperature at the start",
	"tau_min":          "GDAS temperature at the end",
	"weights_first":    "each iteration: weight step first",
	"augment_arch":     "augment the architecture batches (random crop and flip) as the weight batches; false: normalisation only",
	"candidates":       "RS-WS: random architectures scored at the end",
	"valid_batch":      "RS-WS: batch size of the held-out batch that scores a candidate",
	"subset":           "use only the first N images of each split",
}

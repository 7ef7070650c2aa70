package scratch

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/gaeanas/gaeanas/internal/cli"
	"github.com/gaeanas/gaeanas/internal/text"
	"github.com/gaeanas/gaeanas/spaces"
)

// Bounds on the network size flags of `gaea params`, far above any real network, so that the count
// cannot overflow.
var paramsMax = map[string]int{"channels": 4096, "cells": 1000, "layers": 1000, "classes": 100000}

// ParamsCommand is gaea params' command line: a space, a genotype and the sizes of its stand-alone
// network.
type ParamsCommand struct {
	space               *string
	genotypes           map[string]*string
	sizes               map[string]*int
	auxiliary, imagenet *bool
	fs                  *flag.FlagSet
}

// AddParamsCommand defines gaea params' flags on fs.
func AddParamsCommand(fs *flag.FlagSet) *ParamsCommand {
	c := &ParamsCommand{fs: fs, genotypes: map[string]*string{}, sizes: map[string]*int{}}
	c.space = fs.String("space", "nb201", "a space with a stand-alone network: "+strings.Join(Trainable(), ", "))
	for _, name := range GenotypeFlags() {
		c.genotypes[name] = fs.String(name, "", strings.Join(SpacesOf(name), ", ")+": the genotype in the space's text form, or a name it knows (DARTS_V2)")
	}
	for _, name := range []string{"channels", "cells", "layers", "classes"} {
		c.sizes[name] = fs.Int(name, 0, fmt.Sprintf("%s (default: the space's protocol; at most %d)", name, paramsMax[name]))
	}
	c.auxiliary = fs.Bool("auxiliary", false, "count the auxiliary head too (networks with one)")
	c.imagenet = fs.Bool("imagenet", false, "the network's ImageNet form (NetworkImageNet for darts)")
	return c
}

// Run prints the parameter count of the parsed command line's network as a bare integer: the space's
// stand-alone network (spaces.Training.Network), counted as the space's reference counts it (DARTS
// without the auxiliary head unless --auxiliary: DARTS_V2 3349342).
func (c *ParamsCommand) Run(w io.Writer) error {
	space, genotypes, sizes, auxiliary, imagenet := c.space, c.genotypes, c.sizes, c.auxiliary, c.imagenet
	given := cli.Given(c.fs)
	d, err := spaces.Lookup(*space)
	if err != nil || d.Training == nil {
		return cli.Usagef("--space %q: want %s", text.Abbrev(*space), strings.Join(Trainable(), " or "))
	}
	depth := "cells" // the depth flag the space's protocol names
	o := spaces.NetworkOptions{Auxiliary: *auxiliary, ImageNet: *imagenet}
	for _, r := range d.Training.Protocol {
		switch r.Key {
		case "channels":
			o.Channels, _ = r.Value.(int)
		case "cells", "layers":
			depth = r.Key
			o.Cells, _ = r.Value.(int)
		}
	}
	o.Classes = 10
	if *imagenet && d.Training.Takes("imagenet") {
		o.Channels, o.Cells, o.Classes = d.Training.ImageNet.Channels, d.Training.ImageNet.Cells, d.Training.ImageNet.Classes
	}
	for flagName := range given { // flags of other spaces' networks
		other := slices.Contains([]string{"auxiliary", "imagenet"}, flagName) && !d.Training.Takes(flagName) ||
			(flagName == "cells" || flagName == "layers") && flagName != depth ||
			genotypes[flagName] != nil && flagName != d.GenotypeFlag()
		if other {
			return cli.Usagef("--%s is not a flag of the %s network", flagName, d.Name)
		}
	}
	for name, v := range sizes {
		if !given[name] {
			continue
		}
		if *v < 1 {
			return cli.Usagef("--%s must be ≥ 1, got %d", name, *v)
		}
		if *v > paramsMax[name] {
			return cli.Usagef("--%s %d is too large (at most %d)", name, *v, paramsMax[name])
		}
		switch name {
		case "channels":
			o.Channels = *v
		case "classes":
			o.Classes = *v
		default:
			o.Cells = *v
		}
	}
	gs := *genotypes[d.GenotypeFlag()]
	if gs == "" {
		return cli.Usagef("--%s is required", d.GenotypeFlag())
	}
	g, err := d.ParseGenotype(gs)
	if err != nil {
		return cli.Usage(err)
	}
	net, err := d.Training.Network(g, o)
	if err != nil {
		return cli.Usage(errors.New(cli.Flagged(err, func(key string) string { return key })))
	}
	_, err = fmt.Fprintln(w, net.ParamCount())
	return err
}

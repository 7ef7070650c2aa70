package viz

import (
	"fmt"
	"hash/fnv"
	"image/color"
)

// opColors is the one palette of the package, keyed by op name: the NAS-Bench-201 ops, the DARTS ops and
// the teaching space's ops. Colours follow Okabe–Ito's colour-blind-safe set where they can.
var opColors = map[string]color.RGBA{
	"none":         rgb(0x9e9e9e), // grey: the absent edge
	"skip_connect": rgb(0xe69f00), // orange
	"nor_conv_1x1": rgb(0x56b4e9), // sky blue
	"nor_conv_3x3": rgb(0x0072b2), // blue
	"conv_3x3":     rgb(0x0072b2), // blue, as nor_conv_3x3
	"avg_pool_3x3": rgb(0x009e73), // green
	"max_pool_3x3": rgb(0xcc79a7), // reddish purple
	"sep_conv_3x3": rgb(0xd55e00), // vermillion
	"sep_conv_5x5": rgb(0x8c2d04), // dark red-brown
	"dil_conv_3x3": rgb(0x6a3d9a), // purple
	"dil_conv_5x5": rgb(0xb8a200), // olive
}

// fallbackColors colour op names the palette does not know, chosen by a hash of the name so that an
// op keeps its colour across figures.
var fallbackColors = []color.RGBA{
	rgb(0x4e79a7), rgb(0xf28e2b), rgb(0xe15759), rgb(0x76b7b2), rgb(0x59a14f),
	rgb(0xedc948), rgb(0xb07aa1), rgb(0xff9da7), rgb(0x9c755f), rgb(0x17becf),
}

func rgb(v uint32) color.RGBA {
	return color.RGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

// OpColor returns the colour of an op in every figure of the package. Known ops (NAS-Bench-201, DARTS
// and teaching-space names) have fixed colours; any other name gets a colour derived from the name.
func OpColor(op string) color.RGBA {
	if c, ok := opColors[op]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(op))
	return fallbackColors[h.Sum32()%uint32(len(fallbackColors))]
}

// hexColor writes c as "#rrggbb" (for Graphviz).
func hexColor(c color.RGBA) string { return fmt.Sprintf("#%02x%02x%02x", c.R, c.G, c.B) }

// seriesColors are the colours of lines that are not ops (edges, trajectories, blocks).
var seriesColors = []color.RGBA{
	rgb(0x1f77b4), rgb(0xff7f0e), rgb(0x2ca02c), rgb(0xd62728), rgb(0x9467bd),
	rgb(0x8c564b), rgb(0xe377c2), rgb(0x7f7f7f), rgb(0xbcbd22), rgb(0x17becf),
}

func seriesColor(i int) color.RGBA { return seriesColors[i%len(seriesColors)] }

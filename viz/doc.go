// Package viz draws the pictures of a GAEA search: how the architecture weights θ move on the simplex,
// what the search's losses do, which cell it finds and where that cell sits in its space's benchmark.
// It draws and knows no space: a space supplies the data of its pictures through optional interfaces
// (spaces.CellDrawer, spaces.SupernetDrawer, spaces.Benchmark), and a space without them simply has
// fewer pictures.
//
// Every function returns a *Figure: a title and a standalone, static SVG document (no JavaScript), about
// 800 px wide, that renders in GoNB, in nbconvert's HTML export, in a browser and in an HTML report.
// Charts are drawn with gonum.org/v1/plot, cell diagrams with Graphviz (github.com/goccy/go-graphviz,
// compiled to WebAssembly; pure Go, no system Graphviz needed).
//
// The pictures:
//
//   - ThetaEvolution: θ of every edge over the search steps, one small panel per edge, one line per op.
//   - ThetaHeatmap: θ at one step as an edges × ops table of colours with the values written in.
//   - EntropyCurves: the entropy of every edge's θ row over the steps, against its maximum log K.
//   - LossCurves: loss and accuracy of the architecture and the weight blocks.
//   - SimplexTrajectories: paths on the 2-simplex (a ternary plot), e.g. exponentiated gradient against
//     Euclidean projection and softmax from the same start, over the level sets of the objective.
//   - Cells, Cell, Supernet: cell diagrams of a genotype (viz.Cells(nb201.New(), arch)) or of the
//     supernet's θ, from the space's diagram data.
//   - Landscape, AccuracyOverSearch, AccuracyOverSearchRuns: the benchmark accuracy of what the search
//     finds (NAS-Bench-201's table, for one), from the space's Benchmark.
//
// Every op has one colour in every figure (OpColor): skip_connect is always orange, nor_conv_3x3 always
// dark blue, and so on.
//
// In a GoNB notebook, Show displays a figure inline and a Live display redraws one output in place while
// a search runs; outside a notebook both write SVG files (into $GAEA_VIZ_DIR, default the current
// directory), so notebooks and programs run headless unchanged.
package viz

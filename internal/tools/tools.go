//go:build tools

// Package tools pins modules that the project uses outside its Go packages: GoNB (the Jupyter
// kernel the notebooks run on, its gonbui display library and the widgets of notebook 02), so that
// their versions are in go.mod.
package tools

import (
	_ "github.com/janpfeifer/gonb"
	_ "github.com/janpfeifer/gonb/gonbui"
	_ "github.com/janpfeifer/gonb/gonbui/widgets"
)

package main

// The search spaces this program offers: one line each links a space (it registers itself, see
// package spaces). A new space is its folder under spaces/ and one line here.
import (
	_ "github.com/gaeanas/gaeanas/spaces/darts"
	_ "github.com/gaeanas/gaeanas/spaces/nb201"
	_ "github.com/gaeanas/gaeanas/spaces/tiny"
)

package sweep

// The tests' grids name the shipped spaces: link them, as a program does where it starts.
import (
	_ "github.com/gaeanas/gaeanas/spaces/darts"
	_ "github.com/gaeanas/gaeanas/spaces/nb1shot1"
	_ "github.com/gaeanas/gaeanas/spaces/nb201"
	_ "github.com/gaeanas/gaeanas/spaces/tiny"
)

package viz

import (
	"fmt"
	"os"
	"strings"
)

// ScriptHeader returns the comment block that opens a shell script (its lines starting with #, the #!
// line left out): what a notebook prints of the make.sh that made its stored runs — the protocol and the
// command — without the script's body or any path of the machine that reads it.
func ScriptHeader(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("viz: script header: %w", err)
	}
	var b strings.Builder
	for i, l := range strings.Split(string(raw), "\n") {
		if i == 0 && strings.HasPrefix(l, "#!") {
			continue
		}
		if !strings.HasPrefix(l, "#") {
			break
		}
		b.WriteString(l + "\n")
	}
	return b.String(), nil
}

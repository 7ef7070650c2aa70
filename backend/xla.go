//go:build !noxla

package backend

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/gomlx/go-xla/pkg/installer"
	"github.com/gomlx/go-xla/pkg/pjrt"
	"github.com/gomlx/gomlx/backends"
	"github.com/gomlx/gomlx/backends/xla"
)

// autoInstallTimeout bounds how long New waits for GoMLX's plugin installer (a download).
var autoInstallTimeout = 5 * time.Minute

// tryXLA returns an XLA backend on an installed (or installable) PJRT plugin. When it cannot,
// ok is false and c.Reason says why.
func tryXLA() (b backends.Backend, c Choice, ok bool) {
	plugins := pjrt.AvailablePlugins()
	if len(plugins) == 0 {
		if _, off := os.LookupEnv(xla.NoAutoInstallEnv); off {
			return nil, Choice{Reason: "no PJRT plugin found, auto-install disabled by $" + xla.NoAutoInstallEnv}, false
		}
		if err := autoInstall(); err != nil {
			return nil, Choice{Reason: "no PJRT plugin found, and the plugin installer could not fetch one",
				Detail: err.Error()}, false
		}
		plugins = pjrt.AvailablePlugins()
		if len(plugins) == 0 {
			return nil, Choice{Reason: "no PJRT plugin found"}, false
		}
	}
	var failures []string
	for _, name := range orderPlugins(plugins) {
		// The plugins are installed (or the installer just ran): don't let GoMLX try again.
		xla.EnableAutoInstall(false)
		be, err := backends.NewWithConfig("xla:" + name)
		if err == nil {
			return be, Choice{Config: "xla:" + name, Reason: "PJRT plugin " + plugins[name]}, true
		}
		failures = append(failures, fmt.Sprintf("%s: %s", name, firstLine(err.Error())))
	}
	return nil, Choice{Reason: "PJRT plugins failed to load (" + strings.Join(failures, "; ") + ")"}, false
}

// orderPlugins lists plugin names with cuda first, then cpu, then the rest.
func orderPlugins(plugins map[string]string) []string {
	var names []string
	for _, pref := range []string{"cuda", "cpu"} {
		if _, ok := plugins[pref]; ok {
			names = append(names, pref)
		}
	}
	for name := range plugins {
		if name != "cuda" && name != "cpu" {
			names = append(names, name)
		}
	}
	return names
}

func autoInstall() error {
	done := make(chan error, 1)
	go func() { done <- installer.AutoInstall("", true, installer.Normal) }()
	select {
	case err := <-done:
		return err
	case <-time.After(autoInstallTimeout):
		return fmt.Errorf("plugin installer did not finish in %s", autoInstallTimeout)
	}
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	const max = 90
	if len(s) > max {
		s = s[:max] + "…"
	}
	return s
}

// unavailable says in one line why the configuration could not be had: for XLA without its plugin,
// that there is none and how to get one (not the installer's own long error).
func unavailable(config string, err error) string {
	name, plugin, _ := strings.Cut(config, ":")
	if name != "xla" {
		return firstLine(err.Error())
	}
	msg := err.Error()
	plugins := pjrt.AvailablePlugins()
	missing := len(plugins) == 0
	if plugin != "" && !strings.Contains(plugin, "/") {
		_, ok := plugins[plugin]
		missing = !ok
	}
	if strings.Contains(plugin, "/") {
		if _, serr := os.Stat(plugin); serr != nil {
			return fmt.Sprintf("no PJRT plugin file %s; %s", plugin, getPluginHelp)
		}
	}
	if !missing && !strings.Contains(msg, "install") {
		return firstLine(msg)
	}
	what := "no PJRT plugin"
	if plugin != "" && !strings.Contains(plugin, "/") {
		what = fmt.Sprintf("no PJRT plugin %q", plugin)
	}
	why := "and GoMLX's installer could not fetch one"
	switch {
	case strings.Contains(msg, "no such host"), strings.Contains(msg, "dial tcp"), strings.Contains(msg, "network is unreachable"):
		why += " (no network)"
	case os.Getenv(xla.NoAutoInstallEnv) != "":
		why = "and automatic installation is off ($" + xla.NoAutoInstallEnv + ")"
	}
	return fmt.Sprintf("%s on this machine, %s; %s", what, why, getPluginHelp)
}

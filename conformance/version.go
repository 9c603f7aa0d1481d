package conformance

import (
	"runtime/debug"
	"sync"
)

// Version names the doppel build that runs the suite, for reports: the
// module version, and the commit it was built from where Go recorded one.
var Version = sync.OnceValue(func() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	v := info.Main.Version
	var rev, dirty string
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value[:min(12, len(s.Value))]
		case "vcs.modified":
			if s.Value == "true" {
				dirty = ", modified"
			}
		}
	}
	if rev != "" {
		v += " (" + rev + dirty + ")"
	}
	return v
})

#!/usr/bin/env bash
# Checks ARCHITECTURE.md's layer rules on the packages' imports (go list,
# without tests: the suite's in-process wiring may start the mock). Prints
# each offending import as "package imports forbidden (rule)" and exits 1
# when there is any. Run by `make lint`.
set -euo pipefail
cd "$(dirname "$0")/.."
mod=$(go list -m)
bad=0

# check MODE WHY FORBIDDEN PACKAGES...: no package of PACKAGES imports a
# package matching the extended regexp FORBIDDEN — directly (MODE direct) or
# anywhere below it (MODE deps: each import into the forbidden set from the
# packages they depend on).
check() {
	local mode=$1 why=$2 forbidden=$3
	shift 3
	local list=(go list -f '{{.ImportPath}} {{join .Imports " "}}')
	[ "$mode" = deps ] && list=(go list -deps -f '{{if not .Standard}}{{.ImportPath}} {{join .Imports " "}}{{end}}')
	local hits
	hits=$("${list[@]}" "$@" | awk -v re="^($forbidden)\$" -v why="$why" '
		NF && $1 !~ re { for (i = 2; i <= NF; i++) if ($i ~ re) printf "%s imports %s (%s)\n", $1, $i, why }' | sort -u)
	if [ -n "$hits" ]; then
		echo "$hits"
		bad=1
	fi
}

m="$mod/mockserver"
faces="$m/(emporix|openloyalty|accounts)"
check deps "scenarios and conformance test any deployment over HTTP: never the mock" \
	"$m(/.*)?" ./scenarios/... ./conformance/...
check direct "a face never touches go-memdb: identity owns the transactions" \
	"github.com/hashicorp/go-memdb(/.*)?|github.com/hashicorp/go-immutable-radix(/.*)?" \
	./mockserver/emporix ./mockserver/openloyalty ./mockserver/accounts ./mockserver/face
check deps "identity knows no HTTP" "net/http(/.*)?" ./mockserver/identity/...
check deps "contracts imports nothing of the project" "$mod/.*" ./contracts/...
check deps "data flows down: store is the bottom layer" "$m/(identity|face)|$faces|$m" ./mockserver/store/...
check deps "data flows down: identity is below the faces" "$m/face|$faces|$m" ./mockserver/identity/...
check deps "data flows down: the pipeline is below the faces" "$faces|$m" ./mockserver/face/...
for f in emporix openloyalty accounts; do
	check deps "a face keeps its dialect: no face imports another or the assembly" \
		"$(echo "$faces|$m" | sed "s/|$f|/|/; s/($f|/(/; s/|$f)/)/")" "./mockserver/$f"
done
exit $bad

#!/usr/bin/env bash
# Refuses tracked files over LIMIT bytes (1 MiB) — a committed binary, a
# dump — unless they are listed in ALLOW. Sizes are those of the index, so
# that a staged file counts too. Run by `make lint` and `.ci/run`.
set -euo pipefail
cd "$(dirname "$0")/.."
LIMIT=${LIMIT:-1048576}
# Large fixtures that belong in the tree, one path a line (none yet).
ALLOW=""

# "mode object stage<TAB>path" lines become "object path", then "size path".
big=$(git ls-files -s | sed 's/^[0-7]* \([0-9a-f]*\) [0-3]\t/\1 /' |
	git cat-file --batch-check='%(objectsize) %(rest)' | awk -v limit="$LIMIT" '$1 > limit')
out=""
while read -r size path; do
	[ -z "$path" ] && continue
	grep -qxF "$path" <<<"$ALLOW" && continue
	out+="$path: $size bytes, over $LIMIT"$'\n'
done <<<"$big"
if [ -n "$out" ]; then
	printf '%s' "$out"
	echo "large-files: remove these from git (or, for a fixture, list it in scripts/large-files.sh's ALLOW)" >&2
	exit 1
fi

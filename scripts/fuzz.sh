#!/usr/bin/env bash
# fuzz.sh runs every Fuzz target in the module for a short time each.
#
#   scripts/fuzz.sh [FUZZTIME] [PACKAGES...]    defaults: 10s ./...
#
# Targets are found with `go test -list`, so new ones are picked up without editing this.
# go test -fuzz takes one target in one package per run, hence the loop.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

fuzztime=${1:-10s}
shift || true
pkgs=("$@")
((${#pkgs[@]})) || pkgs=(./...)

go=${GO:-go}
# `go test -list` prints a package's matching names, then that package's "ok <path>" line.
targets=$("$go" test -list '^Fuzz' "${pkgs[@]}" | awk '
	/^Fuzz/ { names[++n] = $1; next }
	/^ok[ \t]/ { for (i = 1; i <= n; i++) print $2, names[i]; n = 0 }
')

if [ -z "$targets" ]; then
	echo "fuzz: no Fuzz targets found"
	exit 0
fi

count=$(wc -l <<<"$targets")
echo "fuzz: $count target(s), $fuzztime each"
while read -r pkg name; do
	echo "==> $pkg $name"
	"$go" test -run '^$' -fuzz "^$name\$" -fuzztime "$fuzztime" "$pkg"
done <<<"$targets"

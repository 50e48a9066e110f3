#!/usr/bin/env bash
# test-setup-deps.sh checks scripts/setup-deps.sh against fake dpkg-query, apt-get, sudo
# and go placed first on PATH, so nothing on this machine is installed or changed.
#
#   scripts/test-setup-deps.sh            the offline cases (a second or two)
#   scripts/test-setup-deps.sh --network  also fetch a real Go toolchain for a pre-1.21 go
#                                         through the module proxy (~70 MB, into a temp dir)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
setup="$here/setup-deps.sh"
network=false
[ "${1:-}" = --network ] && network=true

real_go=$(command -v go || true)
tmp=$(mktemp -d)
cleanup() {
	chmod -R u+w "$tmp" 2>/dev/null || true # the module cache is read-only
	rm -rf "$tmp"
}
trap cleanup EXIT

fakes="$tmp/fakes"
mkdir -p "$fakes"
# The system's directories minus any Go, so that "no go" cases really have none.
base_path=$(tr ':' '\n' <<<"$PATH" | while read -r d; do
	[ -n "$d" ] && [ ! -e "$d/go" ] && printf '%s:' "$d"
done)
base_path=${base_path%:}

# dpkg-query: packages listed in $tmp/installed are installed, nothing else is known.
cat >"$fakes/dpkg-query" <<'EOF'
#!/usr/bin/env bash
shift 2 # -W -f=FORMAT
status=0
for p in "$@"; do
	if grep -qx -- "$p" "$FAKE_STATE/installed" 2>/dev/null; then echo "ii  $p"; else status=1; fi
done
exit $status
EOF
# apt-get: records its arguments; install marks packages installed (and golang-go brings a go).
cat >"$fakes/apt-get" <<'EOF'
#!/usr/bin/env bash
echo "apt-get $*" >>"$FAKE_STATE/apt.log"
[ "${FAKE_APT_FAIL:-}" = 1 ] && { echo "E: Unable to locate package" >&2; exit 100; }
if [ "$1" = install ]; then
	for p in "$@"; do
		case "$p" in -*|install) continue ;; esac
		echo "$p" >>"$FAKE_STATE/installed"
		[ "$p" = golang-go ] && ln -sf "$FAKE_STATE/fakes/go-$FAKE_DEBIAN_GO" "$FAKE_STATE/gobin/go"
	done
fi
exit 0
EOF
# sudo and id: pretend to be an ordinary user who may sudo.
cat >"$fakes/sudo" <<'EOF'
#!/usr/bin/env bash
echo "sudo $*" >>"$FAKE_STATE/apt.log"
exec "$@"
EOF
cat >"$fakes/id" <<'EOF'
#!/usr/bin/env bash
if [ "$1" = -u ] && [ -n "${FAKE_UID:-}" ]; then echo "$FAKE_UID"; else exec /usr/bin/id "$@"; fi
EOF
# go-VERSION: a go that reports VERSION; with GOTOOLCHAIN=auto inside a module that asks
# for more (go >= 1.21 only), it reports the version it would have switched to.
for v in 1.19.8 1.22.12 1.26.8; do
	cat >"$fakes/go-$v" <<EOF
#!/usr/bin/env bash
v=$v
EOF
	cat >>"$fakes/go-$v" <<'EOF'
echo "go $*" >>"$FAKE_STATE/go.log"
case "$1 ${2:-}" in
"env GOVERSION")
	if [ "${GOTOOLCHAIN:-}" = auto ] && [ -f go.mod ] && [ "$(printf '%s\n' "$v" 1.21 | sort -V | head -1)" = 1.21 ]; then
		echo "go$(sed -n 's/^go //p' go.mod).0"
	else
		echo "go$v"
	fi ;;
"env GOOS") "$FAKE_REAL_GO" env GOOS ;;
"env GOARCH") "$FAKE_REAL_GO" env GOARCH ;;
"mod download") exec "$FAKE_REAL_GO" "$@" ;; # --network only: a real download
version*) echo "go version go$v linux/amd64" ;;
*) echo "fake go $v: unexpected: $*" >&2; exit 2 ;;
esac
EOF
done
chmod +x "$fakes"/*

passed=0
failed=0
check() { # check NAME CONDITION-COMMAND...
	local name=$1
	shift
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
		echo "FAIL: $name" >&2
		echo "--- output:" >&2
		cat "$tmp/out" >&2
		echo "--- apt.log:" >&2
		cat "$tmp/apt.log" 2>/dev/null >&2 || true
	fi
}

# run_case INSTALLED-PACKAGES GO-VERSION|none [ARGS...]: a fresh state, then setup-deps.
run_case() {
	local installed=$1 go=$2
	shift 2
	rm -rf "$tmp/installed" "$tmp/apt.log" "$tmp/go.log" "$tmp/gobin" "$tmp/links" "$tmp/sdk"
	mkdir -p "$tmp/gobin" "$tmp/links"
	tr ' ' '\n' <<<"$installed" | sed '/^$/d' >"$tmp/installed"
	[ "$go" = none ] || ln -sf "$fakes/go-$go" "$tmp/gobin/go"
	status=0
	env PATH="$tmp/links:$tmp/gobin:$fakes:$base_path" FAKE_STATE="$tmp" FAKE_REAL_GO="$real_go" \
		FAKE_DEBIAN_GO="${FAKE_DEBIAN_GO:-1.22.12}" FAKE_UID="${FAKE_UID:-}" FAKE_APT_FAIL="${FAKE_APT_FAIL:-}" \
		GO_SDK_DIR="$tmp/sdk" GO_BIN_LINK_DIR="$tmp/links" GOMODCACHE="$tmp/modcache" \
		bash "$setup" "$@" >"$tmp/out" 2>&1 || status=$?
}
all="gcc libc6-dev pkg-config libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dev xvfb xauth chromium libgl1-mesa-dri"
apt_lines() { grep -c "^apt-get $1" "$tmp/apt.log" 2>/dev/null || true; }

# 1. Everything present: no apt-get at all, one summary line.
run_case "$all" 1.26.8
check "all present: exit 0" [ "$status" = 0 ]
check "all present: no apt-get" [ ! -s "$tmp/apt.log" ]
check "all present: one line" [ "$(wc -l <"$tmp/out")" = 1 ]
check "all present: says so" grep -q "all 14 packages present; go 1.26.8" "$tmp/out"

# 2. Two missing: one update, one install of exactly those two.
run_case "$(tr ' ' '\n' <<<"$all" | grep -vx -e xvfb -e libxi-dev | tr '\n' ' ')" 1.26.8
check "two missing: exit 0" [ "$status" = 0 ]
check "two missing: one update" [ "$(apt_lines update)" = 1 ]
check "two missing: installs just them" grep -qx "apt-get install -y -qq --no-install-recommends libxi-dev xvfb" "$tmp/apt.log"
check "two missing: summary" grep -q "installed 2 package(s): libxi-dev xvfb" "$tmp/out"

# 3. --peer adds the Python packages; --check installs nothing and fails.
run_case "$all" 1.26.8 --peer --check
check "peer check: exit 1" [ "$status" = 1 ]
check "peer check: no apt-get" [ ! -s "$tmp/apt.log" ]
check "peer check: lists them" grep -q "missing: python3 python3-torch python3-sklearn python3-pot" "$tmp/out"

# 4. Not root: apt-get goes through sudo.
FAKE_UID=1000 run_case "${all% libgl1-mesa-dri}" 1.26.8
check "sudo: exit 0" [ "$status" = 0 ]
check "sudo: used for update and install" [ "$(grep -c '^sudo apt-get' "$tmp/apt.log")" = 2 ]

# 5. apt-get failing is an error with its output shown.
FAKE_APT_FAIL=1 run_case "${all% libgl1-mesa-dri}" 1.26.8
check "apt fails: exit 1" [ "$status" = 1 ]
check "apt fails: shows apt's error" grep -q "Unable to locate package" "$tmp/out"

# 6. go >= 1.21 but older than go.mod: GOTOOLCHAIN=auto fetches the newer one.
run_case "$all" 1.22.12
check "go 1.22: exit 0" [ "$status" = 0 ]
check "go 1.22: asks GOTOOLCHAIN=auto" grep -q "GOTOOLCHAIN=auto fetches it" "$tmp/out"
check "go 1.22: reports the switched version" grep -q "go1.26.0 via GOTOOLCHAIN=auto" "$tmp/out"

# 7. No go: Debian's golang-go first (here a 1.22), then as in 6.
run_case "$all" none
check "no go: exit 0" [ "$status" = 0 ]
check "no go: installs golang-go" grep -q "install .*golang-go" "$tmp/apt.log"
check "no go: then GOTOOLCHAIN=auto" grep -q "go1.26.0 via GOTOOLCHAIN=auto" "$tmp/out"

# 8. --check with an old go fails without fetching anything.
run_case "$all" 1.22.12 --check
check "old go check: exit 1" [ "$status" = 1 ]
check "old go check: says why" grep -q "go 1.22.12 older than go.mod's 1.26" "$tmp/out"

# 9. go 1.19 (Debian bookworm's golang-go) knows no GOTOOLCHAIN: the toolchain module is
# fetched by hand and linked first on PATH. Needs the module proxy.
if $network && [ -n "$real_go" ]; then
	FAKE_DEBIAN_GO=1.19.8 run_case "$all" none
	check "go 1.19: exit 0" [ "$status" = 0 ]
	check "go 1.19: fetched the toolchain module" grep -q "fetching golang.org/toolchain@v0.0.1-go1.26.0" "$tmp/out"
	check "go 1.19: linked a working go 1.26.0" [ "$("$tmp/links/go" env GOVERSION)" = go1.26.0 ]
	check "go 1.19: summary" grep -q "go 1.26.0 (installed)" "$tmp/out"
fi

echo "setup-deps tests: $passed passed, $failed failed"
[ "$failed" = 0 ]

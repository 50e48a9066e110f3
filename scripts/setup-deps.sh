#!/usr/bin/env bash
# setup-deps.sh installs, only when missing, what building and testing flowviz needs.
#
#   scripts/setup-deps.sh          C toolchain, X11/GL headers, Xvfb, Mesa, Chromium; a Go new enough for go.mod
#   scripts/setup-deps.sh --peer   also python3-torch, python3-sklearn and python3-pot (only `make bench-peer` needs them)
#   scripts/setup-deps.sh --check  print what is missing, install nothing (exit 1 if something is)
#
# On Debian/Ubuntu it uses dpkg-query to find what is missing and apt-get (through sudo
# when not root) to install it, running `apt-get update` once and only when something is
# missing. Elsewhere it installs nothing and prints what it would need. When everything is
# present it prints one line and takes well under a second.
#
# Environment (mostly for scripts/test-setup-deps.sh):
#   GO_SDK_DIR       where a Go toolchain fetched for a pre-1.21 go is unpacked (default ~/sdk)
#   GO_BIN_LINK_DIR  where go and gofmt are linked then (default /usr/local/bin as root, else ~/.local/bin)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)

peer=false
check_only=false
for arg in "$@"; do
	case "$arg" in
	--peer) peer=true ;;
	--check) check_only=true ;;
	-h | --help)
		sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "setup-deps: unknown argument $arg (try --help)" >&2
		exit 2
		;;
	esac
done

say() { echo "setup-deps: $*"; }
die() {
	echo "setup-deps: $*" >&2
	exit 1
}

# Debian package names. ebiten v2.8.8 on Linux builds GLFW with cgo, which needs gcc, libc
# headers, pkg-config and the X11/GL headers below (ebiten's install page lists the same set;
# libasound2-dev is only for ebiten/audio, which flowviz does not use). The tests need Xvfb,
# xauth for xvfb-run, and Mesa's DRI drivers for software OpenGL under Xvfb. The web page's
# tests (cmd/flowviz/webtest) drive Debian's chromium, headless.
build_pkgs=(gcc libc6-dev pkg-config
	libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev libgl1-mesa-dev
	xvfb xauth chromium libgl1-mesa-dri)
# POT (python3-pot) is the peer's exact OT solver, ot.emd, as torchcfm's OT-CFM uses it.
peer_pkgs=(python3 python3-torch python3-sklearn python3-pot)

wanted=("${build_pkgs[@]}")
if $peer; then
	wanted+=("${peer_pkgs[@]}")
fi

have_apt() {
	[ "$(uname -s)" = Linux ] && command -v dpkg-query >/dev/null 2>&1 && command -v apt-get >/dev/null 2>&1
}

# missing_pkgs prints the packages of "$@" that dpkg does not report as installed.
missing_pkgs() {
	local installed
	# dpkg-query exits non-zero when it has never heard of a package; those are missing too.
	installed=$(dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' "$@" 2>/dev/null | awk '$1 == "ii" { print $2 }' || true)
	local p
	for p in "$@"; do
		grep -qx -- "$p" <<<"$installed" || echo "$p"
	done
}

as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null 2>&1; then
		sudo "$@"
	else
		die "need root to run: $* (no sudo found)"
	fi
}

apt_updated=false
# apt_install installs "$@" quietly; the full log is shown only when apt-get fails.
apt_install() {
	local log
	log=$(mktemp)
	export DEBIAN_FRONTEND=noninteractive
	if ! $apt_updated; then
		as_root apt-get update -qq >"$log" 2>&1 || {
			cat "$log" >&2
			rm -f "$log"
			die "apt-get update failed"
		}
		apt_updated=true
	fi
	as_root apt-get install -y -qq --no-install-recommends "$@" >"$log" 2>&1 </dev/null || {
		cat "$log" >&2
		rm -f "$log"
		die "apt-get install $* failed"
	}
	rm -f "$log"
}

# version_ge A B: is Go version A (1.26, 1.26.8, 1.27rc1) at least B?
version_ge() {
	[ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]
}

# go_version prints the version of the go on PATH (1.26.8), asked outside the module so
# that GOTOOLCHAIN does not switch toolchains while we ask.
go_version() {
	local v
	v=$(cd / && GOTOOLCHAIN=local go env GOVERSION 2>/dev/null) || v=$(cd / && go version | awk '{ print $3 }')
	echo "${v#go}"
}

# required_go prints the newest of go.mod's go and toolchain lines (1.26, 1.26.1).
required_go() {
	local go_line toolchain_line
	go_line=$(sed -n 's/^go \([0-9][0-9a-z.]*\).*/\1/p' "$repo/go.mod")
	toolchain_line=$(sed -n 's/^toolchain go\([0-9][0-9a-z.]*\).*/\1/p' "$repo/go.mod")
	[ -n "$go_line" ] || die "no go line in $repo/go.mod"
	if [ -n "$toolchain_line" ] && version_ge "$toolchain_line" "$go_line"; then
		echo "$toolchain_line"
	else
		echo "$go_line"
	fi
}

# release_of turns a language version (1.26) into the first release of it (1.26.0), which
# is the name the Go toolchain modules are published under; releases pass through.
release_of() {
	case "$1" in
	*.*.* | *rc* | *beta*) echo "$1" ;;
	*) echo "$1.0" ;;
	esac
}

# fetch_go_toolchain REL installs Go REL from the module proxy's golang.org/toolchain module
# using the (too old for GOTOOLCHAIN) go on PATH, then links go and gofmt onto PATH.
fetch_go_toolchain() {
	local rel=$1 goos goarch mod dir sdk links
	goos=$(cd / && go env GOOS)
	goarch=$(cd / && go env GOARCH)
	mod="golang.org/toolchain@v0.0.1-go$rel.$goos-$goarch"
	say "go $(go_version) predates GOTOOLCHAIN; fetching $mod through the module proxy"
	dir=$(cd "$(mktemp -d)" && GO111MODULE=on GOFLAGS=-mod=mod go mod download -json "$mod" |
		sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
	[ -n "$dir" ] && [ -f "$dir/bin/go" ] || die "could not download $mod"
	sdk="${GO_SDK_DIR:-$HOME/sdk}/go$rel"
	rm -rf "$sdk"
	mkdir -p "$(dirname "$sdk")"
	cp -R "$dir" "$sdk"
	chmod -R u+w "$sdk"
	# Module zips do not keep file modes: the go command makes these executable itself.
	chmod +x "$sdk"/bin/* "$sdk"/pkg/tool/*/*
	if [ "$(id -u)" = 0 ]; then links=${GO_BIN_LINK_DIR:-/usr/local/bin}; else links=${GO_BIN_LINK_DIR:-$HOME/.local/bin}; fi
	mkdir -p "$links"
	ln -sf "$sdk/bin/go" "$links/go"
	ln -sf "$sdk/bin/gofmt" "$links/gofmt"
	hash -r
	case ":$PATH:" in *":$links:"*) ;; *) say "add $links to PATH to use $sdk/bin/go" ;; esac
}

# ensure_go makes a go at least as new as go.mod asks for usable, and says how.
go_status=""
ensure_go() {
	local need have
	need=$(required_go)
	if ! command -v go >/dev/null 2>&1; then
		if $check_only || ! have_apt; then
			go_status="go missing (need >= $need)"
			return 1
		fi
		# Debian's golang-go may be older than go.mod; the steps below bring it up to date.
		say "no go on PATH; installing Debian's golang-go"
		apt_install golang-go
		hash -r
	fi
	have=$(go_version)
	if version_ge "$have" "$need"; then
		go_status="go $have"
		return 0
	fi
	if $check_only; then
		go_status="go $have older than go.mod's $need"
		return 1
	fi
	if ! version_ge "$have" 1.21; then
		# Before 1.21 the go command knows nothing of GOTOOLCHAIN, so fetch the toolchain
		# module by hand; from then on the go below is new enough.
		fetch_go_toolchain "$(release_of "$need")"
		have=$(go_version)
		version_ge "$have" "$need" || die "still go $have after installing go $(release_of "$need")"
		go_status="go $have (installed)"
		return 0
	fi
	# go >= 1.21: GOTOOLCHAIN=auto (the Makefile exports it) downloads the toolchain go.mod
	# names through the module proxy. Fetch it now so the download shows up here.
	say "go $have is older than go.mod's $need; GOTOOLCHAIN=auto fetches it via the module proxy"
	have=$(cd "$repo" && GOTOOLCHAIN=auto go env GOVERSION) || die "GOTOOLCHAIN=auto could not fetch go $need"
	go_status="${have} via GOTOOLCHAIN=auto (run 'go env -w GOTOOLCHAIN=auto' to use it outside make)"
}

main() {
	local missing=() status=0
	if have_apt; then
		mapfile -t missing < <(missing_pkgs "${wanted[@]}")
	elif [ "$(uname -s)" = Linux ]; then
		say "not a Debian/Ubuntu system: install by hand the equivalents of: ${wanted[*]}"
	else
		# macOS and Windows: ebiten needs no C headers there, and tests need no Xvfb.
		say "$(uname -s): nothing to install beyond Go $(required_go)+ (and Xcode command line tools on macOS)"
		$peer && say "for the peer benchmark: python3 with torch, scikit-learn and POT"
	fi

	if ((${#missing[@]} > 0)); then
		if $check_only; then
			say "missing: ${missing[*]}"
			status=1
		else
			apt_install "${missing[@]}"
			local still
			still=$(missing_pkgs "${missing[@]}")
			[ -z "$still" ] || die "still missing after apt-get install: $still"
		fi
	fi

	ensure_go || status=1

	if ((${#missing[@]} > 0)) && ! $check_only; then
		say "installed ${#missing[@]} package(s): ${missing[*]}; $go_status"
	elif ((status == 0)) && have_apt; then
		say "all ${#wanted[@]} packages present; $go_status"
	else
		say "$go_status"
	fi
	return "$status"
}

main

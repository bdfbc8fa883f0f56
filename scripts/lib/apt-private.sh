# shellcheck shell=bash
# A private apt configuration in the cache dir: its own sources lists,
# state and archives, so dom0kit reads Debian's signed indices (and apt
# checks every signature and checksum) without ever touching /etc/apt.

DEBIAN_MIRROR=${DOM0KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DOM0KIT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}
DEBIAN_KEYRING=${DOM0KIT_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# apt_root KIND (src or bin): sets APT_DIR and APT_OPTS for that root.
apt_root() {
	local kind=$1 type="deb-src [signed-by=$DEBIAN_KEYRING]" suite
	[ "$kind" = bin ] && type="deb [arch=amd64 signed-by=$DEBIAN_KEYRING]"
	APT_DIR=$DOM0KIT_CACHE/apt-$kind
	mkdir -p "$APT_DIR"/{lists/partial,archives/partial,etc}
	local want
	want=$(
		for suite in bookworm bookworm-updates bookworm-backports trixie trixie-updates sid; do
			echo "$type $DEBIAN_MIRROR $suite main"
		done
		for suite in bookworm-security trixie-security; do
			echo "$type $DEBIAN_SECURITY_MIRROR $suite main"
		done
	)
	# Written only when it changes: a dry run reads the cache and writes nothing.
	if [ "$(cat "$APT_DIR/etc/sources.list" 2>/dev/null)" != "$want" ]; then
		printf '%s\n' "$want" >"$APT_DIR/etc/sources.list.new"
		mv "$APT_DIR/etc/sources.list.new" "$APT_DIR/etc/sources.list"
		rm -f "$APT_DIR/lists/"*_* # a new mirror: old indices are stale
	fi
	# APT_CONFIG=/dev/null keeps /etc/apt/apt.conf.d out; root needs the
	# sandbox user off because _apt cannot write into root's cache.
	APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/etc/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State=$APT_DIR" -o "Dir::State::Lists=$APT_DIR/lists"
		-o Dir::State::status=/dev/null -o "Dir::Cache=$APT_DIR"
		-o APT::Architecture=amd64 -o Acquire::Languages=none
		-o Debug::NoLocking=1 -o Acquire::Retries=2)
	[ "$(id -u)" = 0 ] && APT_OPTS+=(-o APT::Sandbox::User=root)
	return 0
}

# apt_update_if_old: refreshes the indices when older than six hours.
apt_update_if_old() {
	local force=${1:-} stamp=$APT_DIR/updated log=$WORKDIR/logs/apt.log
	if [ -z "$force" ] && [ -f "$stamp" ] && [ -n "$(find "$stamp" -mmin -360)" ]; then
		return 0
	fi
	mkdir -p "$WORKDIR/logs"
	# apt-get update exits 0 when a suite fails to download; its
	# "Failed to fetch" line is the only sign, so it counts as failure.
	if ! apt_private apt-get update >"$log" 2>&1 || grep -qE '^(W|E): (Failed to fetch|Some index files failed)' "$log"; then
		die "$EXIT_FETCH" "cannot read Debian's indices from $DEBIAN_MIRROR (see $log)"
	fi
	touch "$stamp"
}

apt_private() { APT_CONFIG=/dev/null "$@" "${APT_OPTS[@]}"; }

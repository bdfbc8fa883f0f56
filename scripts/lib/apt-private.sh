# shellcheck shell=bash
# A private apt configuration in the cache dir: its own sources lists,
# state and archives, so dom0kit reads Debian's signed indices (and apt
# checks every signature and checksum) without ever touching /etc/apt.

DEBIAN_MIRROR=${DOM0KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
DEBIAN_SECURITY_MIRROR=${DOM0KIT_DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

# apt_site_settings: the site's apt settings that the private setup keeps,
# read through apt itself (the files under /etc/apt, or APT_CONFIG's):
# proxies (Acquire::http::Proxy, per-host entries, https, ftp,
# Proxy-Auto-Detect) become -o options in APT_SITE_OPTS, and the Debian
# mirror the sources list uses (a suite named like Debian's, and one
# ending in -security) replaces deb.debian.org unless
# DOM0KIT_DEBIAN_MIRROR / DOM0KIT_DEBIAN_SECURITY_MIRROR say otherwise.
APT_SITE_OPTS=()
apt_site_settings() {
	local key value uri suite fmt
	APT_SITE_OPTS=()
	while read -r key value; do
		case $key in
		Acquire::http::Proxy* | Acquire::https::Proxy* | Acquire::ftp::Proxy* | Acquire::socks::Proxy*)
			[ -n "$value" ] && APT_SITE_OPTS+=(-o "$key=$value") ;;
		esac
	done < <(apt-config dump --format '%f %v%n' 2>/dev/null)
	# shellcheck disable=SC2016 # apt's own format fields
	fmt='$(REPO_URI) $(RELEASE)'
	while read -r uri suite; do
		uri=${uri%/}
		case $suite in
		*-security) [ -n "${DOM0KIT_DEBIAN_SECURITY_MIRROR:-}" ] || DEBIAN_SECURITY_MIRROR=$uri ;;
		bullseye* | bookworm* | trixie* | forky* | duke* | sid | unstable | testing | stable | oldstable)
			[ -n "${DOM0KIT_DEBIAN_MIRROR:-}" ] || DEBIAN_MIRROR=$uri ;;
		esac
	done < <(apt-get indextargets --no-release-info --format "$fmt" 2>/dev/null | sort -u)
}
DEBIAN_KEYRING=${DOM0KIT_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}

# apt_root KIND (src or bin): sets APT_DIR and APT_OPTS for that root.
apt_root() {
	local kind=$1 type="deb-src [signed-by=$DEBIAN_KEYRING]" suite
	[ "$kind" = bin ] && type="deb [arch=amd64 signed-by=$DEBIAN_KEYRING]"
	APT_DIR=$DOM0KIT_CACHE/apt-$kind
	apt_site_settings
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
	# APT_CONFIG=/dev/null keeps /etc/apt/apt.conf.d out (but for the site's
	# proxy, in APT_SITE_OPTS); root needs the
	# sandbox user off because _apt cannot write into root's cache.
	APT_OPTS=(-o "Dir::Etc::SourceList=$APT_DIR/etc/sources.list"
		-o Dir::Etc::SourceParts=/dev/null -o Dir::Etc::Preferences=/dev/null
		-o Dir::Etc::PreferencesParts=/dev/null
		-o "Dir::State=$APT_DIR" -o "Dir::State::Lists=$APT_DIR/lists"
		-o Dir::State::status=/dev/null -o "Dir::Cache=$APT_DIR"
		-o APT::Architecture=amd64 -o Acquire::Languages=none
		-o Debug::NoLocking=1 -o Acquire::Retries=2 ${APT_SITE_OPTS[@]+"${APT_SITE_OPTS[@]}"})
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

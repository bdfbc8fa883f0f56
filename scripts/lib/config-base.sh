# shellcheck shell=bash
# Base configs: Debian's own (from linux-config-X.Y through the private
# apt setup), the running kernel's, the kernel's defconfig/allnoconfig,
# or a file.

running_config() { echo "${DOM0KIT_RUNNING_CONFIG:-/boot/config-$(uname -r)}"; }

# base_identity BASE: what the base is, for the configure stamp.
base_identity() {
	case $1 in
	distro) echo "distro $LINE" ;;
	running) echo "running $(sha256_of "$(running_config)" 2>/dev/null || echo missing)" ;;
	defconfig | allnoconfig) echo "$1" ;;
	*) echo "file $(sha256_of "$1" 2>/dev/null || echo missing)" ;;
	esac
}

# Debian's amd64 config for LINE, cached per package version; sets
# DEBIAN_CONFIG_VERSION to that version.
DEBIAN_CONFIG_VERSION=''
debian_config() {
	local pkg=linux-config-$LINE version cached tmp
	apt_root bin
	apt_update_if_old
	version=$(apt_private apt-cache policy "$pkg" 2>/dev/null | awk '/Candidate:/ {print $2}')
	if [ -z "$version" ] || [ "$version" = "(none)" ]; then
		echo "dom0kit: Debian has no $pkg package for the distro base of line $LINE" >&2
		return "$EXIT_USAGE"
	fi
	DEBIAN_CONFIG_VERSION=$version
	cached=$DOM0KIT_CACHE/configs/debian-$LINE-$version.config
	if [ ! -s "$cached" ]; then
		mkdir -p "$DOM0KIT_CACHE/configs"
		tmp=$(mktemp -d "$DOM0KIT_CACHE/configs/.dl.XXXXXX")
		if ! (cd "$tmp" && apt_private apt-get download -q "$pkg=$version") >>"$WORKDIR/logs/configure.log" 2>&1; then
			rm -rf "$tmp"
			echo "dom0kit: cannot download $pkg $version from Debian's mirror" >&2
			return "$EXIT_FETCH"
		fi
		if ! dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -xO --wildcards './usr/src/*/config.amd64_none_amd64.xz' | xz -dc >"$tmp/config" ||
			! grep -q '^CONFIG_' "$tmp/config"; then
			rm -rf "$tmp"
			echo "dom0kit: $pkg $version has no config.amd64_none_amd64.xz" >&2
			return "$EXIT_FAIL"
		fi
		mv -f "$tmp/config" "$cached"
		rm -rf "$tmp"
	fi
	cat "$cached"
}

# base_config BASE: the base config on stdout.
base_config() {
	local base=$1 tmp
	case $base in
	distro) debian_config ;;
	running)
		[ -f "$(running_config)" ] || { echo "dom0kit: no running kernel config at $(running_config)" >&2; return "$EXIT_USAGE"; }
		cat "$(running_config)"
		;;
	defconfig | allnoconfig)
		tmp=.config.dom0kit-$base
		run_logged configure kmake KCONFIG_CONFIG="$tmp" "$base" >&2 || return "$EXIT_FAIL"
		cat "$OBJDIR/$tmp"
		rm -f "$OBJDIR/$tmp" "$OBJDIR/$tmp.old"
		;;
	*)
		[ -f "$base" ] || { echo "dom0kit: base config not found: $base" >&2; return "$EXIT_USAGE"; }
		grep -q '^CONFIG_' "$base" || { echo "dom0kit: not a kernel config: $base" >&2; return "$EXIT_USAGE"; }
		cat "$base"
		;;
	esac
}

# base_words BASE: what the base is, for the configure stage's progress:
# Debian's config by its package version, and the release it was made for
# when that is not the one being built (olddefconfig fills the gap).
base_words() {
	local made
	case $1 in
	distro)
		made=${DEBIAN_CONFIG_VERSION%%-*}
		printf "Debian's linux-config-%s %s%s\n" "$LINE" "$DEBIAN_CONFIG_VERSION" \
			"$([ "$made" = "$RELEASE" ] || echo ", made for $made, not $RELEASE")"
		;;
	running) echo "the running kernel's config $(running_config)" ;;
	defconfig | allnoconfig) echo "the kernel's $1" ;;
	*) echo "your file $1" ;;
	esac
}

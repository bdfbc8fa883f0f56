# shellcheck shell=bash
# Debian 12 chroots for the install tests, made by debootstrap once and
# cached as a tarball (like piuparts' base tgz); downloaded .deb files are
# kept in the cache too, so later runs install without the network.
# Every command runs in a private mount namespace: /proc, /sys and /dev
# are mounted only there and vanish with it, so removing a chroot can
# never reach the host's /dev.

CHROOT_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/dom0kit/chroot
CHROOT_SUITE=bookworm
CHROOT_MIRROR=${DOM0KIT_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# What both install tests need besides the package under test: Xen, the
# kernel hook tools, GRUB's config generator and a compiler for DKMS.
CHROOT_PACKAGES="xen-hypervisor-4.17-amd64 linux-base kmod grub-common dkms gcc make libc6-dev cpio zstd"
CHROOT_BASE=$CHROOT_CACHE/$CHROOT_SUITE-dom0kit-base.tar
export CHROOT_CACHE CHROOT_BASE

# in_chroot ROOT CMD...: CMD inside ROOT with /proc, /sys, /dev and the
# shared apt archive cache mounted in a private namespace.
in_chroot() {
	local root=$1
	shift
	mkdir -p "$CHROOT_CACHE/archives/partial"
	unshare --mount --propagation private -- /bin/sh -c '
		root=$1 cache=$2; shift 2
		mount -t proc proc "$root/proc" &&
		mount -t sysfs sys "$root/sys" &&
		mount --rbind /dev "$root/dev" &&
		mount --bind "$cache" "$root/var/cache/apt/archives" &&
		exec chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			DEBIAN_FRONTEND=noninteractive LC_ALL=C.UTF-8 HOME=/root "$@"' \
		sh "$root" "$CHROOT_CACHE/archives" "$@"
}

# chroot_base: the cached base tarball, made when missing.
chroot_base() {
	[ -s "$CHROOT_BASE" ] && return 0
	local tmp
	mkdir -p "$CHROOT_CACHE"
	tmp=$(mktemp -d "$CHROOT_CACHE/.base.XXXXXX")
	debootstrap --variant=minbase "$CHROOT_SUITE" "$tmp/root" "$CHROOT_MIRROR" >"$tmp/debootstrap.log" 2>&1 ||
		{ tail -n 20 "$tmp/debootstrap.log"; rm -rf "$tmp"; return 1; }
	cat >"$tmp/root/etc/apt/sources.list" <<-EOF
	deb $CHROOT_MIRROR $CHROOT_SUITE main
	deb $CHROOT_MIRROR $CHROOT_SUITE-updates main
	deb http://deb.debian.org/debian-security $CHROOT_SUITE-security main
	EOF
	# No daemons start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$tmp/root/usr/sbin/policy-rc.d"
	chmod 755 "$tmp/root/usr/sbin/policy-rc.d"
	# shellcheck disable=SC2086
	if ! in_chroot "$tmp/root" apt-get update -q >"$tmp/apt.log" 2>&1 ||
		! in_chroot "$tmp/root" apt-get install -y -q --no-install-recommends $CHROOT_PACKAGES >>"$tmp/apt.log" 2>&1; then
		tail -n 20 "$tmp/apt.log"
		rm -rf "$tmp"
		return 1
	fi
	tar -C "$tmp/root" -cf "$tmp/base.tar" . && mv "$tmp/base.tar" "$CHROOT_BASE"
	rm -rf "$tmp"
}

# chroot_new ROOT: a fresh chroot from the base tarball.
chroot_new() {
	chroot_base || return 1
	rm -rf "$1" && mkdir -p "$1" && tar -C "$1" -xf "$CHROOT_BASE"
}

# chroot_files ROOT: every file and symlink a package could leave behind,
# for the before/after comparison (as piuparts does); state that belongs to
# apt, dpkg, logs and caches is left out.
chroot_files() {
	(cd "$1" && find . -xdev \( -path ./proc -o -path ./sys -o -path ./dev -o -path ./run -o -path ./tmp \
		-o -path ./var/cache -o -path ./var/lib/apt -o -path ./var/lib/dpkg -o -path ./var/log \) -prune \
		-o \( -type f -o -type l \) -print | LC_ALL=C sort)
}

# sbuild_tarball: a buildd-variant Debian 12 tarball for sbuild's unshare
# backend (what Debian's buildds start from), made by mmdebstrap once and
# cached; prints its path.
SBUILD_TARBALL=${XDG_CACHE_HOME:-$HOME/.cache}/dom0kit/sbuild/$CHROOT_SUITE-amd64.tar
sbuild_tarball() {
	local dir=${SBUILD_TARBALL%/*}
	if [ ! -s "$SBUILD_TARBALL" ]; then
		mkdir -p "$dir"
		mmdebstrap --variant=buildd --format=tar "$CHROOT_SUITE" "$dir/.new.tar" "$CHROOT_MIRROR" >"$dir/mmdebstrap.log" 2>&1 ||
			{ tail -n 20 "$dir/mmdebstrap.log"; rm -f "$dir/.new.tar"; return 1; }
		mv "$dir/.new.tar" "$SBUILD_TARBALL"
	fi
	echo "$SBUILD_TARBALL"
}

# sbuild_subids: the unshare backend maps the build's users into the
# calling user's subordinate ids; root has none on a fresh install.
sbuild_subids() {
	local me
	me=$(id -un)
	grep -q "^$me:" /etc/subuid 2>/dev/null && grep -q "^$me:" /etc/subgid 2>/dev/null && return 0
	[ "$(id -u)" = 0 ] || { echo "no subordinate ids for $me in /etc/subuid and /etc/subgid (sbuild --chroot-mode=unshare needs them)" >&2; return 1; }
	usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "$me"
}

# shellcheck shell=bash
# boot-test's Xen: which hypervisor boots and whose tools the dom0
# initramfs gets.
#   --xen=4.17  the host's installed Xen 4.17 (Debian 12): hypervisor and
#               tools from the host; also the default, with whatever Xen
#               the host has installed.
#   --xen=4.20  Debian trixie's Xen 4.20 and its tools, with trixie's
#               libraries: taken from the trixie base tar that
#               system-test makes with mmdebstrap (cached; made now if
#               missing), nothing is installed on the host.
#   --xen=PATH  that hypervisor (xen-*.gz or a Xen ELF) with the host's
#               tools.

# shellcheck source=scripts/lib/apt-private.sh
. "$LIB/apt-private.sh"
# shellcheck source=scripts/lib/system-image.sh
. "$LIB/system-image.sh"

BOOT_XEN_VERSIONS="4.17 4.20"
# BOOT_XEN_VERSION: the X.Y that xl info must report ('' when unknown:
# --xen=PATH); XEN_TOOLROOT: the root the tools and their libraries come
# from ('' for the host).
BOOT_XEN_VERSION='' XEN_TOOLROOT=''

# xen_arg VALUE: --xen=VALUE; a version must be one we know.
xen_arg() {
	BOOT_XEN=$1
	if [[ $BOOT_XEN =~ ^[0-9]+\.[0-9]+$ ]]; then
		word_in "$BOOT_XEN_VERSIONS" "$BOOT_XEN" ||
			die "$EXIT_USAGE" "unknown Xen version for boot-test: $BOOT_XEN (4.17: the host's installed Xen; 4.20: Debian trixie's, with its tools; or --xen=PATH)"
		BOOT_XEN_VERSION=$BOOT_XEN
	fi
}

# host_xen VERSION: the host's Xen hypervisor of VERSION (a glob: newest).
host_xen() {
	local f
	for f in /usr/lib/xen-$1/boot/xen-$1-amd64.gz /boot/xen-$1-amd64.gz; do
		[ -f "$f" ] && echo "$f"
	done | sort -V | tail -n 1
}

# xen_trixie_root: XEN_TOOLROOT, BOOTDIR/xen-4.20-root: the hypervisor,
# Xen's tools, kmod and the libraries from the trixie base tar,
# unpacked once per tar.
xen_trixie_root() {
	local root=$BOOTDIR/xen-4.20-root
	# SYSTEM_FIRMWARE: the BIOS base, for a system-image.sh that also knows UEFI.
	# shellcheck disable=SC2034
	SYSTEM_SUITE=trixie SYSTEM_INITRAMFS=initramfs-tools SYSTEM_FIRMWARE=bios
	system_base_path
	if [ ! -s "$SYSTEM_BASE" ]; then
		command -v mmdebstrap >/dev/null ||
			die "$EXIT_DEPS" "--xen=4.20 takes Xen from a Debian trixie base made by mmdebstrap, and none is cached: apt-get install mmdebstrap"
		info "    --xen=4.20: no trixie base in $DOM0KIT_CACHE/system yet, making it"
		SYSTEM_BASE_LOG=$WORKDIR/logs/boot/mmdebstrap.log system_base
	fi
	if [ "$(cat "$root/.from" 2>/dev/null)" != "${SYSTEM_BASE##*/}" ]; then
		rm -rf "$root" "$root.tmp"
		mkdir -p "$root.tmp"
		tar -xf "$SYSTEM_BASE" -C "$root.tmp" ./bin ./lib ./lib64 ./sbin ./usr/lib64 \
			./boot/xen-4.20-amd64.gz ./usr/lib/xen-4.20 ./usr/bin/kmod \
			--wildcards './usr/lib/x86_64-linux-gnu/*.so*' 2>"$WORKDIR/logs/boot/xen-4.20-root.log" ||
			die "$EXIT_FAIL" "cannot unpack Xen 4.20 from $SYSTEM_BASE (see $WORKDIR/logs/boot/xen-4.20-root.log)"
		echo "${SYSTEM_BASE##*/}" >"$root.tmp/.from"
		mv "$root.tmp" "$root"
	fi
	XEN_TOOLROOT=$root
}

# find_xen: an uncompressed Xen ELF for QEMU's multiboot loader.
# shellcheck disable=SC2034 # XEN_SOURCE: read by dom0_boot
find_xen() {
	local src
	case $BOOT_XEN in
	4.20)
		xen_trixie_root
		src=$XEN_TOOLROOT/boot/xen-4.20-amd64.gz
		;;
	4.17)
		src=$(host_xen 4.17)
		[ -n "$src" ] || die "$EXIT_DEPS" "--xen=4.17 takes the host's Xen 4.17 and none is installed: apt-get install xen-system-amd64 (Debian 12), or use --xen=4.20"
		;;
	'')
		src=$(host_xen '*')
		[ -n "$src" ] || die "$EXIT_DEPS" "no Xen hypervisor found: apt-get install xen-hypervisor-4.17-amd64, or pass --xen=4.20 or --xen=PATH"
		[[ ${src##*/} =~ ^xen-([0-9]+\.[0-9]+)-amd64\.gz$ ]] && BOOT_XEN_VERSION=${BASH_REMATCH[1]}
		;;
	*) src=$BOOT_XEN ;;
	esac
	[ -f "$src" ] || die "$EXIT_USAGE" "no Xen hypervisor at $src"
	case $src in
	*.gz) gzip -dc "$src" >"$BOOTDIR/xen.elf.tmp" || die "$EXIT_USAGE" "cannot decompress $src" ;;
	*) cp "$src" "$BOOTDIR/xen.elf.tmp" ;;
	esac
	head -c 4 "$BOOTDIR/xen.elf.tmp" | grep -q 'ELF' || die "$EXIT_USAGE" "$src is not a Xen ELF image"
	mv -f "$BOOTDIR/xen.elf.tmp" "$BOOTDIR/xen.elf"
	XEN_SOURCE=$src
	[ -z "$XEN_TOOLROOT" ] || XEN_SOURCE="Debian trixie's Xen 4.20, tools too, from ${SYSTEM_BASE##*/}"
}

# xen_tool NAME: Xen's tool NAME: from XEN_TOOLROOT, or the host's
# xen-utils of the version booted (any installed one for --xen=PATH).
xen_tool() {
	local t=$1 f v=${BOOT_XEN_VERSION:-*}
	for f in "$XEN_TOOLROOT"/usr/lib/xen-$v/bin/"$t" "$XEN_TOOLROOT"/usr/sbin/"$t" "$XEN_TOOLROOT"/usr/bin/"$t"; do
		[ -f "$f" ] && ! head -c 2 "$f" | grep -q '#!' && { echo "$f"; return 0; }
	done
	[ -z "$XEN_TOOLROOT" ] || die "$EXIT_FAIL" "Xen tool $t not found in $XEN_TOOLROOT (from ${SYSTEM_BASE##*/})"
	die "$EXIT_DEPS" "Xen tool $t not found: apt-get install xen-utils-${BOOT_XEN_VERSION:-4.17} (or the xen-utils of your release)"
}

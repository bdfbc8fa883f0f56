# shellcheck shell=bash
# package: Debian packages of the compiled kernel into OUTDIR. The debian
# packager (default) uses packaging/debian/ and also makes the source
# package; bindeb is the kernel's own bindeb-pkg, kept as a fallback.

# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"
# shellcheck source=scripts/lib/package_debian.sh
. "$LIB/package_debian.sh"

help_package() {
	cat <<'H'
Usage: dom0kit package [--kernel SPEC] [--revision N] [--abi N] [--outdir DIR]
                       [--packager debian|bindeb] [--distro debian|ubuntu]
                       [--suite NAME] [--maintainer 'NAME <EMAIL>']
                       [--no-source-package] [--no-dbg]
RELEASE is the kernel's name: X.Y.Z[-ABI]FLAVOUR, e.g. 6.12.107-dom0
  (distro profile), 6.12.107-qemu-dom0 (qemu), 6.12.107-2-dom0 (--abi 2).
  A package of the same name already in OUTDIR with another module ABI
  (its Module.symvers or config differ) is refused, exit 2: that build
  needs --abi N+1, its own name beside the old kernel.
debian (default): linux-image-RELEASE, linux-headers-RELEASE,
  linux-image-RELEASE-dbg (not with --no-dbg), the metapackages
  linux-imageFLAVOUR and linux-headersFLAVOUR (linux-image-dom0,
  linux-image-qemu-dom0), dom0-initramfs, xen-passthrough
  (the tool from tools/xen-passthrough), and the source package
  linux-dom0 (.dsc, orig and debian tarballs); version
  X.Y.Z-<N>dom0~<distro suffix>, e.g. 6.12.107-1dom0~deb12; the suite
  defaults to this machine's.
bindeb: make bindeb-pkg; version X.Y.Z-<N>dom0.
Reads:  WORKDIR/build/linux-RELEASE-PROFILE (compiled), packaging/,
        tools/xen-passthrough/
Writes: OUTDIR/*.deb (+ .dsc, .orig.tar.*, .debian.tar.xz, .changes, .buildinfo)
H
}

package_version() { echo "$RELEASE-$(bindeb_revision)"; }

# A kernel's module ABI is its Module.symvers and its config's settings
# (config_settings FILE: the config without its comments); abi_check and
# the preinst's guard (abi_digest) both read it so.
config_settings() { grep -v '^#' "$1"; }
abi_digest() {
	if [ -f "$OBJDIR/Module.symvers" ]; then
		{ cat "$OBJDIR/Module.symvers"; config_settings "$OBJDIR/.config"; } | sha256_of - | cut -c1-16
	else
		echo unknown
	fi
}

# abi_check VERSION: a kernel of this name already packaged in OUTDIR
# must have the module ABI of the one about to be packaged (Module.symvers
# and the config's settings, as its linux-headers package records them in
# include/config/auto.conf: bindeb-pkg's headers have no .config). Installed
# over the old one, a kernel of another ABI would replace the modules of
# a kernel that may be running, under the same name (symbol CRC errors
# until the next boot, DKMS modules of the old build kept): it needs its
# own name, as Debian's abiname gives it. And the metapackage of VERSION
# already there must point at this kernel: a new ABI is a new version.
abi_check() {
	local version=$1 deb tmp h=./usr/src/linux-headers-$KERNELRELEASE what dep
	local fix rev
	[ -f "$OBJDIR/Module.symvers" ] || return 0
	for deb in "$OUTDIR/linux-headers-${KERNELRELEASE}"_*_amd64.deb; do
		[ -f "$deb" ] || continue
		# The old package's revision: the new ABI's version must be above it.
		rev=${deb##*_"$RELEASE"-}
		rev=${rev%%dom0*}
		[[ $rev =~ ^[0-9]+$ ]] || rev=$OPT_REVISION
		fix="build with --abi $((OPT_ABI + 1))"
		[ "$OPT_REVISION" -gt "$rev" ] || fix+=" --revision $((rev + 1))"
		fix+=", or move the old packages out of $OUTDIR"
		tmp=$(mktemp -d)
		what=''
		if ! dpkg-deb --fsys-tarfile "$deb" | tar -xf - -C "$tmp" "$h/Module.symvers" "$h/include/config/auto.conf" 2>/dev/null; then
			what='no Module.symvers or config in it'
		elif ! cmp -s "$tmp/$h/Module.symvers" "$OBJDIR/Module.symvers"; then
			what='Module.symvers differs'
		elif ! cmp -s <(config_settings "$tmp/$h/include/config/auto.conf") <(config_settings "$OBJDIR/include/config/auto.conf"); then
			what='config differs'
		fi
		rm -rf "$tmp"
		[ -z "$what" ] || die "$EXIT_USAGE" "$OUTDIR holds ${deb##*/} of another module ABI ($what): a kernel of another ABI needs its own name: $fix"
	done
	deb=$OUTDIR/linux-image${FLAVOUR}_${version}_amd64.deb
	[ -f "$deb" ] || return 0
	dep=$(dpkg-deb -f "$deb" Depends | grep -o 'linux-image-[^ ,]*' | head -n 1)
	[ "$dep" = "linux-image-$KERNELRELEASE" ] ||
		die "$EXIT_USAGE" "$OUTDIR holds ${deb##*/} for another kernel ($dep): the metapackage of a new ABI needs a new version: add --revision $((OPT_REVISION + 1))"
}

# publish_files FILE...: into OUTDIR through a temp dir on the same file
# system, then renamed, so OUTDIR never holds half a package.
publish_files() {
	local tmp f
	mkdir -p "$OUTDIR"
	tmp=$(mktemp -d "$OUTDIR/.incoming.XXXXXX")
	cp "$@" "$tmp/" || { rm -rf "$tmp"; die "$EXIT_FAIL" "cannot copy packages into $OUTDIR (disk full?)"; }
	for f in "$tmp"/*; do mv -f "$f" "$OUTDIR/"; done
	rm -rf "$tmp"
}

cmd_package() {
	ensure_deps package
	[ -f "$OBJDIR/arch/x86/boot/bzImage" ] || [ -n "$OPT_DRY_RUN" ] ||
		die "$EXIT_USAGE" "no compiled kernel for $RELEASE: run dom0kit compile --kernel $RELEASE first"
	case $OPT_PACKAGER in
	debian) package_debian ;;
	bindeb) package_bindeb ;;
	*) die "$EXIT_USAGE" "unknown packager: $OPT_PACKAGER (debian, bindeb)" ;;
	esac
}

package_bindeb() {
	local inputs version debs
	version=$(package_version)
	# The same order as the debian packager's inputs, so that a dry run
	# after the other packager names what differs: the version.
	inputs="compile $(stamp_digest "compile@$OPT_PROFILE") version $version outdir $OUTDIR packager bindeb"
	stage_enter package "package@$OPT_PROFILE" "$inputs" "$OUTDIR/linux-image-${KERNELRELEASE}_${version}_amd64.deb" || return 0
	abi_check "$version"
	planned package "make bindeb-pkg KDEB_PKGVERSION=$version into $OUTDIR" && return 0
	# bindeb-pkg writes its .deb files next to the object tree; a private
	# parent dir keeps them apart from other releases' packages.
	local debdir=$OBJDIR/..
	rm -f "$debdir"/*_"$version"_*.deb "$debdir"/*_"$version"_*.buildinfo "$debdir"/*_"$version"_*.changes
	run_logged package kmake bindeb-pkg KDEB_PKGVERSION="$version" KDEB_COMPRESS=xz ||
		die "$EXIT_FAIL" "$(why_failed package "packaging failed (log: $WORKDIR/logs/package.log)")"
	debs=("$debdir"/*_"$version"_*.deb)
	[ ${#debs[@]} -gt 0 ] || die "$EXIT_FAIL" "bindeb-pkg produced no .deb for $version"
	publish_files "${debs[@]}"
	info "    $(for d in "${debs[@]}"; do basename "$d"; done | tr '\n' ' ')"
	stamp_write "package@$OPT_PROFILE" "$inputs"
	stage_end package
}

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
Usage: dom0kit package [--kernel SPEC] [--revision N] [--outdir DIR]
                       [--packager debian|bindeb] [--distro debian|ubuntu]
                       [--suite NAME] [--maintainer 'NAME <EMAIL>']
                       [--no-source-package] [--no-dbg]
debian (default): linux-image-RELEASE, linux-headers-RELEASE,
  linux-image-RELEASE-dbg (not with --no-dbg), the metapackages
  linux-image-dom0 and linux-headers-dom0, dom0-initramfs, xen-passthrough
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

package_version() { echo "$RELEASE-${OPT_REVISION}dom0"; }

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

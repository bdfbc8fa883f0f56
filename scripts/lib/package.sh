# shellcheck shell=bash
# package: Debian packages of the compiled kernel into OUTDIR. For now
# the kernel's own bindeb-pkg (linux-image, linux-headers, linux-libc-dev).

# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"

help_package() {
	cat <<'H'
Usage: dom0kit package [--kernel SPEC] [--revision N] [--outdir DIR]
Runs make bindeb-pkg on the compiled tree; the version is X.Y.Z-<N>dom0.
Reads:  WORKDIR/build/linux-RELEASE-PROFILE (compiled)
Writes: OUTDIR/linux-image-*.deb, linux-headers-*.deb, linux-libc-dev*.deb
H
}

package_version() { echo "$RELEASE-${OPT_REVISION}dom0"; }

cmd_package() {
	ensure_deps package
	planned package "make bindeb-pkg KDEB_PKGVERSION=$(package_version) into $OUTDIR" && return 0
	[ -f "$OBJDIR/arch/x86/boot/bzImage" ] || die "$EXIT_USAGE" "no compiled kernel for $RELEASE: run dom0kit compile --kernel $RELEASE first"
	local inputs version debs
	version=$(package_version)
	inputs="compile $(stamp_digest "compile@$OPT_PROFILE") version $version outdir $OUTDIR"
	if stamp_current "package@$OPT_PROFILE" "$inputs" && [ -f "$OUTDIR/linux-image-${KERNELRELEASE}_${version}_amd64.deb" ]; then
		stage_skip package
		return 0
	fi
	stage_begin package
	stamp_clear "package@$OPT_PROFILE"
	: >"$WORKDIR/logs/package.log"
	# bindeb-pkg writes its .deb files next to the object tree; a private
	# parent dir keeps them apart from other releases' packages.
	local debdir=$OBJDIR/..
	rm -f "$debdir"/*_"$version"_*.deb "$debdir"/*_"$version"_*.buildinfo "$debdir"/*_"$version"_*.changes
	run_logged package kmake bindeb-pkg KDEB_PKGVERSION="$version" KDEB_COMPRESS=xz ||
		die "$EXIT_FAIL" "$(why_failed package "packaging failed (log: $WORKDIR/logs/package.log)")"
	debs=("$debdir"/*_"$version"_*.deb)
	[ ${#debs[@]} -gt 0 ] || die "$EXIT_FAIL" "bindeb-pkg produced no .deb for $version"
	# Copy into a temp dir on the out dir's file system, then rename, so
	# out/ never holds half a package.
	mkdir -p "$OUTDIR"
	local tmp d
	tmp=$(mktemp -d "$OUTDIR/.incoming.XXXXXX")
	cp "${debs[@]}" "$tmp/" || { rm -rf "$tmp"; die "$EXIT_FAIL" "cannot copy packages into $OUTDIR (disk full?)"; }
	for d in "$tmp"/*.deb; do mv -f "$d" "$OUTDIR/"; done
	rm -rf "$tmp"
	info "    $(for d in "${debs[@]}"; do basename "$d"; done | tr '\n' ' ')"
	stamp_write "package@$OPT_PROFILE" "$inputs"
	stage_end package
}

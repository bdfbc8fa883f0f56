# shellcheck shell=bash
# The debian packager: packaging/debian/ templates made into a debian/
# directory for this release and profile, the binary packages built with
# dpkg-buildpackage against the compiled tree, and the source package
# linux-dom0 (orig tarball + debian tarball + .dsc) made by dpkg-source.

# shellcheck source=scripts/lib/configure.sh
. "$LIB/configure.sh"

PACKAGING=$DOM0KIT_TOP/packaging
# The xen-passthrough package is built from dom0kit's own tool, carried in
# the debian tarball as debian/tools/xen-passthrough (as the initramfs
# scripts are): it is dom0kit's, not the upstream kernel's, and a change
# to it is a new Debian revision, like a change to the series.
XP_TOOL=$DOM0KIT_TOP/tools/xen-passthrough

# set_distro_suffix DISTRO SUITE: PKG_SUFFIX, the version suffix that
# keeps packages built for older releases sorting below those for newer.
set_distro_suffix() {
	case $1/$2 in
	debian/bullseye) PKG_SUFFIX='~deb11' ;;
	debian/bookworm) PKG_SUFFIX='~deb12' ;;
	debian/trixie) PKG_SUFFIX='~deb13' ;;
	debian/forky) PKG_SUFFIX='~deb14' ;;
	debian/sid | debian/unstable) PKG_SUFFIX='' ;;
	ubuntu/jammy) PKG_SUFFIX='~ubuntu22.04' ;;
	ubuntu/noble) PKG_SUFFIX='~ubuntu24.04' ;;
	ubuntu/resolute) PKG_SUFFIX='~ubuntu26.04' ;;
	*) die "$EXIT_USAGE" "unknown suite for $1: $2 (debian: bullseye, bookworm, trixie, forky, sid; ubuntu: jammy, noble, resolute)" ;;
	esac
}

# set_host_suite DISTRO: PKG_SUITE, this machine's codename when it runs
# DISTRO.
set_host_suite() {
	local id='' codename=''
	if [ -r /etc/os-release ]; then
		# shellcheck source=/dev/null
		id=$(. /etc/os-release && echo "${ID:-}") codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
	fi
	if [ "$id" != "$1" ] || [ -z "$codename" ]; then
		die "$EXIT_USAGE" "--distro $1 needs --suite (this machine runs ${id:-an unknown system})"
	fi
	PKG_SUITE=$codename
}

debian_version() { echo "$RELEASE-${OPT_REVISION}dom0$PKG_SUFFIX"; }

# release_epoch: the upstream release's date (the pristine Makefile's
# mtime), the one timestamp of every package: the changelog entry, the
# files in the .deb and the kernel's build timestamp agree on it.
release_epoch() { stat -c %Y "$SRCDIR/Makefile"; }

# xp_files: what of the tool the package builds from (no tests, no build
# output), relative to XP_TOOL, one per line.
xp_files() {
	(cd "$XP_TOOL" && printf '%s\n' Makefile README.md xen-passthrough.8 && find src -type f -name '*.[ch]' | LC_ALL=C sort)
}

packaging_digest() {
	{
		(cd "$PACKAGING" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
		xp_files | (cd "$XP_TOOL" && xargs sha256sum)
	} | sha256_of -
}

# expand TEMPLATE: @VAR@ placeholders filled in.
expand() {
	sed -e "s|@KREL@|$KERNELRELEASE|g" -e "s|@RELEASE@|$RELEASE|g" \
		-e "s|@LOCALVERSION@|$OPT_LOCALVERSION|g" -e "s|@FLAVOUR@|$FLAVOUR|g" -e "s|@PROFILE@|$OPT_PROFILE|g" \
		-e "s|@MAINTAINER@|$PKG_MAINTAINER|g" -e "s|@INITRD@|$PKG_INITRD|g" -e "s|@ABI@|$PKG_ABI|g" \
		-e "s|@YEAR@|$(date -u -d "@$(release_epoch)" +%Y)|g" "$1"
}

# write_changelog FILE
write_changelog() {
	local n
	n=$(grep -vc '^#' "$STATEDIR/patches/series" 2>/dev/null || true)
	{
		printf 'linux-dom0 (%s) %s; urgency=medium\n\n' "$(debian_version)" "$PKG_SUITE"
		printf '  * Linux %s with the dom0kit series (%s patches), profile %s.\n' "$RELEASE" "${n:-0}" "$OPT_PROFILE"
		printf '\n -- %s  %s\n' "$PKG_MAINTAINER" "$(LC_ALL=C date -u -R -d "@$(release_epoch)")"
	} >"$1"
}

# assemble_debian DIR WITH_PATCHES: a complete debian/ directory in DIR.
# The binary build runs against the already patched tree, so it leaves
# the series out (dpkg-source would apply it again).
assemble_debian() {
	local d=$1 with_patches=$2 t f
	mkdir -p "$d/source" "$d/config" "$d/initramfs"
	expand "$PACKAGING/debian/control.in" >"$d/control"
	expand "$PACKAGING/debian/copyright.in" >"$d/copyright"
	expand "$PACKAGING/debian/rules" >"$d/rules"
	cp "$PACKAGING/debian/source/format" "$PACKAGING/debian/source/lintian-overrides" "$d/source/"
	cp "$PACKAGING/debian/check-config" "$PACKAGING/debian/install-headers" "$PACKAGING/debian/module-signing-key" "$PACKAGING/debian/install-dbg" "$d/"
	chmod 755 "$d/rules" "$d/check-config" "$d/install-headers" "$d/module-signing-key" "$d/install-dbg"
	for t in preinst postinst prerm postrm; do
		expand "$PACKAGING/debian/linux-image.$t.in" >"$d/linux-image-$KERNELRELEASE.$t"
	done
	expand "$PACKAGING/debian/linux-headers.postinst.in" >"$d/linux-headers-$KERNELRELEASE.postinst"
	for f in "$PACKAGING"/debian/*.lintian-overrides.in; do
		t=$(basename "$f" .lintian-overrides.in)
		[ "$t" = linux-image ] && t=linux-image-$KERNELRELEASE
		expand "$f" >"$d/$t.lintian-overrides"
	done
	cp "$PACKAGING"/debian/dom0-initramfs.* "$d/"
	cp -r "$PACKAGING/initramfs/." "$d/initramfs/"
	mkdir -p "$d/tools/xen-passthrough"
	xp_files | (cd "$XP_TOOL" && xargs cp --parents -t "$d/tools/xen-passthrough/")
	write_changelog "$d/changelog"
	cp "$OBJDIR/.config" "$d/config/config"
	requested_symbols "${PROFILE_FRAGMENTS[@]}" |
		awk '$2 == "n" { print "# " $1 " is not set"; next } { print $1 "=" $2 }' >"$d/config/requested"
	if [ "$with_patches" = yes ] && [ -s "$STATEDIR/patches/series" ]; then
		mkdir -p "$d/patches"
		cp -r "$STATEDIR/patches/." "$d/patches/"
	fi
}

# maintainer_lintian_clean 'NAME <MAIL>': false for what lintian rejects as
# a contact: root, or a mail host without a domain (root <root@vm>, what
# the default gives on many build machines).
maintainer_lintian_clean() {
	local name=${1%%<*} mail=${1#*<}
	mail=${mail%>}
	[ "${name%% }" != root ] && [ "${mail%%@*}" != root ] && [[ ${mail#*@} == *.* ]]
}

# debian_build_binary PKGDIR: dpkg-buildpackage -b in PKGDIR against the
# compiled tree; the .deb files land in PKGDIR's parent. A signed build
# hands key and certificate to debian/rules through the environment
# (build profile pkg.linux-dom0.signed), never through debian/.
debian_build_binary() {
	local pkgdir=$1 profiles=''
	kbuild_cc
	[ -z "$OPT_NO_DBG" ] || profiles=pkg.linux-dom0.nodbg
	[ -z "${OPT_SIGN_KEY:-}" ] || profiles="${profiles:+$profiles }pkg.linux-dom0.signed"
	(
		unset DOM0KIT_SIGN_KEY DOM0KIT_SIGN_CERT
		[ -z "${OPT_SIGN_KEY:-}" ] || export DOM0KIT_SIGN_KEY=$OPT_SIGN_KEY DOM0KIT_SIGN_CERT=$OPT_SIGN_CERT
		cd "$pkgdir" &&
			KSRC=$SRCDIR KOBJ=$OBJDIR KCC=$KBUILD_CC \
				DEB_BUILD_OPTIONS="parallel=$OPT_JOBS" DEB_BUILD_PROFILES="$profiles" \
				dpkg-buildpackage -b --no-sign
	)
}

# debian_build_source SDIR: the source package from the fetched tarball,
# in SDIR; prints nothing, dies on failure.
debian_build_source() {
	local sdir=$1 kind tarball
	read -r kind tarball <"$STATEDIR/source"
	[ "$kind" = tarball ] || die "$EXIT_USAGE" "a source package needs a release tarball; source $OPT_SOURCE gives a $kind (use --no-source-package)"
	rm -rf "$sdir" && mkdir -p "$sdir/linux-dom0-$RELEASE"
	cp "$tarball" "$sdir/linux-dom0_$RELEASE.orig.tar.${tarball##*.tar.}"
	run_logged package tar -xf "$tarball" -C "$sdir/linux-dom0-$RELEASE" --strip-components=1 ||
		die "$EXIT_FAIL" "$(why_failed package "cannot unpack $tarball for the source package")"
	assemble_debian "$sdir/linux-dom0-$RELEASE/debian" yes
	run_logged package sh -c "cd '$sdir' && SOURCE_DATE_EPOCH=$(release_epoch) dpkg-source -b linux-dom0-$RELEASE" ||
		die "$EXIT_FAIL" "$(why_failed package "dpkg-source failed (log: $WORKDIR/logs/package.log)")"
	rm -rf "${sdir:?}/linux-dom0-$RELEASE"
}

package_debian() {
	local version inputs pkgroot pkgdir files f
	PKG_SUITE=$OPT_SUITE
	[ -n "$PKG_SUITE" ] || set_host_suite "$OPT_DISTRO"
	set_distro_suffix "$OPT_DISTRO" "$PKG_SUITE"
	version=$(debian_version)
	# Like dch: DEBFULLNAME/DEBEMAIL, else the local user at this host.
	PKG_MAINTAINER=${OPT_MAINTAINER:-${DEBFULLNAME:-$(id -un)} <${DEBEMAIL:-$(id -un)@$(hostname -f 2>/dev/null || hostname)}>}
	maintainer_lintian_clean "$PKG_MAINTAINER" ||
		warn "maintainer $PKG_MAINTAINER: lintian rejects root and a mail host without a domain; set --maintainer or DEBFULLNAME and DEBEMAIL"
	PKG_INITRD=No
	# A dry run before the first configure has no .config yet.
	if grep -qs '^CONFIG_BLK_DEV_INITRD=y' "$OBJDIR/.config"; then PKG_INITRD=Yes; fi
	load_profile
	inputs="compile $(stamp_digest "compile@$OPT_PROFILE") version $version suite $PKG_SUITE maintainer $PKG_MAINTAINER"
	inputs+=" packaging $(packaging_digest) nodbg ${OPT_NO_DBG:-} source ${OPT_NO_SOURCE_PACKAGE:-yes} outdir $OUTDIR"
	stage_enter package "package@$OPT_PROFILE" "$inputs" "$OUTDIR/linux-image-${KERNELRELEASE}_${version}_amd64.deb" || return 0
	abi_check "$version"
	local source=', dpkg-source -b'
	[ -z "$OPT_NO_SOURCE_PACKAGE" ] || source=', no source package'
	planned package "linux-dom0 $version ($OPT_DISTRO $PKG_SUITE): linux-image-$KERNELRELEASE, dpkg-buildpackage -b against $OBJDIR$source into $OUTDIR" && return 0
	pkgroot=$WORKDIR/pkg/linux-$RELEASE-$OPT_PROFILE
	pkgdir=$pkgroot/binary/linux-dom0-$RELEASE
	rm -rf "$pkgroot/binary" && mkdir -p "$pkgdir"
	PKG_ABI=$(abi_digest)
	assemble_debian "$pkgdir/debian" no
	progress_package run_logged package debian_build_binary "$pkgdir" ||
		die "$EXIT_FAIL" "$(why_failed package "dpkg-buildpackage failed (log: $WORKDIR/logs/package.log)")"
	files=("$pkgroot/binary"/*_"$version"_*.deb "$pkgroot/binary"/*_"$version"_*.buildinfo "$pkgroot/binary"/*_"$version"_*.changes)
	[ ${#files[@]} -gt 0 ] || die "$EXIT_FAIL" "dpkg-buildpackage produced no .deb for $version"
	if [ -z "$OPT_NO_SOURCE_PACKAGE" ]; then
		debian_build_source "$pkgroot/source"
		files+=("$pkgroot/source"/linux-dom0_*)
	fi
	publish_files "${files[@]}"
	info "    $(for f in "${files[@]}"; do case $f in *.deb | *.dsc) basename "$f" ;; esac; done | paste -sd' ')"
	stamp_write "package@$OPT_PROFILE" "$inputs"
	stage_end package
}

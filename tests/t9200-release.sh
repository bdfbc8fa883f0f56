#!/bin/bash
# The long checks of a release (make check-release; DOM0KIT_CHECK_RELEASE=1):
# lintian on the whole source package, and reproducibility: the source
# package of the qemu-profile kernel built twice from its .dsc, in
# different directories, under a different umask, time zone and locale,
# without ccache; every .deb (-dbg too) must be bit-identical. Two cold
# kernel builds and a lintian run over every file of the tree: about 45
# minutes on two cores (a third build by sbuild in a clean chroot: 15
# more), so not in plain make check (which lints the binary packages and
# checks that packaging itself is deterministic, t9000).
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"

if [ -z "${DOM0KIT_CHECK_RELEASE:-}" ]; then
	test_plan 1
	test_skip "source lintian, two builds and an sbuild build from the source package (make check-release)"
	test_done
fi
test_plan 6

V=6.12.107-1dom0~deb12
export V

test_expect_success 'the source package of the qemu-profile kernel' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --no-source-package build >/dev/null &&
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$TRASH/src" --profile qemu --suite bookworm --no-dbg \
		--maintainer "dom0kit CI <ci@dom0kit.org>" package >/dev/null &&
	test -s "$TRASH/src/linux-dom0_$V.dsc"
'

# build DIR UMASK TZ LOCALE: dpkg-source -x and dpkg-buildpackage -b in DIR.
build() {
	mkdir -p "$1" && cd "$1" && umask "$2" &&
		dpkg-source -x "$TRASH/src/linux-dom0_$V.dsc" linux-dom0 >/dev/null && cd linux-dom0 || return 1
	if ! env -u CCACHE_DIR TZ="$3" LC_ALL="$4" DEB_BUILD_OPTIONS="parallel=$(nproc)" \
		dpkg-buildpackage -b --no-sign >../build.log 2>&1; then
		tail -n 30 ../build.log
		return 1
	fi
}
export -f build

test_expect_success 'first build from the .dsc' '
	build "$TRASH/one" 022 UTC C.UTF-8
'

test_expect_success 'second build: another directory, umask, time zone and locale' '
	build "$TRASH/second/build/deeper" 002 Asia/Tokyo C
'

test_expect_success 'every .deb is bit-identical' '
	(cd "$TRASH/one" && sha256sum *.deb) >one.sums &&
	(cd "$TRASH/second/build/deeper" && sha256sum *.deb) >two.sums &&
	cat one.sums && test "$(wc -l <one.sums)" -ge 6 &&
	test_cmp one.sums two.sums
'
# sbuild as Debian's buildds run it: a clean buildd chroot with only
# build-essential and the Build-Depends, a random build path, a sanitised
# environment. It must succeed and give the same packages; identical bits
# are reported, not required: the chroot has today's bookworm, which this
# host may lag, and only the tools the Build-Depends bring (kbuild writes
# the version of any rustc on PATH into .config, even with Rust off).
test_expect_success 'sbuild builds the .dsc in a clean chroot' '
	. "$TEST_DIRECTORY/chroot-lib.sh" &&
	tarball=$(sbuild_tarball) && sbuild_subids &&
	mkdir -p "$TRASH/sbuild" && cd "$TRASH/sbuild" &&
	if ! env -u CCACHE_DIR DEB_BUILD_OPTIONS="parallel=$(nproc)" sbuild --chroot-mode=unshare \
		--chroot="$tarball" --dist=bookworm --no-run-lintian --no-run-piuparts --no-run-autopkgtest \
		--arch-all "$TRASH/src/linux-dom0_$V.dsc" >sbuild.out 2>&1; then
		tail -n 40 ./*.build
		exit 1
	fi &&
	(cd "$TRASH/one" && ls *.deb) >one.list && ls *.deb >sbuild.list && test_cmp one.list sbuild.list &&
	sha256sum *.deb >sbuild.sums &&
	if cmp -s sbuild.sums "$TRASH/one.sums"; then echo "sbuild: bit-identical to the host builds"; else
		echo "sbuild: the same packages, not bit-identical to the host builds ($(diff "$TRASH/one.sums" sbuild.sums | grep -c "^>") differ)"; fi >"$TRASH/sbuild.verdict"
'
[ -s "$TRASH/sbuild.verdict" ] && say "# $(cat "$TRASH/sbuild.verdict")"
test_expect_success 'lintian: no errors on the source package' '
	lintian --fail-on error "$TRASH/src/linux-dom0_$V.dsc" >lintian.out 2>&1 || { cat lintian.out; exit 1; }
	! grep "^E:" lintian.out
'
test_done

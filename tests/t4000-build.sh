#!/bin/bash
# build: the whole pipeline on the qemu profile of the default line,
# resumption, a broken patch, a warm rebuild, and a full disk.
. "$(dirname "$0")/test-lib.sh"
test_plan 12
. "$TEST_DIRECTORY/check-env.sh"

V=6.12.107-1dom0~deb12
K=6.12.107-qemu-dom0
export V K
build() { "$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --suite bookworm --no-source-package "$@"; }
export -f build

test_expect_success 'dom0kit build: fetch to packages on the qemu profile, packaging without relinking' '
	build build >out &&
	for s in fetch patch configure compile package; do grep -qE "^==> $s( done in|: inputs unchanged)" out || exit 1; done &&
	for p in linux-image-${K}_${V}_amd64.deb linux-headers-${K}_${V}_amd64.deb; do
		dpkg-deb --info "$CHECK_OUT/$p" >/dev/null || exit 1
	done &&
	dpkg-deb -c "$CHECK_OUT/linux-image-${K}_${V}_amd64.deb" | grep -q "./boot/vmlinuz-$K$" &&
	dpkg-deb --fsys-tarfile "$CHECK_OUT/linux-image-${K}_${V}_amd64.deb" | tar -xO ./boot/config-$K | grep -qx CONFIG_XEN_DOM0=y &&
	dpkg-deb -c "$CHECK_OUT/linux-image-${K}_${V}_amd64.deb" | grep -q "xen-pciback.ko" &&
	[ -z "$(find "$CHECK_OUT" -name ".incoming.*")" ] &&
	# The package stage calls make as the compile stage did: it links
	# nothing again (kbuild keeps $(MAKE) in the link commands).
	: >relinked && { ! grep -q "^==> package done" out || kbuild_rebuilt "$CHECK_WORK/logs/package.log" >relinked; } &&
	test_cmp /dev/null relinked
'

test_expect_success 'a second build skips every stage after fetch re-verifies the tarball' '
	build build >out &&
	grep -q "^==> fetch done" out &&
	for s in patch configure compile package; do grep -q "^==> $s: inputs unchanged, skipped" out || exit 1; done
'

# The package stage plans from its stamp like the others: what the real
# run would skip, or what changed.
test_expect_success 'a dry run says the package stage would skip, or would run because the version changed' '
	build --dry-run build >plan &&
	for s in patch configure compile package; do grep -qx "would skip $s: inputs unchanged" plan || exit 1; done &&
	! grep -q "^would package:" plan &&
	build --dry-run --revision 2 package >plan &&
	grep -qx "would run package because version changed" plan &&
	grep -qx "would package: linux-dom0 6.12.107-2dom0~deb12 (debian bookworm): linux-image-6.12.107-qemu-dom0, dpkg-buildpackage -b against .*/build/linux-6.12.107-qemu, no source package into .*" plan &&
	build --dry-run --outdir "$TRASH/elsewhere" package >plan &&
	grep -qx "would run package because outdir changed" plan && [ ! -e "$TRASH/elsewhere" ] &&
	build --dry-run --packager bindeb package >plan &&
	grep -qx "would run package because version changed" plan &&
	grep -q "^would package: make bindeb-pkg KDEB_PKGVERSION=6.12.107-1dom0 " plan
'

test_expect_success 'an interrupted run resumes at the stage that did not finish' '
	rm "$CHECK_WORK/state/6.12.107/compile@qemu.stamp" &&
	build build >out &&
	grep -q "^==> patch: inputs unchanged" out && grep -q "^==> configure: inputs unchanged" out &&
	grep -q "^==> compile done" out && grep -q "^==> package: inputs unchanged" out
'

# The banner's timestamp is the release's (its pristine Makefile's mtime,
# read from the tarball), not the time of the build.
test_expect_success 'the build is reproducible in its settings: user, host, timestamp' '
	banner=$(strings -a "$CHECK_WORK/build/linux-6.12.107-qemu/init/version.o" | grep -m1 "^Linux version $K ") &&
	echo "$banner" && [[ $banner == *" (dom0kit@dom0kit) "* ]] &&
	tarball=$(cut -d" " -f2 "$CHECK_WORK/state/6.12.107/source") &&
	released=$(TZ=UTC tar --full-time --occurrence=1 -tvf "$tarball" linux-6.12.107/Makefile | awk "{print \$4, \$5}") &&
	built=$(awk "{print \$(NF-5), \$(NF-4), \$(NF-3), \$(NF-2), \$(NF-1), \$NF}" <<<"$banner") &&
	if [ "$(date -u -d "$built" +%s)" != "$(date -u -d "$released" +%s)" ]; then
		echo "banner timestamp \"$built\", the release is from $released UTC"; exit 1
	fi
'

# The versions are dom0kit's own, read from dry-run package plans.
test_expect_success 'package versions sort across revisions and releases' '
	v() { plan_version --workdir w --outdir plan-out --profile qemu --suite bookworm "$@"; } &&
	r1=$(v) && r2=$(v --revision 2) && r9=$(v --revision 9) && r10=$(v --revision 10) &&
	next=$(v --kernel 6.12.108) && old=$(v --kernel 6.1) && new=$(v --kernel 7.2) &&
	test "$r1" = "$V" &&
	for pair in "$r2 $r1" "$r10 $r9" "$next $r10" "$r1 $old" "$new $next"; do
		dpkg --compare-versions ${pair% *} gt ${pair#* } || { echo "not ordered: ${pair% *} should sort above ${pair#* }"; exit 1; }
	done
'

# A patch that breaks the build, then its fix: the warm rebuild compiles
# only what the patch touches. The test patch comes after the repository
# series (a copy of patches/ with t.patch at the end of 6.12's series):
# the headers stay as the first case built them, so ccache or not, no
# case here recompiles the kernel.
FILE=drivers/xen/xen-pciback/pci_stub.c
mkdir -p "$TRASH/p" && cp -r "$TOP/patches/." "$TRASH/p/" && echo t.patch >>"$TRASH/p/6.12/series"
mkpatch() {
	local src=$CHECK_WORK/src/linux-6.12.107
	# a/: the file as the repository series leaves it, kept from the
	# first call, when the tree still carries that series.
	if [ ! -e "$TRASH/gen/a/$FILE" ]; then
		mkdir -p "$TRASH/gen/a/${FILE%/*}" "$TRASH/gen/b/${FILE%/*}" &&
		! grep -q "dom0kit baseline" "$src/$FILE" && cp "$src/$FILE" "$TRASH/gen/a/$FILE" || return 1
	fi
	sed "$1" "$TRASH/gen/a/$FILE" >"$TRASH/gen/b/$FILE"
	{ printf 'Description: test\n---\n'; (cd "$TRASH/gen" && diff -u "a/$FILE" "b/$FILE"); } >"$TRASH/p/6.12/t.patch"
	grep -q "^+[^+]" "$TRASH/p/6.12/t.patch"
}
export -f mkpatch
export FILE
# with_test_patch: patch and compile with the test series; packaging it
# would prove nothing more here (the packages stay those of case 1).
with_test_patch() { build --patches "$TRASH/p" patch && build --patches "$TRASH/p" compile; }
export -f with_test_patch

test_expect_success 'the series and a test patch build (the baseline of the next cases)' '
	mkpatch "7a /* dom0kit baseline */" &&
	with_test_patch >out 2>err || { cat out err; exit 1; }
	# compile alone after patch: the changed tree is compiled, though the
	# configure stage did not run.
	grep -q "^==> compile done" out
'

test_expect_success 'a patch that breaks the compile: clear failure, no packages, no stamp' '
	mkpatch "7a #error dom0kit test breakage" &&
	ls "$CHECK_OUT" >before &&
	rc=0 && build --patches "$TRASH/p" build >out 2>err || rc=$?
	test $rc = 1 || { echo "exit $rc"; cat out err; exit 1; }
	tail -n 1 err | grep "kernel build failed (log: .*compile.log)" &&
	grep "dom0kit test breakage" err &&
	ls "$CHECK_OUT" | test_cmp before - &&
	[ ! -e "$CHECK_WORK/state/6.12.107/compile@qemu.stamp" ]
'

test_expect_success 'the fixed patch: a warm rebuild compiles only the touched file' '
	mkpatch "7a /* dom0kit warm rebuild */" &&
	with_test_patch >out 2>err || { cat out err; exit 1; }
	grep "CC \[M\]  ${FILE%.c}.o" "$CHECK_WORK/logs/compile.log" &&
	grep -E "^  CC " "$CHECK_WORK/logs/compile.log" >compiled &&
	cat compiled && test "$(grep -c . compiled)" -le 5
'

# Kconfig reads no C file: a patch of C files only leaves the configure
# stage skipped, one that touches a Kconfig file runs it again.
test_expect_success 'a changed C patch skips configure; a changed Kconfig runs it' '
	mkpatch "7a /* dom0kit configure skip */" &&
	build --dry-run --patches "$TRASH/p" build >plan &&
	grep -qx "would run patch because t.patch changed" plan &&
	grep -qx "would skip configure: inputs unchanged" plan &&
	grep -qx "would run compile because patch changed" plan &&
	k=drivers/xen/Kconfig && mkdir -p "$TRASH/gk/a/${k%/*}" "$TRASH/gk/b/${k%/*}" &&
	cp "$CHECK_WORK/src/linux-6.12.107/$k" "$TRASH/gk/a/$k" &&
	sed "1a # dom0kit test" "$TRASH/gk/a/$k" >"$TRASH/gk/b/$k" &&
	{ cat "$TRASH/p/6.12/t.patch"; (cd "$TRASH/gk" && diff -u "a/$k" "b/$k") || true; } >t2.patch &&
	cp t2.patch "$TRASH/p/6.12/t.patch" &&
	build --dry-run --patches "$TRASH/p" build >plan &&
	grep -qx "would run configure because kconfig changed" plan
'

# The test series was never packaged: the packages of case 1 are those
# of the tree again, and the package stage says so.
test_expect_success 'back to the repository series: rebuilt, its packages current' '
	build build >out && grep -q "^==> compile done" out && grep -qx "==> package: inputs unchanged, skipped" out &&
	grep -qx "==> configure: inputs unchanged, skipped" out &&
	! grep -q "dom0kit warm rebuild" "$CHECK_WORK/src/linux-6.12.107/$FILE"
'

test_expect_success 'a full disk: one clear last line, no half-unpacked tree' '
	mkdir -p small && mount -t tmpfs -o size=40m tmpfs small &&
	trap "umount $TRASH/small" EXIT &&
	"$DOM0KIT" --workdir small/w fetch >/dev/null &&
	rc=0 && "$DOM0KIT" --workdir small/w --outdir small/out patch >out 2>err || rc=$? &&
	leftover=$(ls -A small/w/src) && umount small && trap - EXIT &&
	test -z "$leftover" &&
	test $rc = 1 && tail -n 1 err | grep -q "^dom0kit: disk full (No space left on device) under .*small during patch"
'
test_done

#!/bin/bash
# Ctrl-C and kill in the compile and package stages, on the real kernel
# (6.12.107, qemu profile, the cached Debian tarball, ccache so that each
# compile is cheap): TERM while make runs says "interrupted", exits 130;
# after a TERM or a SIGKILL of everything, the rerun finishes and gives
# the bzImage an uninterrupted build gives, and the package stage's rerun
# gives the same packages bit for bit; an interrupted package stage leaves
# no package in the out dir. The live progress of a real kernel build is
# checked on the way: expected from the config, then from the record.
# It compiles the kernel five times (with ccache hits) and packages it
# three times: minutes, so only with DOM0KIT_CHECK_INTERRUPT=1
# (make check-interrupt).
. "$(dirname "$0")/test-lib.sh"
if [ -z "${DOM0KIT_CHECK_INTERRUPT:-}" ]; then
	test_plan 1
	test_skip "interrupted compile and package (make check-interrupt)"
	test_done
fi
test_plan 5

REL=6.12.107
REAL_CACHE=${DOM0KIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dom0kit}
TARBALL=$REAL_CACHE/sources/linux_$REL.orig.tar.xz
export REL TARBALL
cd "$TRASH" || exit 1
run() { "$DOM0KIT" --workdir w --kernel "$REL" --profile qemu "$@"; }
# start ARGS...: dom0kit in the background, its pid in ./pid, once its
# trap is set (the stage has begun: its "==>" line); the logs the waits
# below read are the new run's.
start() {
	rm -f w/logs/compile.log w/logs/package.log
	"$DOM0KIT" --workdir w --kernel "$REL" --profile qemu "$@" >bg.out 2>bg.err &
	echo $! >pid
	until_true grep -q "^==> " bg.out
}
until_true() { local _; for _ in $(seq 3000); do "$@" && return 0; sleep 0.2; done; echo "timed out: $*"; return 1; }
stopped() {
	local rc=0
	wait "$(cat pid)" || rc=$?
	[ "$rc" = "$1" ] || { echo "exit $rc, expected $1"; cat bg.err; return 1; }
	flock w/.lock true
}
kill_everything() {
	local pid=$1 kids
	kids=$(pgrep -P "$pid" || true)
	kill -KILL "$pid"
	for k in $kids; do kill -KILL -- "-$k" 2>/dev/null || kill -KILL "$k" 2>/dev/null || true; done
}
# compiled N: kbuild has written at least N objects in this run.
compiled() { [ "$(grep -cE '^  (CC|AS|LD)' w/logs/compile.log 2>/dev/null)" -ge "$1" ]; }
# packaging STEP: dpkg-buildpackage has reached STEP.
packaging() { grep -q "^   $1" w/logs/package.log 2>/dev/null; }
# fresh_tree: the object tree of the qemu profile again as configure makes it.
fresh_tree() { rm -rf w/build/linux-$REL-qemu && run configure >/dev/null && cmp w/build/linux-$REL-qemu/.config ref.config; }
debs() { (cd "$1" && sha256sum ./*.deb); }
export -f run start until_true stopped kill_everything compiled packaging fresh_tree debs

test_expect_success 'setup: an uninterrupted compile and package, the reference; progress from the config' '
	[ -f "$TARBALL" ] || { echo "no $TARBALL: run dom0kit fetch --kernel $REL first"; exit 1; }
	run --source tarball:$TARBALL fetch >/dev/null && run patch >/dev/null && run configure >/dev/null &&
	cp w/build/linux-$REL-qemu/.config ref.config &&
	nice -n 10 "$DOM0KIT" --workdir w --kernel $REL --profile qemu compile >out &&
	grep -E "^    expecting ~[0-9]+ objects \(estimated: " out &&
	grep -E "^    compile: [0-9]+/~[0-9]+ objects \([0-9]+%\)" out | head -n 3 &&
	tail -n 2 out | grep -E "^    compile: [0-9]+ objects \(100%\) in " &&
	test "$(cat w/state/$REL/compile@qemu.count)" = "$(find w/build/linux-$REL-qemu -name "*.o" | wc -l)" &&
	sha256sum <w/build/linux-$REL-qemu/arch/x86/boot/bzImage >ref.sha &&
	run --no-source-package --outdir out0 package >out && grep -E "^    package: [0-9]+ steps \(100%\)" out &&
	debs out0 >ref.debs
'

test_expect_success 'compile: TERM while make runs: interrupted, exit 130; the rerun expects the recorded count and gives the same bzImage' '
	fresh_tree && start compile && until_true compiled 400 && kill -TERM "$(cat pid)" && stopped 130 &&
	one_line bg.err && grep -q "^dom0kit: interrupted during compile" bg.err &&
	[ ! -e w/state/$REL/compile@qemu.stamp ] &&
	n=$(cat w/state/$REL/compile@qemu.count) &&
	nice -n 10 "$DOM0KIT" --workdir w --kernel $REL --profile qemu compile >out &&
	grep -qx "    expecting $n objects (the last build of $REL qemu)" out &&
	sha256sum <w/build/linux-$REL-qemu/arch/x86/boot/bzImage | cmp - ref.sha
'

test_expect_success 'compile: SIGKILL of everything while make runs: the rerun gives the same bzImage' '
	fresh_tree && start compile && until_true compiled 700 && kill_everything "$(cat pid)" && stopped 137 &&
	nice -n 10 "$DOM0KIT" --workdir w --kernel $REL --profile qemu compile >out &&
	sha256sum <w/build/linux-$REL-qemu/arch/x86/boot/bzImage | cmp - ref.sha
'

test_expect_success 'package: TERM while modules are installed: no package in the out dir; the rerun gives the same packages' '
	start --no-source-package --outdir out1 package && until_true packaging "debian/rules override_dh_auto_install" &&
	kill -TERM "$(cat pid)" && stopped 130 &&
	grep -v "^dom0kit: warning: maintainer" bg.err >err && one_line err && grep -q "^dom0kit: interrupted during package" err &&
	! compgen -G "out1/*.deb" >/dev/null &&
	run --no-source-package --outdir out1 package >/dev/null && debs out1 | cmp - ref.debs
'

test_expect_success 'package: SIGKILL of everything while dpkg-deb builds: the rerun gives the same packages' '
	rm -rf out1 && start --no-source-package --outdir out1 package && until_true packaging dh_builddeb &&
	kill_everything "$(cat pid)" && stopped 137 &&
	run --no-source-package --outdir out1 package >/dev/null && debs out1 | cmp - ref.debs
'
test_done

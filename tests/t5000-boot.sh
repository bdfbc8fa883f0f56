#!/bin/bash
# boot-test: the kernel t4000 built boots as Xen dom0 (smoke, seize,
# passthrough) and bare as a KVM host; the harness itself fails runs
# that must fail; bad inputs are refused before booting.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"

boot() { "$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu boot-test "$@"; }
export -f boot

test_expect_success 'setup: the qemu-profile kernel is built' '
	[ -f "$CHECK_WORK/build/linux-6.12.107-qemu/arch/x86/boot/bzImage" ] ||
		"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --no-source-package build >/dev/null
'

test_expect_success 'every scenario passes, each with its own result line' '
	boot >out 2>err; cat out err;
	for s in smoke seize passthrough ids tool reset kvm; do
		grep -E "^boot-test $s +PASS" out || exit 1
	done &&
	ls "$CHECK_WORK"/logs/boot/dom0-smoke+seize+passthrough.log "$CHECK_WORK"/logs/boot/dom0-ids.log \
		"$CHECK_WORK"/logs/boot/dom0-tool.log "$CHECK_WORK"/logs/boot/dom0-reset.log "$CHECK_WORK"/logs/boot/kvm.log
'

test_expect_success 'the harness fails a run that must fail: -cpu max without smap=0' '
	rc=0 && boot --scenario=smoke --qemu-cpu=max >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL" out && grep -q "failed: dom0 reached init" out &&
	grep -q "last 40 lines of" out
'

test_expect_success 'the harness fails a dom0 that panics' '
	rc=0 && boot --scenario=smoke --dom0-append=rdinit=/nonexistent >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL +\([0-9]+s, run ended: fatal\)" out
'

test_expect_success 'no kernel built yet' '
	rc=0 && "$DOM0KIT" --workdir empty --profile qemu boot-test >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "no kernel built for 6.12.107 with profile qemu: run dom0kit build" err
'

# A fake build: an image file and a .config without the needed symbol.
fake_build() {
	mkdir -p fake/build/linux-6.12.107-qemu/arch/x86/boot &&
	: >fake/build/linux-6.12.107-qemu/arch/x86/boot/bzImage &&
	grep -v "^$1=" "$CHECK_WORK/build/linux-6.12.107-qemu/.config" >fake/build/linux-6.12.107-qemu/.config
}
export -f fake_build

test_expect_success 'a kernel without dom0 support is named before booting' '
	fake_build CONFIG_XEN_DOM0 &&
	rc=0 && "$DOM0KIT" --workdir fake --profile qemu boot-test --scenario=smoke >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "lacks CONFIG_XEN_DOM0: it cannot run boot-test smoke" err
'

test_expect_success 'a kernel without KVM_AMD or VFIO_PCI fails the kvm scenario, naming it' '
	for sym in CONFIG_KVM_AMD CONFIG_VFIO_PCI; do
		rm -rf fake && fake_build $sym &&
		rc=0 && "$DOM0KIT" --workdir fake --profile qemu boot-test --scenario=kvm >out 2>err || rc=$?
		test $rc = 2 && one_line err && grep -q "lacks $sym" err || exit 1
	done
'

test_expect_success 'a missing Xen hypervisor' '
	rc=0 && boot --scenario=smoke --xen=/nonexistent/xen.gz >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "no Xen hypervisor at /nonexistent/xen.gz" err
'

test_expect_success 'QEMU absent' '
	mkdir -p bin && for f in /usr/local/bin/* /usr/bin/* /bin/* /usr/sbin/* /sbin/*; do
		ln -sf "$f" bin/ 2>/dev/null; done && rm -f bin/qemu-system-x86_64 &&
	rc=0 && PATH=$PWD/bin boot --scenario=smoke >out 2>err || rc=$? &&
	test $rc = 3 && one_line err && grep -q "qemu-system-x86_64 not found: apt-get install qemu-system-x86" err
'

test_expect_success 'an unknown scenario' '
	rc=0 && boot --scenario=smoke,warp >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown boot-test scenario: warp" err
'
test_done

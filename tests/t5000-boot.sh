#!/bin/bash
# boot-test: the kernel t4000 built boots as Xen dom0 (smoke, seize,
# passthrough) and bare as a KVM host; the harness itself fails runs
# that must fail; bad inputs are refused before booting. The judge cases
# come first and need no kernel: they feed logs to boot-test --judge-log.
. "$(dirname "$0")/test-lib.sh"
test_plan 24
. "$TEST_DIRECTORY/check-env.sh"

boot() { "$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu boot-test "$@"; }
export -f boot
# judge LOG ARGS...: boot-test judges LOG with the checks of a real boot.
judge() {
	local log=$1
	shift
	# The recordings' kernel was named before profiles had flavours.
	"$DOM0KIT" --workdir judge --kernel 6.12.107 --profile qemu --localversion=-dom0 boot-test --judge-log="$log" "$@"
}
# judge_real LOG ARGS...: the same for a log of this test's own kernel,
# named as the qemu profile names it (6.12.107-qemu-dom0).
judge_real() {
	local log=$1
	shift
	"$DOM0KIT" --workdir judge --kernel 6.12.107 --profile qemu boot-test --judge-log="$log" "$@"
}
# Complete logs of one boot each, written by hand after what dom0-init,
# domu-init and the patches print, each ending in qemu_boot's last line.
LOGS=$TEST_DIRECTORY/fixtures/boot-judge
export -f judge judge_real && export LOGS

test_expect_success 'judge: complete logs pass (so the cases below cannot pass by failing everything)' '
	judge "$LOGS/dom0-smoke+seize.log" --scenario=smoke,seize >out 2>err &&
	grep -E "^boot-test smoke +PASS" out && grep -E "^boot-test seize +PASS" out &&
	judge "$LOGS/dom0-tool.log" --scenario=tool >out 2>err && grep -E "^boot-test tool +PASS" out &&
	judge "$LOGS/dom0-ids.log" --scenario=ids >out 2>err && grep -E "^boot-test ids +PASS" out
'

# A real run's markers and pciback lines (6.1.187, Xen 4.17); then the
# same run as the kernel before the reset rework behaved (measured: the
# sibling reset succeeded and the guest read 0), and a leaking handover.
test_expect_success 'judge: reset with a guest running: a real log passes, a reset under the guest fails' '
	g="$LOGS/dom0-reset-guard+reset-handover+reset-policy+reset-race.log" &&
	judge "$g" --scenario=reset-guard,reset-handover,reset-policy,reset-race >out 2>err &&
	for s in reset-guard reset-handover reset-policy reset-race; do grep -E "^boot-test $s +PASS" out || exit 1; done &&
	sed -e "s/^DOM0KIT: guard-flr-sibling .*/DOM0KIT: guard-flr-sibling ok/" \
		-e "s/^DOM0KIT: guard-after .*/DOM0KIT: guard-after 0x00000000/" \
		-e "/is in use by domain/d" "$g" >under.log &&
	rc=0 && judge under.log --scenario=reset-guard >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test reset-guard +FAIL" out &&
	grep "failed: the guest reads its value back unchanged" out &&
	sed "s/^DOM0KIT: handover 4 before=0x00000000/DOM0KIT: handover 4 before=0x12345000/" "$g" >leak.log &&
	rc=0 && judge leak.log --scenario=reset-handover >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: guest 4 of 10 finds 0000:01:00.0 reset" out &&
	sed "s/^DOM0KIT: policy-refused-guest before=.*/DOM0KIT: policy-refused-guest before=0x12345000/" "$g" >given.log &&
	rc=0 && judge given.log --scenario=reset-policy >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: the guest did not get the device" out
'

test_expect_success 'judge: every marker, then a dom0 panic and Xen crashing dom0: FAIL naming the panic' '
	sed "/^DOM0KIT: done$/,\$d" "$LOGS/dom0-smoke+seize.log" >panic.log &&
	cat >>panic.log <<-\EOF &&
	[   61.204117] Kernel panic - not syncing: Attempted to kill init! exitcode=0x0000000b
	[   61.204532] CPU: 0 UID: 0 PID: 1 Comm: init Not tainted 6.12.107-dom0 #1
	(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.
	boot-test: run ended: fatal after 63s (limit 420s)
	EOF
	rc=0 && judge panic.log --scenario=smoke,seize >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL +\(63s, run ended: fatal\)" out &&
	grep -E "^boot-test seize +FAIL" out && grep "failed: the run stopped at a fatal line" out &&
	grep "failed: the kernel or Xen reported: .*Kernel panic - not syncing: Attempted to kill init!.*(XEN) Hardware Dom0 crashed" out
'

test_expect_success 'judge: a panic after the done line fails too' '
	sed "\$d" "$LOGS/dom0-smoke+seize.log" >late.log &&
	cat >>late.log <<-\EOF &&
	Kernel panic - not syncing: Attempted to kill init! exitcode=0x00000000
	(XEN) Hardware Dom0 crashed: rebooting machine in 5 seconds.
	boot-test: run ended: finished after 98s (limit 420s)
	EOF
	rc=0 && judge late.log --scenario=smoke >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL +\(98s, run ended: finished\)" out &&
	grep "failed: the kernel or Xen reported: Kernel panic - not syncing" out
'

test_expect_success 'judge: Xen panicking, or crashing the domU, fails the boot' '
	sed "\$d" "$LOGS/dom0-smoke+seize.log" >xen.log &&
	cat >>xen.log <<-\EOF &&
	(XEN) ****************************************
	(XEN) Panic on CPU 0:
	(XEN) FATAL TRAP: vec 14, #PF[0000] IN INTERRUPT CONTEXT
	(XEN) ****************************************
	boot-test: run ended: fatal after 99s (limit 420s)
	EOF
	rc=0 && judge xen.log --scenario=seize >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: the kernel or Xen reported: (XEN) Panic on CPU 0:" out &&
	sed "/^DOMU: done$/i (XEN) Domain 1 (vcpu#0) crashed on cpu#0:" "$LOGS/dom0-tool.log" >domu.log &&
	rc=0 && judge domu.log --scenario=tool >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: the kernel or Xen reported: (XEN) Domain 1 (vcpu#0) crashed on cpu#0:" out
'

test_expect_success 'judge: every marker but no done line, the run timed out: FAIL naming the timeout' '
	sed "/^DOM0KIT: done$/,\$d" "$LOGS/dom0-smoke+seize.log" >timeout.log &&
	echo "boot-test: run ended: timeout after 421s (limit 420s)" >>timeout.log &&
	rc=0 && judge timeout.log --scenario=smoke,seize >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL +\(421s, run ended: timeout\)" out &&
	test "$(grep -c "failed: the run timed out after 421s without .DOM0KIT: done." out)" = 2 &&
	sed "/^DOM0KIT: done$/,\$d" "$LOGS/dom0-smoke+seize.log" >cut.log &&
	rc=0 && judge cut.log --scenario=smoke >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: the log does not say how the run ended" out
'

test_expect_success 'judge: a marker line that only contains the expected line fails (driver= is not driver=pciback)' '
	sed "s/^DOM0KIT: tool-release-edu driver=\$/&pciback/" "$LOGS/dom0-tool.log" >sub.log &&
	grep -x "DOM0KIT: tool-release-edu driver=pciback" sub.log &&
	rc=0 && judge sub.log --scenario=tool >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test tool +FAIL" out &&
	grep "failed: release leaves edu without a driver again" out && test "$(grep -c "failed:" out)" = 1
'

test_expect_success 'judge: remove_seize with no rule list left and no "remove_seize ok" fails' '
	sed -e "s/^\(DOM0KIT: seize-rules-after-remove \).*/\1/" -e "/^DOM0KIT: remove_seize ok\$/d" "$LOGS/dom0-ids.log" >rm.log &&
	grep -x "DOM0KIT: seize-rules-after-remove " rm.log &&
	rc=0 && judge rm.log --scenario=ids >out 2>err || rc=$? &&
	test $rc = 1 && grep "failed: remove_seize accepts the ids= rule" out &&
	grep "failed: remove_seize removes that rule and keeps the path= rule" out
'

test_expect_success 'judge: --judge-log takes the scenarios of one boot, and a log that exists' '
	rc=0 && judge "$LOGS/dom0-ids.log" --scenario=smoke,ids >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "judges one boot" err &&
	rc=0 && judge nonexistent.log --scenario=ids >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "no log to judge at" err
'

# A stand-in for QEMU: writes FAKE_CONSOLE with \r\n line ends to the
# -serial file, then exits (FAKE_EXIT) or runs until killed.
test_expect_success 'qemu_boot ends its log with how the run ended: finished, timeout, fatal, exited' '
	mkdir -p fakebin && cat >fakebin/qemu-system-x86_64 <<-\EOF &&
	#!/bin/bash
	while [ $# -gt 0 ]; do [ "$1" != -serial ] || out=${2#file:}; shift; done
	sed "s/\$/\r/" "$FAKE_CONSOLE" >>"$out"
	[ -z "${FAKE_EXIT:-}" ] || exit 0
	exec sleep 60
	EOF
	chmod +x fakebin/qemu-system-x86_64 &&
	qb() { (WORKDIR=$PWD/w PATH=$PWD/fakebin:$PATH && . "$TOP/scripts/lib/boot-qemu.sh" &&
		qemu_boot fake 3 "DOM0KIT: done" && tail -n 1 "$BOOT_LOG"); } &&
	export FAKE_CONSOLE=$PWD/console &&
	printf "DOM0KIT: init\nDOM0KIT: done\n" >console && qb >out && cat out &&
	grep -qx "boot-test: run ended: finished after [0-9]s (limit 3s)" out && ! grep -q "$(printf "\r")" w/logs/boot/fake.log &&
	printf "DOM0KIT: init\nDOM0KIT: done-not\n" >console && qb >out && cat out &&
	grep -qx "boot-test: run ended: timeout after [3-9]s (limit 3s)" out &&
	printf "DOM0KIT: init\nKernel panic - not syncing: test\n" >console && qb >out && cat out &&
	grep -qx "boot-test: run ended: fatal after [0-9]s (limit 3s)" out &&
	printf "DOM0KIT: init\n" >console && FAKE_EXIT=1 qb >out && cat out &&
	grep -qx "boot-test: run ended: exited after [0-9]s (limit 3s)" out
'

test_expect_success 'setup: the qemu-profile kernel is built' '
	[ -f "$CHECK_WORK/build/linux-6.12.107-qemu/arch/x86/boot/bzImage" ] ||
		"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu --no-source-package build >/dev/null
'

# QEMU runs in the background of dom0kit: a TERM (or Ctrl-C) during a
# boot must stop it too (it was left running, an orphan holding no lock).
# dom0kit is started directly, as a command of its own: TERM to a
# subshell (a function, or an "a && b &" list, which puts the whole list
# in the background) would leave dom0kit running, and two CI runs where
# it did held the work dir's lock for the rest of make check. Whatever
# the outcome, nothing of this case outlives it.
test_expect_success 'boot-test killed while QEMU runs: exit 130, one line, no QEMU left' '
	mkdir -p fakeq && cat >fakeq/qemu-system-x86_64 <<-\EOF &&
	#!/bin/bash
	echo $$ >"$FAKE_PIDFILE"
	exec sleep 120
	EOF
	chmod +x fakeq/qemu-system-x86_64 && rm -f qemu.pid || exit 1
	FAKE_PIDFILE=$PWD/qemu.pid PATH=$PWD/fakeq:$PATH \
		"$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu boot-test --scenario=smoke >out 2>err &
	p=$! &&
	n=0 && while [ $n -lt 300 ] && [ ! -s qemu.pid ]; do sleep 0.2; n=$((n + 1)); done &&
	q=$(cat qemu.pid 2>/dev/null || :) &&
	rc=0 && { test -n "$q" && kill -0 "$q" && kill -TERM $p && { wait $p || rc=$?; }; } || rc="no QEMU started"
	sleep 1 && left=$(kill -0 "${q:-0}" 2>/dev/null && echo "QEMU $q still runs" || :) &&
	kill -KILL $p ${q:-} 2>/dev/null || :
	echo "exit: $rc ${left:-}" && test "$rc" = 130 && test -z "$left" &&
	one_line err && grep -F "dom0kit: interrupted" err
'

test_expect_success 'every scenario passes, each with its own result line' '
	boot >out 2>err; cat out err;
	for s in smoke seize passthrough ids tool reset reset-guard reset-handover reset-policy reset-race kvm; do
		grep -E "^boot-test $s +PASS" out || exit 1
	done &&
	ls "$CHECK_WORK"/logs/boot/dom0-smoke+seize+passthrough.log "$CHECK_WORK"/logs/boot/dom0-ids.log \
		"$CHECK_WORK"/logs/boot/dom0-tool.log "$CHECK_WORK"/logs/boot/dom0-reset.log "$CHECK_WORK"/logs/boot/kvm.log \
		"$CHECK_WORK"/logs/boot/dom0-reset-guard+reset-handover+reset-policy+reset-race.log
'

# Debian trixie's Xen 4.20 and its tools, from system-test's cached base:
# xl info must say 4.20, and the same log judged as a 4.17 run fails.
test_expect_success '--xen=4.20: Debian trixie Xen and tools boot dom0, and the version is checked' '
	boot --scenario=smoke --xen=4.20 >out 2>err; cat out err;
	grep -E "^boot-test smoke +PASS" out && grep -q "booting Xen (Debian trixie.s Xen 4.20" out &&
	log=$CHECK_WORK/logs/boot/dom0-smoke.log && grep -x "DOM0KIT: xen-version 4.20" "$log" &&
	grep -q "^(XEN) Xen version 4\.20\." "$log" &&
	judge_real "$log" --scenario=smoke --xen=4.20 >out 2>err && grep -E "^boot-test smoke +PASS" out &&
	rc=0 && judge_real "$log" --scenario=smoke --xen=4.17 >out 2>err || rc=$? &&
	test $rc = 1 && grep -E "^boot-test smoke +FAIL" out &&
	grep -x "    failed: xl info says Xen 4.17 ran (got .4.20.)" out && test "$(grep -c "failed:" out)" = 1
'

# A change in a module alone does not relink bzImage: the boot test must
# still install the new module (6.1 booted a stale xen-pciback.ko once).
test_expect_success 'a module rebuilt alone goes into the next boot' '
	ko=$CHECK_WORK/build/linux-6.12.107-qemu/drivers/xen/xen-pciback/xen-pciback.ko &&
	stamp=$CHECK_WORK/boot/6.12.107-qemu/modroot/.stamp &&
	test -f "$stamp" && sleep 1 && touch "$ko" &&
	boot --scenario=smoke >out 2>err && grep -E "^boot-test smoke +PASS" out &&
	test "$stamp" -nt "$ko"
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

test_expect_success 'an unknown Xen version, before any kernel is looked for' '
	rc=0 && "$DOM0KIT" --workdir empty --profile qemu boot-test --scenario=smoke --xen=4.19 >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown Xen version for boot-test: 4.19 (4.17: .*4.20: " err
'

test_expect_success 'an unknown scenario' '
	rc=0 && boot --scenario=smoke,warp >out 2>err || rc=$? &&
	test $rc = 2 && one_line err && grep -q "unknown boot-test scenario: warp" err
'
test_done

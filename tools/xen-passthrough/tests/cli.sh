#!/bin/sh
# cli.sh XP: end-to-end tests of the xen-passthrough binary XP on
# fixtures/machine-a.dump and a fake sysfs/procfs (mkfakesys.sh). One TAP
# line per case. Bad input must give one line on stderr, a nonzero exit,
# and leave the fake tree exactly as it was. Exits nonzero if a case failed.
# Bodies are single-quoted on purpose: case_ evals them later.
# shellcheck disable=SC2016
# $S, $P, $X and the BDF lists ($G0 $G1, ...) are this script's own fake-tree
# paths and addresses, without spaces; the lists are meant to split.
# shellcheck disable=SC2086
set -u
XP=$1
F=${XP_FIXTURES:-tests/fixtures}
DUMP=$F/machine-a.dump
W=$(mktemp -d "${TMPDIR:-/tmp}/xp-cli.XXXXXX")
trap 'rm -rf "$W"' EXIT
n=0
failed=0

# case_ DESC CMDS: CMDS run in a subshell with set -e; output shown on
# failure. The subshell is not run inside `if` (nor before && or ||): there
# the shell ignores set -e and only the last step of CMDS would count, as
# tests/test-lib.sh explains too. For the same reason set -e never stops on
# `! cmd`: a step that must fail is written `none RE FILE` or
# `if cmd; then false; fi`, unless it is the last line of CMDS.
case_() {
	n=$((n + 1))
	(set -e; eval "$2") >"$W/log" 2>&1
	case_rc=$?
	if [ "$case_rc" -eq 0 ]; then
		echo "ok $n - $1"
	else
		failed=$((failed + 1))
		echo "not ok $n - $1"
		sed 's/^/#   /' "$W/log" | tail -n 25
	fi
}

fresh() {
	sh "$(dirname "$0")/mkfakesys.sh" "$W/t"
	S=$W/t/sys
	P=$W/t/proc
	CONF=$W/t/etc/dom0kit/pciback.conf
	XS=$W/t/xenstore
}
xp() { "$XP" --dump "$DUMP" --sysfs-root "$S" --proc-root "$P" --xenstore-root "$XS" --conf "$CONF" "$@"; }
# Snapshot of every file and link of the fake tree (and the conf).
snap() { (cd "$W/t" && find . -type f -exec md5sum {} + | sort && find . -type l -printf '%p -> %l\n' | sort); }
one_line() { [ "$(grep -c . "$1")" -eq 1 ] || { echo "expected one line:"; cat "$1"; return 1; }; }
# bad EXIT ARGS...: fails with that exit code, one line on stderr, tree unchanged.
bad() {
	want=$1
	shift
	snap >"$W/before"
	rc=0
	xp "$@" >"$W/out" 2>"$W/err" || rc=$?
	cat "$W/err"
	[ "$rc" -eq "$want" ] || { echo "exit $rc, wanted $want"; return 1; }
	one_line "$W/err"
	grep -q '^xen-passthrough: ' "$W/err"
	snap >"$W/after"
	cmp -s "$W/before" "$W/after" || { diff "$W/before" "$W/after"; return 1; }
}
has() { grep -qxF -- "$2" "$1" || { echo "no line '$2' in $1:"; cat "$1"; return 1; }; }
# none RE FILE: no line of FILE matches RE (a `! grep` that set -e sees).
none() { if grep -e "$1" "$2"; then echo "^ unexpected in $2"; return 1; fi; }

# The harness itself: a step that fails anywhere in a body, not only at its
# end, fails the case (issue 19: the body ran inside `if`, so only its last
# line counted). Judged here rather than by case_, which is what is tested.
probe() {
	n=0
	case_ mid "false; true"
	case_ helper "has /dev/null x
		true"
	case_ good "none x /dev/null; true"
}
(probe) | grep -E '^(not )?ok' >"$W/h.out"
n=$((n + 1))
if printf 'not ok 1 - mid\nnot ok 2 - helper\nok 3 - good\n' | cmp -s - "$W/h.out"; then
	echo "ok $n - harness: a case whose middle step fails is reported as failed"
else
	failed=$((failed + 1))
	echo "not ok $n - harness: a case whose middle step fails is reported as failed"
	sed 's/^/#   /' "$W/h.out"
fi

fresh
case_ "list prints a header and 20 devices" '
	xp list >$W/o 2>$W/e
	[ $(wc -l <$W/o) -eq 21 ]
	grep -q "^0000:02:00.0 .* e1000e .* alone " $W/o
	grep -q "^0000:01:00.0 .* with 0000:01:00.1 " $W/o
	none . $W/e'
case_ "list --json is valid JSON with verdicts, resets and dom0 use" '
	xp list --json >$W/o
	python3 - $W/o <<PY
import json, sys
d = json.load(open(sys.argv[1]))
dev = {x["bdf"]: x for x in d["devices"]}
assert d["dom0"] is True and len(dev) == 20
assert dev["0000:02:00.0"]["verdict"]["kind"] == "alone"
assert dev["0000:02:00.0"]["reset"]["methods"] == ["flr", "slot", "bus"]
assert dev["0000:02:00.0"]["reset"]["kernel"] == ["flr", "bus"]
assert dev["0000:01:00.0"]["verdict"]["with"] == ["0000:01:00.1"]
assert dev["0000:04:01.0"]["reset"]["bus_reset_affects"] == ["0000:04:00.0"]
assert dev["0000:04:00.0"]["isolation"]["alias_bridge"] == "0000:03:00.0"
assert dev["0000:06:00.0"]["dom0_use"] == ["root filesystem"]
assert dev["0000:00:1f.6"]["dom0_use"] == ["default route"]
assert dev["0000:00:1f.3"]["verdict"]["kind"] == "no"
assert dev["0000:04:01.0"]["path"] == "0000:00:1c.4/00.0/01.0"
PY'
case_ "JSON escapes names from pci.ids (real lookup) correctly" '
	"$XP" --dump $F/vm-virtio.dump list --json 2>/dev/null | python3 -c "import json,sys; json.load(sys.stdin)"'
case_ "check explains the GPU pair and what to do" '
	xp check 0000:01:00.0 >$W/o
	grep -q "^Verdict: assignable only together with others: multi-function device without ACS" $W/o
	grep -q "also resets 0000:01:00.1" $W/o
	grep -q "Upstream 0000:00:01.0 (root port): ACS isolates" $W/o
	grep -qF "pci = [ '"'"'0000:01:00.0'"'"', '"'"'0000:01:00.1'"'"' ]" $W/o'
case_ "check warns about the root filesystem device" '
	xp check 06:00.0 >$W/o
	grep -q "^Warning: dom0 uses this device for its root filesystem" $W/o'
case_ "xl-config: single device, group, a USB controller without RMRR" '
	xp xl-config 8086:10d3 >$W/o; has $W/o "pci = [ '"'"'0000:02:00.0'"'"' ]"
	xp xl-config 01:00.1 >$W/o; has $W/o "pci = [ '"'"'0000:01:00.0'"'"', '"'"'0000:01:00.1'"'"' ]"
	xp xl-config 0000:00:1c.5/00.0 >$W/o; has $W/o "pci = [ '"'"'0000:05:00.0'"'"' ]"'
case_ "xl-config: rdm_policy=relaxed from the RMRR finding (iGPU, xHCI), none where the regions show no RMRR" '
	xp xl-config 00:14.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:00:14.0,rdm_policy=relaxed'"'"' ]"
	has $W/e "xen-passthrough: note: 0000:00:14.0 has an RMRR (0x3e2e0000-0x3e2fffff direct): rdm_policy=relaxed lets xl accept it where it clashes with the guest'"'"'s memory"
	xp xl-config 00:02.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:00:02.0,rdm_policy=relaxed'"'"' ]"
	grep -q "0000:00:02.0 has an RMRR (0x3b000000-0x3f7fffff direct-relaxable)" $W/e
	xp xl-config 05:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:05:00.0'"'"' ]"; none . $W/e
	# Without reserved regions to read (no sysfs, or dom0 under Xen: no IOMMU
	# groups) a USB controller keeps the option: they are the usual owners.
	"$XP" --dump $DUMP xl-config 05:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:05:00.0,rdm_policy=relaxed'"'"' ]"
	"$XP" --dump $DUMP xl-config 02:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:02:00.0'"'"' ]"'
case_ "xl-config refuses a device that is not safely assignable, and a bridge" '
	bad 1 xl-config 00:1f.3; grep -q "not safely assignable" $W/err
	bad 1 xl-config 00:1c.0; grep -q "not safely assignable: it is a root port" $W/err'
case_ "outside dom0: a one-line note, and the command still works" '
	rm $P/xen/capabilities
	xp check 02:00.0 >$W/o 2>$W/e
	one_line $W/e
	grep -q "not running in dom0" $W/e
	grep -q "^Verdict: assignable alone" $W/o
	echo control_d >$P/xen/capabilities'
case_ "unknown device: one line, exit 1" 'bad 1 check 0000:09:00.0'
case_ "malformed specifier: one line, exit 2" 'bad 2 check 01:00.9'
case_ "ambiguous vendor:device lists the candidates and stops" '
	{ cat $DUMP; printf "\n07:00.0 copy\n"; awk "/^02:00.0 /{p=1;next} /^$/{p=0} p" $DUMP; } >$W/dup.dump
	snap >$W/before
	rc=0; "$XP" --dump $W/dup.dump --sysfs-root $S --proc-root $P assign 8086:10d3 2>$W/e || rc=$?
	cat $W/e
	[ $rc -eq 1 ]; one_line $W/e
	grep -q "matches 2 devices: 0000:02:00.0 0000:07:00.0" $W/e
	snap >$W/after; cmp $W/before $W/after'
case_ "ambiguous I350 (two functions) on machine-b" '
	rc=0; "$XP" --dump $F/machine-b.dump check 8086:1521 >$W/o 2>$W/e || rc=$?
	[ $rc -eq 1 ]; one_line $W/e; none . $W/o
	grep -q "matches 2 devices: 0000:03:00.0 0000:03:00.1; give a BDF" $W/e'
case_ "malformed dump: one line naming the line, exit 1" '
	printf "00:00.0 x\n00: zz\n" >$W/bad.dump
	rc=0; "$XP" --dump $W/bad.dump list 2>$W/e || rc=$?
	[ $rc -eq 1 ]; one_line $W/e; grep -q "line 2" $W/e'
case_ "missing dump file: one line, exit 1" '
	rc=0; "$XP" --dump $W/nonexistent list 2>$W/e || rc=$?
	[ $rc -eq 1 ]; one_line $W/e'
case_ "usage errors exit 2" '
	rc=0; "$XP" >/dev/null 2>&1 || rc=$?; [ $rc -eq 2 ]
	rc=0; "$XP" frobnicate 2>$W/e || rc=$?; [ $rc -eq 2 ]; one_line $W/e
	rc=0; "$XP" check 2>$W/e || rc=$?; [ $rc -eq 2 ]; one_line $W/e
	rc=0; "$XP" --bogus list 2>$W/e || rc=$?; [ $rc -eq 2 ]; one_line $W/e'
case_ "assign as non-root: one line, exit 1, nothing changed" '
	command -v setpriv
	snap >$W/before
	chmod 755 $W $W/t
	rc=0; ASAN_OPTIONS=detect_leaks=0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --conf $CONF assign 02:00.0 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "needs root" $W/e
	snap >$W/after; cmp $W/before $W/after'
case_ "check works as non-root (planning needs no root)" '
	chmod -R a+rX $W/t; chmod 755 $W
	ASAN_OPTIONS=detect_leaks=0 setpriv --reuid=65534 --regid=65534 --clear-groups \
		"$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P check 02:00.0 >$W/o
	grep -q "^Verdict: assignable alone" $W/o'
case_ "assign refuses the root filesystem device" 'bad 1 assign 06:00.0; grep -q "root filesystem" $W/err'
case_ "assign refuses the console device" 'bad 1 assign 00:02.0; grep -q console $W/err'
case_ "assign refuses the NIC of the default route" '
	bad 1 assign 00:1f.6; grep -q "not safely assignable" $W/err
	cp $P/net/route $W/route.saved
	printf "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\nenp2s0\t00000000\t0101A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n" >$P/net/route
	bad 1 assign 8086:10d3; grep -q "default route" $W/err
	cp $W/route.saved $P/net/route'
case_ "assign refuses a device that is not safely assignable" 'bad 1 assign 00:1f.3; grep -q "not safely assignable" $W/err'
case_ "assign without pciback: one line, exit 1, nothing changed" '
	mv $S/bus/pci/drivers/pciback $W/pciback.saved
	bad 1 assign 02:00.0; grep -q "xen-pciback is not loaded" $W/err
	mv $W/pciback.saved $S/bus/pci/drivers/pciback'
case_ "assign NIC: new_slot, driver_override, unbind, bind" '
	xp assign 02:00.0 >$W/o
	has $W/o "0000:02:00.0: bound to pciback, was e1000e"
	has $S/bus/pci/drivers/pciback/new_slot 0000:02:00.0
	has $S/bus/pci/drivers/e1000e/unbind 0000:02:00.0
	has $S/bus/pci/drivers/pciback/bind 0000:02:00.0
	has $S/bus/pci/devices/0000:02:00.0/driver_override pciback
	[ ! -e $CONF ]'
fresh
case_ "assign GPU moves both functions and --persist writes the conf" '
	xp assign 01:00.0 --persist >$W/o
	[ "$(cat $S/bus/pci/drivers/pciback/bind)" = "0000:01:00.00000:01:00.1" ]
	has $S/bus/pci/drivers/nouveau/unbind 0000:01:00.0
	has $S/bus/pci/drivers/snd_hda_intel/unbind 0000:01:00.1
	grep -q "update-initramfs -u -k all" $W/o
	grep -q "dracut --regenerate-all --force" $W/o
	has $CONF 0000:01:00.0; has $CONF 0000:01:00.1
	[ $(grep -c "^0000:" $CONF) -eq 2 ]'
case_ "assign again is idempotent (kernel now shows pciback)" '
	for d in 0000:00:01.0/0000:01:00.0 0000:00:01.0/0000:01:00.1; do
		ln -sfn ../../../../bus/pci/drivers/pciback $S/devices/pci0000:00/$d/driver; done
	printf "0000:01:00.0\n0000:01:00.1\n" >$S/bus/pci/drivers/pciback/slots
	snap >$W/before
	xp assign 01:00.1 --persist >$W/o
	grep -q "already owned by pciback" $W/o
	grep -q "already lists them" $W/o
	snap >$W/after; cmp $W/before $W/after'
case_ "--persist keeps other entries and comments" '
	printf "# mine\n0000:04:00.0\n" >>$CONF
	xp assign 02:00.0 --persist >/dev/null
	has $CONF "# mine"; has $CONF 0000:04:00.0; has $CONF 0000:02:00.0'
case_ "a broken conf stops assign before anything changes" '
	cp $CONF $W/conf.saved; echo "garbage" >>$CONF
	bad 1 assign 05:00.0 --persist; grep -q "line" $W/err
	cp $W/conf.saved $CONF'
case_ "release gives the GPU back and --persist drops it from the conf" '
	xp release 0000:01:00.0 --persist >$W/o
	grep -q "0000:01:00.0: released to the kernel" $W/o
	[ "$(cat $S/bus/pci/drivers/pciback/unbind)" = "0000:01:00.00000:01:00.1" ]
	[ "$(cat $S/bus/pci/drivers/pciback/remove_slot)" = "0000:01:00.00000:01:00.1" ]
	[ "$(cat $S/bus/pci/drivers_probe)" = "0000:01:00.00000:01:00.1" ]
	none "^0000:01:00" $CONF
	has $CONF 0000:04:00.0'
fresh
case_ "release of a device pciback does not own changes nothing" '
	snap >$W/before
	xp release 02:00.0 >$W/o
	grep -q "not owned by pciback" $W/o
	snap >$W/after; cmp $W/before $W/after'
case_ "--force assigns the root filesystem device anyway" '
	xp assign 06:00.0 --force >$W/o
	has $S/bus/pci/drivers/pciback/bind 0000:06:00.0'
case_ "a failing sysfs write is reported in one line" '
	fresh; rm $S/bus/pci/drivers/pciback/bind; mkdir $S/bus/pci/drivers/pciback/bind
	rc=0; xp assign 05:00.0 2>$W/e >/dev/null || rc=$?
	[ $rc -eq 1 ]; one_line $W/e; grep -q "binding to pciback failed" $W/e
	has $S/bus/pci/drivers/xhci_hcd/bind 0000:05:00.0'
fresh
case_ "without --dump, libpci's sysfs method on the fake tree gives the same analysis" '
	xp list --json >$W/dump.json
	"$XP" --sysfs-root $S --proc-root $P list --json >$W/live.json
	cmp $W/dump.json $W/live.json
	"$XP" --sysfs-root $S --proc-root $P --conf $CONF assign 05:00.0 >$W/o
	has $S/bus/pci/drivers/pciback/bind 0000:05:00.0
	has $S/bus/pci/drivers/xhci_hcd/unbind 0000:05:00.0'
case_ "live mode on this machine lists its devices" '
	if [ -d /sys/bus/pci/devices ] && [ -n "$(ls /sys/bus/pci/devices)" ]; then
		"$XP" list 2>/dev/null >$W/o
		[ $(wc -l <$W/o) -eq $(( $(ls /sys/bus/pci/devices | wc -l) + 1 )) ]
	fi'

# Issue 16, item 7: messages and hostile fake trees.
fresh
case_ "an unknown command says so, even without a DEVICE" '
	rc=0; "$XP" foo 2>$W/e || rc=$?; cat $W/e
	[ $rc -eq 2 ]; one_line $W/e; grep -q "unknown command .foo." $W/e'
case_ "an unknown short option in a cluster is named alone" '
	rc=0; "$XP" -xh list 2>$W/e || rc=$?; cat $W/e
	[ $rc -eq 2 ]; one_line $W/e; grep -q "unknown option -x " $W/e'
case_ "an unknown long option is named without its value" '
	rc=0; "$XP" --bogus=1 list 2>$W/e || rc=$?; cat $W/e
	[ $rc -eq 2 ]; one_line $W/e; grep -q "unknown option --bogus " $W/e'
case_ "arguments are echoed with control characters escaped" '
	bad 2 check "$(printf "\033[31mred\t")"
	none "$(printf "\033")" $W/err
	grep -qF "\\x1b[31mred\\x09" $W/err
	bad 2 check 00:1f.3 "$(printf "x\033]0;t\007")"
	grep -qF "x\\x1b]0;t\\x07" $W/err'
case_ "driver names from sysfs are printed with control characters escaped" '
	esc=$(printf "e1000e\033[2J")
	mv $S/bus/pci/drivers/e1000e "$S/bus/pci/drivers/$esc"
	ln -sfn "../../../../bus/pci/drivers/$esc" $S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/driver
	xp check 02:00.0 >$W/o 2>&1; xp list >>$W/o 2>&1
	none "$(printf "\033")" $W/o
	grep -qF "Driver: e1000e\\x1b[2J." $W/o
	grep -qF "e1000e\\x1b[2J" $W/o
	xp assign 02:00.0 >$W/o 2>&1
	none "$(printf "\033")" $W/o
	grep -qF "was e1000e\\x1b[2J" $W/o'
fresh
case_ "--conf naming a directory: one clear line, nothing changed" '
	mkdir -p $W/t/confdir
	bad 1 --conf $W/t/confdir assign 02:00.0 --persist
	grep -q "confdir is a directory, not a seize list file" $W/err'
case_ "list to a full disk fails with one line" '
	rc=0; xp list >/dev/full 2>$W/e || rc=$?; cat $W/e
	[ $rc -eq 1 ]; one_line $W/e; grep -q "No space left on device" $W/e'
case_ "a driver link out of the sysfs tree: refused, nothing written outside it" '
	mkdir -p $W/outside/e1000e; : >$W/outside/e1000e/unbind; : >$W/outside/e1000e/bind
	ln -sfn $W/outside/e1000e $S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/driver
	rc=0; xp assign 02:00.0 >/dev/null 2>$W/e || rc=$?; cat $W/e
	[ $rc -eq 1 ]; one_line $W/e; grep -q "outside the sysfs root" $W/e
	[ ! -s $W/outside/e1000e/unbind ]'
fresh
case_ "lower_ and slaves fan-out and cycles end quickly" '
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do
		mkdir -p $S/devices/virtual/net/v$i $S/devices/virtual/block/dm-$i/slaves
		ln -s ../../devices/virtual/net/v$i $S/class/net/v$i
		ln -s ../../devices/virtual/block/dm-$i $S/class/block/dm-$i
	done
	for i in 0 1 2 3 4 5 6 7 8 9 10 11; do for j in 0 1 2 3 4 5 6 7 8 9 10 11; do
		ln -s ../v$j $S/devices/virtual/net/v$i/lower_v$j
		ln -s ../../dm-$j $S/devices/virtual/block/dm-$i/slaves/dm-$j
	done; done
	ln -s ../../devices/virtual/block/dm-0 $S/dev/block/254:0
	sed -i "s/^br0/v0/" $P/net/route
	sed -i "s| 259:2 / / | 254:0 / / |" $P/self/mountinfo
	rc=0; timeout 30 "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P list >/dev/null 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 0 ]'
fresh
case_ "a FIFO as config or reset_method: one line or ignored, never a hang" '
	d=$(cd $S/bus/pci/devices/0000:02:00.0 && pwd -P)
	rm $d/reset_method; mkfifo $d/reset_method
	rc=0; timeout 30 "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P check 02:00.0 >/dev/null 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 0 ]
	rm $d/config; mkfifo $d/config
	rc=0; timeout 30 "$XP" --sysfs-root $S --proc-root $P list >/dev/null 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "config is not a regular file" $W/e'
fresh
# Issue 16, item 5: a device that fell off the bus (config space all ones)
# or answers with vendor 0000 is not assignable.
fresh
case_ "a device whose config space reads all ones is refused with the reason" '
	d=$(cd $S/bus/pci/devices/0000:02:00.0 && pwd -P)
	head -c 4096 /dev/zero | tr "\0" "\377" >$d/config
	"$XP" --sysfs-root $S --proc-root $P check 02:00.0 >$W/o
	grep -q "^Verdict: not safely assignable: its config space reads all ones (vendor ffff)" $W/o
	snap >$W/before
	rc=0; "$XP" --sysfs-root $S --proc-root $P --conf $CONF assign 02:00.0 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "reads all ones" $W/e
	snap >$W/after; cmp $W/before $W/after'
case_ "a device answering vendor 0000 is refused with the reason" '
	d=$(cd $S/bus/pci/devices/0000:02:00.0 && pwd -P)
	head -c 4096 /dev/zero >$d/config
	"$XP" --sysfs-root $S --proc-root $P check 02:00.0 >$W/o
	grep -q "^Verdict: not safely assignable: it answers with vendor ID 0000" $W/o
	"$XP" --sysfs-root $S --proc-root $P list >$W/o
	grep -q "^0000:02:00.0 .* no " $W/o'
fresh
# Issue 16, item 6: a seize list that cannot be read stops the command with
# the file untouched (a stale errno made a 5 MiB file count as missing).
fresh
case_ "a seize list over the size limit stops assign, file untouched" '
	# The default route on an interface sysfs does not show leaves errno
	# at ENOENT, which the old code then read as "no file yet".
	sed -i "s/^br0/wg9/" $P/net/route
	mkdir -p ${CONF%/*}
	{ echo 0000:04:00.0; yes "# padding padding padding padding padding padding" | head -c 5242880; } >$CONF
	bad 1 assign 02:00.0 --persist; grep -q "pciback.conf is too large" $W/err'
case_ "a seize list that is a FIFO or a symlink loop stops assign, untouched" '
	mkdir -p ${CONF%/*}; rm -f $CONF; mkfifo $CONF
	snap >$W/before
	rc=0; timeout 30 "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --conf $CONF assign 02:00.0 --persist 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "pciback.conf is not a regular file" $W/e
	snap >$W/after; cmp $W/before $W/after; [ -p $CONF ]
	rm -f $CONF; ln -s loop.conf $CONF; ln -s pciback.conf ${CONF%/*}/loop.conf
	bad 1 assign 02:00.0 --persist; grep -q "pciback.conf: Too many levels of symbolic links" $W/err'
fresh
# Issue 16, item 8: durability. The directory is synced after the rename,
# and a seize list that is a symlink stays one (written through).
fresh
case_ "a seize list that is a symlink stays a symlink, written through" '
	mkdir -p ${CONF%/*} $W/t/real
	printf "# mine\n0000:04:00.0\n" >$W/t/real/pciback.conf
	ln -s ../../real/pciback.conf $CONF
	xp assign 02:00.0 --persist >/dev/null
	[ -L $CONF ]; [ "$(readlink $CONF)" = ../../real/pciback.conf ]
	has $W/t/real/pciback.conf "# mine"; has $W/t/real/pciback.conf 0000:04:00.0
	has $W/t/real/pciback.conf 0000:02:00.0
	[ $(ls -A $W/t/real | wc -l) -eq 1 ]; [ $(ls -A ${CONF%/*} | wc -l) -eq 1 ]
	rm $W/t/real/pciback.conf
	xp assign 05:00.0 --persist >/dev/null
	[ -L $CONF ]; has $W/t/real/pciback.conf 0000:05:00.0
	has $W/t/real/pciback.conf "# Written by xen-passthrough(8), read by dom0-initramfs."'
fresh
case_ "the directory is synced after the rename" '
	command -v strace
	mkdir -p ${CONF%/*}
	ASAN_OPTIONS=detect_leaks=0 strace -f -e trace=openat,rename,renameat,renameat2,fsync -o $W/st.log \
		"$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --conf $CONF assign 02:00.0 --persist >/dev/null
	awk -v dir="${CONF%/*}" "
		/rename/ && index(\$0, \"pciback.conf\") { renamed = 1; next }
		renamed && /openat/ && index(\$0, \"\\\"\" dir \"\\\"\") && /O_DIRECTORY/ {
			fd = \$NF; next }
		renamed && fd != \"\" && \$0 ~ \"fsync\\\\(\" fd \"\\\\)\" && / = 0$/ { ok = 1 }
		END { exit !ok }" $W/st.log || { cat $W/st.log | grep -v ENOENT | tail -n 20; false; }'
fresh
# Issue 16, item 3: concurrent --persist runs. The seize list's directory
# is locked (flock) from before the list is read until after it is
# written, so a run that read it earlier cannot overwrite a newer entry.
fresh
case_ "a run waits for the lock another run holds, then re-reads the list" '
	command -v flock
	mkdir -p ${CONF%/*}; printf "# list\n" >$CONF
	# Stands in for a run that loaded the list, binds for 2 s, then saves.
	flock ${CONF%/*} sh -c "cp $CONF $W/snap; sleep 2; echo 0000:04:00.0 >>$W/snap; mv $W/snap $CONF" &
	sleep 0.5
	xp assign 02:00.0 --persist >$W/o 2>$W/e
	wait
	cat $W/e $CONF
	has $CONF 0000:04:00.0; has $CONF 0000:02:00.0'
fresh
case_ "five runs racing with --persist keep every entry" '
	for d in 02:00.0 05:00.0 01:00.0 04:00.0 00:14.0; do
		xp assign $d --persist >/dev/null 2>&1 &
	done
	wait
	for d in 02:00.0 05:00.0 01:00.0 01:00.1 04:00.0 04:01.0 00:14.0; do has $CONF 0000:$d; done'
fresh
# Issue 16, item 4: every precondition is checked before anything is
# written, and a failure part way rolls back to exactly the state before.
# The fake control files record each write appended, so "rolled back"
# shows as the undoing writes after the doing ones. A failure is injected
# by turning one control file into a directory: it exists and is writable,
# so the checks pass, and the write itself fails.
PB=bus/pci/drivers/pciback
D5=devices/pci0000:00/0000:00:1c.5/0000:05:00.0
G0=devices/pci0000:00/0000:00:01.0/0000:01:00.0
G1=devices/pci0000:00/0000:00:01.0/0000:01:00.1
fails_at() { rm -f "$S/$1"; mkdir "$S/$1"; }
# pciback owns the GPU's two functions, as after an assign: links, slots, override.
gpu_on_pciback() {
	for d in $G0 $G1; do
		ln -sfn ../../../../bus/pci/drivers/pciback $S/$d/driver
		printf pciback >$S/$d/driver_override
	done
	printf "0000:01:00.0\n0000:01:00.1\n" >$S/$PB/slots
}
fresh
case_ "a missing control file stops assign and release before any write" '
	rm $S/bus/pci/drivers/e1000e/unbind
	bad 1 assign 02:00.0; grep -q "e1000e/unbind" $W/err
	fresh; rm $S/$PB/unbind
	bad 1 assign 05:00.0; grep -q "pciback/unbind: No such file" $W/err
	fresh; gpu_on_pciback; rm $S/bus/pci/drivers_probe
	bad 1 release 01:00.0; grep -q "drivers_probe" $W/err'
fresh
case_ "a seize list that cannot be written stops assign before any write" '
	snap >$W/before
	rc=0; "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --conf /proc/self/xp-test/pciback.conf \
		assign 02:00.0 --persist 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e
	snap >$W/after; cmp $W/before $W/after
	# The directory exists (and locks), but nothing can be created in it.
	rc=0; "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --conf /proc/self/xp-test.conf \
		assign 02:00.0 --persist 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "cannot create /proc/self/xp-test.conf" $W/e
	snap >$W/after; cmp $W/before $W/after'
fresh
case_ "assign failing at new_slot changes nothing" '
	fails_at $PB/new_slot
	rc=0; xp assign 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "new_slot failed" $W/e
	[ ! -s $S/$D5/driver_override ]; [ ! -s $S/bus/pci/drivers/xhci_hcd/unbind ]
	[ ! -s $S/$PB/bind ]; [ ! -s $S/$PB/remove_slot ]; none . $W/o'
fresh
case_ "assign failing at driver_override removes the slot it added" '
	fails_at $D5/driver_override
	rc=0; xp assign 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "driver_override failed.*rolled back" $W/e
	has $S/$PB/new_slot 0000:05:00.0; has $S/$PB/remove_slot 0000:05:00.0
	[ ! -s $S/bus/pci/drivers/xhci_hcd/unbind ]; [ ! -s $S/$PB/bind ]'
fresh
case_ "assign failing at unbind restores the override and the slot" '
	fails_at bus/pci/drivers/xhci_hcd/unbind
	rc=0; xp assign 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "unbinding from its driver failed.*rolled back" $W/e
	[ "$(cat $S/$D5/driver_override)" = "pciback" ]  # set, then cleared by a newline
	[ "$(od -An -c $S/$D5/driver_override | tr -d " ")" = "pciback\n" ]
	has $S/$PB/new_slot 0000:05:00.0; has $S/$PB/remove_slot 0000:05:00.0
	[ ! -s $S/$PB/bind ]; [ ! -s $S/bus/pci/drivers/xhci_hcd/bind ]'
fresh
case_ "assign failing at bind gives the device back to its own driver" '
	fails_at $PB/bind
	rc=0; xp assign 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "binding to pciback failed.*rolled back" $W/e
	has $S/bus/pci/drivers/xhci_hcd/unbind 0000:05:00.0
	has $S/bus/pci/drivers/xhci_hcd/bind 0000:05:00.0
	has $S/$PB/remove_slot 0000:05:00.0
	[ "$(od -An -c $S/$D5/driver_override | tr -d " ")" = "pciback\n" ]; none . $W/o'
fresh
case_ "a rollback that fails itself says what is left, in the same one line" '
	fails_at $PB/bind; fails_at bus/pci/drivers/xhci_hcd/bind; fails_at bus/pci/drivers_probe
	rc=0; xp assign 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e
	grep -q "binding to pciback failed: Is a directory; rollback failed: 0000:05:00.0: binding its driver again: Is a directory$" $W/e
	has $S/$PB/remove_slot 0000:05:00.0'
fresh
case_ "a slot pciback already has is not added twice, nor removed on rollback" '
	printf "0000:05:00.0\n" >$S/$PB/slots
	xp assign 05:00.0 >/dev/null
	[ ! -s $S/$PB/new_slot ]; has $S/$PB/bind 0000:05:00.0
	fresh; printf "0000:05:00.0\n" >$S/$PB/slots; fails_at $PB/bind
	if xp assign 05:00.0 >/dev/null 2>&1; then false; fi
	[ ! -s $S/$PB/new_slot ]; [ ! -s $S/$PB/remove_slot ]'
fresh
case_ "a group assign failing at its second member rolls back the first, list untouched" '
	mkdir -p ${CONF%/*}; printf "# mine\n0000:04:00.0\n" >$CONF; cp $CONF $W/conf.before
	fails_at bus/pci/drivers/snd_hda_intel/unbind
	rc=0; xp assign 01:00.0 --persist >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "0000:01:00.1: unbinding from its driver failed.*rolled back" $W/e
	has $S/bus/pci/drivers/nouveau/unbind 0000:01:00.0
	has $S/bus/pci/drivers/nouveau/bind 0000:01:00.0
	has $S/$PB/unbind 0000:01:00.0
	[ "$(cat $S/$PB/bind)" = 0000:01:00.0 ]
	[ "$(cat $S/$PB/new_slot)" = 0000:01:00.00000:01:00.1 ]
	[ "$(cat $S/$PB/remove_slot)" = 0000:01:00.10000:01:00.0 ]
	for d in $G0 $G1; do [ "$(od -An -c $S/$d/driver_override | tr -d " ")" = "pciback\n" ]; done
	cmp $CONF $W/conf.before; [ $(ls -A ${CONF%/*} | wc -l) -eq 1 ]; none . $W/o'
fresh
case_ "a group release failing at its second member puts the first back on pciback" '
	gpu_on_pciback
	fails_at $G1/driver_override
	rc=0; xp release 01:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "0000:01:00.1: clearing driver_override failed.*rolled back" $W/e
	[ "$(cat $S/$PB/unbind)" = 0000:01:00.00000:01:00.1 ]
	[ "$(cat $S/$PB/remove_slot)" = 0000:01:00.00000:01:00.1 ]
	[ "$(cat $S/bus/pci/drivers_probe)" = 0000:01:00.0 ]
	[ "$(cat $S/$PB/new_slot)" = 0000:01:00.10000:01:00.0 ]
	[ "$(cat $S/$PB/bind)" = 0000:01:00.10000:01:00.0 ]
	[ "$(od -An -c $S/$G0/driver_override | tr -d " ")" = "pciback\npciback" ]; none . $W/o'
fresh
# release of 05:00.0, owned by pciback, failing at each of its steps.
usb_on_pciback() {
	ln -sfn ../../../../bus/pci/drivers/pciback $S/$D5/driver
	printf pciback >$S/$D5/driver_override
	printf "0000:05:00.0\n" >$S/$PB/slots
}
fresh
case_ "release failing at each step is undone back onto pciback" '
	usb_on_pciback; fails_at $PB/unbind
	rc=0; xp release 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "unbinding from pciback failed: Is a directory; nothing was changed" $W/e
	[ ! -s $S/$PB/remove_slot ]; [ ! -s $S/$PB/bind ]; [ "$(cat $S/$D5/driver_override)" = pciback ]
	fresh; usb_on_pciback; fails_at $PB/remove_slot
	rc=0; xp release 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "remove_slot failed: .*; rolled back" $W/e
	has $S/$PB/unbind 0000:05:00.0; has $S/$PB/bind 0000:05:00.0; [ ! -s $S/$PB/new_slot ]
	fresh; usb_on_pciback; fails_at $D5/driver_override
	rc=0; xp release 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "clearing driver_override failed: .*; rolled back" $W/e
	has $S/$PB/remove_slot 0000:05:00.0; has $S/$PB/new_slot 0000:05:00.0; has $S/$PB/bind 0000:05:00.0
	fresh; usb_on_pciback; fails_at bus/pci/drivers_probe
	rc=0; xp release 05:00.0 >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "reprobing drivers failed: .*; rolled back" $W/e
	[ "$(od -An -c $S/$D5/driver_override | tr -d " ")" = "pciback\npciback" ]
	has $S/$PB/new_slot 0000:05:00.0; has $S/$PB/bind 0000:05:00.0; none . $W/o'
# Moves without --persist are serialised too: every assign and release
# locks pciback's sysfs directory (flock) from before it reads the devices
# until it is done, so one never acts on a state another is changing.
# The stand-in for the other run moves a device in 2 s, holding the lock.
# shellcheck disable=SC2034 # used in the case bodies, which case_ evals
E2=devices/pci0000:00/0000:00:1c.0/0000:02:00.0
fresh
case_ "assign without --persist waits for another move, then sees its result" '
	command -v flock
	flock $S/$PB sh -c "sleep 2; ln -sfn ../../../../bus/pci/drivers/pciback $S/$E2/driver; echo 0000:02:00.0 >$S/$PB/slots" &
	sleep 0.5
	xp assign 02:00.0 >$W/o 2>$W/e
	wait
	cat $W/e
	has $W/o "0000:02:00.0: already owned by pciback"
	grep -q "^xen-passthrough: note: waiting for another xen-passthrough that holds the lock on .*pciback$" $W/e
	[ ! -s $S/bus/pci/drivers/e1000e/unbind ]; [ ! -s $S/$PB/bind ]'
fresh
case_ "release without --persist waits for another move, then sees its result" '
	usb_on_pciback
	flock $S/$PB sh -c "sleep 2; ln -sfn ../../../../bus/pci/drivers/xhci_hcd $S/$D5/driver; : >$S/$PB/slots" &
	sleep 0.5
	xp release 05:00.0 >$W/o 2>$W/e
	wait
	has $W/o "0000:05:00.0: not owned by pciback"
	[ ! -s $S/$PB/unbind ]; [ ! -s $S/bus/pci/drivers_probe ]'
fresh
case_ "a --persist run takes the same lock" '
	flock $S/$PB sh -c "sleep 2; ln -sfn ../../../../bus/pci/drivers/pciback $S/$E2/driver" &
	sleep 0.5
	xp assign 02:00.0 --persist >$W/o 2>$W/e
	wait
	has $W/o "0000:02:00.0: already owned by pciback"; has $CONF 0000:02:00.0
	[ ! -s $S/bus/pci/drivers/e1000e/unbind ]'
fresh
# Issue 16, item 2: the root filesystem guard follows the mount source
# through dm, md, loop and btrfs's devices, by stat() of the source where
# it is a node, and fails closed: when it cannot tell which device holds
# /, every device with a disk below it (or a storage controller) is
# refused, with the reason.
NVME=devices/pci0000:00/0000:00:1d.0/0000:06:00.0/nvme/nvme0/nvme0n1
USB=devices/pci0000:00/0000:00:1c.5/0000:05:00.0/usb2/2-1/2-1:1.0/host0/target0:0:0/0:0:0:0/block/sdb
# root_on FSTYPE SOURCE [MAJ:MIN]: the root mount, instead of the NVMe's ext4.
root_on() {
	awk '$5 != "/"' $P/self/mountinfo >$P/self/mi.new; mv $P/self/mi.new $P/self/mountinfo
	printf "99 1 %s / / rw,relatime shared:1 - %s %s rw\n" "${3:-0:33}" "$1" "$2" >>$P/self/mountinfo
}
# dm-0 ("xpfake-root", 254:0: LUKS or LVM) on the NVMe's nvme0n1p2.
dm_root() {
	mkdir -p $S/devices/virtual/block/dm-0/dm $S/devices/virtual/block/dm-0/slaves
	echo xpfake-root >$S/devices/virtual/block/dm-0/dm/name
	echo 254:0 >$S/devices/virtual/block/dm-0/dev
	ln -s ../../../../../$NVME/nvme0n1p2 $S/devices/virtual/block/dm-0/slaves/nvme0n1p2
	ln -s ../../devices/virtual/block/dm-0 $S/class/block/dm-0
	ln -s ../../devices/virtual/block/dm-0 $S/dev/block/254:0
}
# sdb1 (8:17), a USB disk on the xHCI controller 05:00.0.
usb_disk() {
	mkdir -p $S/$USB/sdb1
	ln -s ../../$USB/sdb1 $S/class/block/sdb1
	ln -s ../../$USB/sdb1 $S/dev/block/8:17
}
root_refused() { # BDF: assign refuses it for the root filesystem
	bad 1 assign $1; grep -q "in use by dom0 (root filesystem)" $W/err
}
fresh
case_ "btrfs on dm-crypt: the NVMe under it is refused" '
	dm_root; root_on btrfs /dev/mapper/xpfake-root
	root_refused 06:00.0
	xp check 06:00.0 >$W/o; grep -q "^Warning: dom0 uses this device for its root filesystem" $W/o'
fresh
case_ "a btrfs over two disks: both controllers are refused" '
	usb_disk; root_on btrfs /dev/nvme0n1p2
	mkdir -p $S/fs/btrfs/0b7e/devices
	ln -s ../../../../$NVME/nvme0n1p2 $S/fs/btrfs/0b7e/devices/nvme0n1p2
	ln -s ../../../../$USB/sdb1 $S/fs/btrfs/0b7e/devices/sdb1
	root_refused 06:00.0
	root_refused 05:00.0'
fresh
case_ "the mount source is resolved by stat() of its device node" '
	dm_root; mkdir -p $W/t/dev; mknod $W/t/dev/rootnode b 254 0
	root_on btrfs $W/t/dev/rootnode
	root_refused 06:00.0'
fresh
case_ "root on a loop file on a USB disk: the USB controller is refused" '
	usb_disk
	mkdir -p $S/devices/virtual/block/loop0/loop
	echo /media/xp-usb/root.img >$S/devices/virtual/block/loop0/loop/backing_file
	ln -s ../../devices/virtual/block/loop0 $S/class/block/loop0
	ln -s ../../devices/virtual/block/loop0 $S/dev/block/7:0
	printf "30 22 8:17 / /media/xp-usb rw - vfat /dev/sdb1 rw\n" >>$P/self/mountinfo
	root_on ext4 /dev/loop0 7:0
	root_refused 05:00.0'
fresh
case_ "a 5 MiB mountinfo is read to its end" '
	mv $P/self/mountinfo $W/mi
	{ awk "BEGIN { for (i = 0; i < 52000; i++) printf \"%d 22 0:%d / /run/user/%d/a/rather/long/mount/point/for/this rw,nosuid shared:%d - tmpfs tmpfs rw\\n\", 100 + i, 50 + i % 200, i, i }"; cat $W/mi; } >$P/self/mountinfo
	[ $(wc -c <$P/self/mountinfo) -gt 5000000 ]
	root_refused 06:00.0'
fresh
case_ "ZFS root: cannot tell, so disks are refused with the reason; a NIC is not" '
	root_on zfs rpool/ROOT/debian
	bad 1 assign 06:00.0
	grep -q "refusing: 0000:06:00.0 may hold the root filesystem: cannot tell which device does: / is zfs from .rpool/ROOT/debian." $W/err
	xp check 06:00.0 >$W/o; grep -q "^Warning: dom0 may use this device for its root filesystem" $W/o
	xp assign 02:00.0 >$W/o; has $S/bus/pci/drivers/pciback/bind 0000:02:00.0'
fresh
case_ "no mountinfo, or --proc-root pointing nowhere: disks refused with the reason" '
	rm $P/self/mountinfo
	bad 1 assign 06:00.0; grep -q "cannot tell which device does: cannot read .*self/mountinfo" $W/err
	snap >$W/before
	rc=0; "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $W/nowhere --conf $CONF assign 06:00.0 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e; grep -q "may hold the root filesystem" $W/e
	snap >$W/after; cmp $W/before $W/after'
fresh
case_ "a dm device without slaves cannot be followed: refused, not passed" '
	dm_root; rm $S/devices/virtual/block/dm-0/slaves/nvme0n1p2; root_on ext4 /dev/dm-0 254:0
	bad 1 assign 06:00.0; grep -q "dm-0 lists no devices below it" $W/err'
fresh
# Issue 16, item 1: release refuses a device a guest holds, naming the
# domain, from xenstore: libxl's /libxl/pci/DDDD-BB-DD-F/domid (PV and HVM)
# and pciback's backend entries (dev-N under backend/pci/DOMID/0). When
# Xen runs and xenstore cannot be read, it cannot tell: it refuses too.
xs_node() { mkdir -p "$(dirname "$XS$1")"; printf %s "$2" >"$XS$1"; }
# A guest DOMID named NAME whose pci backend has the devices given.
pv_guest() {
	id=$1 name=$2; shift 2
	xs_node /local/domain/$id/name "$name"
	i=0
	for d in "$@"; do
		xs_node /local/domain/0/backend/pci/$id/0/dev-$i "$d"
		xs_node /local/domain/0/backend/pci/$id/0/state-$i 4
		i=$((i + 1))
	done
	xs_node /local/domain/0/backend/pci/$id/0/num_devs $i
}
fresh
case_ "release refuses the GPU a PV guest holds (backend entries), naming it" '
	gpu_on_pciback; pv_guest 3 win10 0000:01:00.0 0000:01:00.1
	bad 1 release 01:00.0
	grep -q "refusing: 0000:01:00.0 is used by guest domain 3 (win10); shut the guest down or detach the device first (--force overrides)" $W/err'
fresh
case_ "release refuses a device libxl recorded for an HVM guest (/libxl/pci)" '
	gpu_on_pciback
	xs_node /libxl/pci/0000-01-00-1/domid 5; xs_node /local/domain/5/name hvm1
	bad 1 release 0000:01:00.1
	grep -q "refusing: 0000:01:00.1 is used by guest domain 5 (hvm1)" $W/err
	bad 1 release 01:00.0; grep -q "0000:01:00.1 is used by guest domain 5" $W/err'
fresh
case_ "a guest name is printed escaped" '
	gpu_on_pciback; pv_guest 4 "$(printf "x\033[2Jy")" 0000:01:00.0
	bad 1 release 01:00.0; grep -qF "domain 4 (x\\x1b[2Jy)" $W/err'
fresh
case_ "--force releases it anyway, saying which guest had it" '
	gpu_on_pciback; pv_guest 3 win10 0000:01:00.0 0000:01:00.1
	xp release 01:00.0 --force >$W/o 2>$W/e
	grep -q "note: 0000:01:00.0 is used by guest domain 3 (win10); releasing it anyway (--force)" $W/e
	has $S/bus/pci/drivers/pciback/unbind 0000:01:00.00000:01:00.1'
fresh
case_ "a record for a domain that no longer exists does not block" '
	gpu_on_pciback; xs_node /libxl/pci/0000-01-00-0/domid 7
	xp release 01:00.0 >$W/o 2>$W/e
	grep -q "note: xenstore still records 0000:01:00.0 for domain 7, which no longer exists" $W/e
	has $S/bus/pci/drivers/pciback/unbind 0000:01:00.00000:01:00.1'
fresh
case_ "Xen runs but xenstore cannot be read: release refuses, with the reason" '
	gpu_on_pciback
	snap >$W/before
	rc=0; "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --xenstore-root $W/nowhere release 01:00.0 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; one_line $W/e
	grep -q "refusing: cannot tell whether a guest uses 0000:01:00.0: .*nowhere: No such file or directory (--force overrides)" $W/e
	snap >$W/after; cmp $W/before $W/after
	rm $P/xen/capabilities; mkdir -p $S/hypervisor; echo xen >$S/hypervisor/type
	snap >$W/before
	rc=0; "$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --xenstore-root $W/nowhere release 01:00.0 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 1 ]; grep -q "cannot tell whether a guest uses" $W/e
	snap >$W/after; cmp $W/before $W/after'
fresh
case_ "without Xen (no xenfs, no /sys/hypervisor) no guest can hold it: release works" '
	gpu_on_pciback; rm $P/xen/capabilities
	"$XP" --dump "$DUMP" --sysfs-root $S --proc-root $P --xenstore-root $W/nowhere release 01:00.0 >$W/o
	has $S/bus/pci/drivers/pciback/unbind 0000:01:00.00000:01:00.1'
fresh
case_ "xenstore with only dom0 in it: release works" '
	gpu_on_pciback; pv_guest 3 other 0000:02:00.0
	xp release 01:00.0 >$W/o 2>$W/e
	none . $W/e; has $W/o "0000:01:00.0: released to the kernel"'
# --- the passthrough doctor (issue 16, last section) ---------------------
fresh
# doc BDF EXPR...: each python EXPR holds for d, the device's "doctor"
# object in `list --json`.
doc() {
	bdf=$1; shift
	xp list --json >"$W/j"
	for e in "$@"; do
		python3 -c "import json,sys
d = {x[\"bdf\"]: x for x in json.load(open(sys.argv[1]))[\"devices\"]}[sys.argv[2]][\"doctor\"]
assert $e, d" "$W/j" "$bdf"
	done
}
case_ "doctor: reset_method in its order; do_flr falls back to a bus reset, blocked by the sibling's driver" '
	xp check 01:00.0 >$W/o
	has $W/o "Kernel reset methods (reset_method, in order, list as read): bus."
	grep -q "^No method resets the function alone: pciback.s do_flr falls back to a slot or secondary bus reset through 0000:00:01.0, blocked: .*: 0000:01:00.1 (driver snd_hda_intel)\.$" $W/o
	grep -q "^If an admin wrote this reset_method, do_flr does not fall back" $W/o
	has $W/o "pciback do_flr: present (dom0kit kernel): pciback resets the device when a guest gets it."
	xp check 02:00.0 >$W/o
	has $W/o "Kernel reset methods (reset_method, in order, list as read): flr bus."
	has $W/o "pciback resets the function alone, first with flr."
	xp list >$W/l
	grep -q "^0000:01:00.0 .* bus-reset-blocked " $W/l
	doc 0000:01:00.0 "d[\"reset\"][\"reset_method\"] == [\"bus\"]" "d[\"reset\"][\"function_reset\"] is None" \
		"d[\"reset\"][\"bus_fallback\"] == \"blocked\"" "d[\"reset\"][\"bus_fallback_port\"] == \"0000:00:01.0\"" \
		"d[\"reset\"][\"bus_fallback_siblings\"] == [{\"bdf\": \"0000:01:00.1\", \"driver\": \"snd_hda_intel\", \"domid\": None, \"domain_name\": None, \"blocks\": True, \"holder\": \"driver snd_hda_intel\"}]" \
		"d[\"reset\"][\"do_flr\"] is True"
	doc 0000:04:01.0 "d[\"reset\"][\"reset_method\"] == [\"device_specific\", \"bus\"]" \
		"d[\"reset\"][\"function_reset\"] == \"device_specific\"" "d[\"reset\"][\"bus_fallback\"] == \"not needed\""'
fresh
case_ "doctor: the bus fallback is possible with both functions on pciback, blocked by a guest holding the sibling (named)" '
	gpu_on_pciback
	xp check 01:00.0 >$W/o
	grep -q "through 0000:00:01.0, possible: every other device below it is on pciback and unused: 0000:01:00.1 (pciback, no guest)\.$" $W/o
	doc 0000:01:00.0 "d[\"reset\"][\"bus_fallback\"] == \"possible\""
	pv_guest 4 win10 0000:01:00.1
	xp check 01:00.0 >$W/o
	grep -q "blocked: .*: 0000:01:00.1 (pciback, guest domain 4 (win10))\.$" $W/o
	doc 0000:01:00.0 "d[\"reset\"][\"bus_fallback\"] == \"blocked\"" \
		"d[\"reset\"][\"bus_fallback_siblings\"][0][\"domid\"] == 4" \
		"d[\"reset\"][\"bus_fallback_siblings\"][0][\"domain_name\"] == \"win10\""
	rm $S/$G1/driver
	xp check 01:00.0 >$W/o
	grep -q "blocked: .*: 0000:01:00.1 (no driver)\.$" $W/o'
fresh
case_ "doctor: an empty reset_method means reset disabled; no reset_method file at all (old kernel) means config space" '
	: >$S/$G0/reset_method
	xp check 01:00.0 >$W/o
	has $W/o "Kernel reset methods (reset_method, in order, list as read): none: the file is empty, reset is disabled."
	has $W/o "pciback resets nothing: an admin disabled reset (empty reset_method)."
	doc 0000:01:00.0 "d[\"reset\"][\"reset_method\"] == []" "d[\"reset\"][\"disabled\"] is True" \
		"d[\"reset\"][\"bus_fallback\"] == \"reset disabled\""
	xp list >$W/l
	grep -q "^0000:01:00.0 .* no-reset " $W/l
	find $S/devices -name reset_method -delete
	xp check 00:1f.3 >$W/o
	has $W/o "pciback resets the function alone, first with pm (no reset_method file: from config space)."
	doc 0000:00:1f.3 "d[\"reset\"][\"reset_method\"] is None" "d[\"reset\"][\"function_reset\"] == \"pm\""'
fresh
case_ "doctor: a device without reset_method where others have one: the kernel found no method (it hides the file)" '
	xp check 00:1f.3 >$W/o
	has $W/o "Kernel reset methods: none: no reset_method file, while other devices have one: the kernel found no method for it and hides the file."
	has $W/o "No method resets the function alone, and no bus reset exists: the device is not reset between guests."
	none "from config space" $W/o; none "^If an admin wrote" $W/o
	doc 0000:00:1f.3 "d[\"reset\"][\"reset_method\"] == []" "d[\"reset\"][\"disabled\"] is False" \
		"d[\"reset\"][\"function_reset\"] is None"'
fresh
case_ "list and verdict agree with the doctor: a device whose reset_method the kernel hides has no function reset" '
	rm $S/bus/pci/devices/0000:00:14.0/reset_method $S/bus/pci/devices/0000:02:00.0/reset_method
	xp list >$W/l
	grep -q "^0000:00:14.0 .* no  *none  *yes  *no  " $W/l
	grep -q "^0000:02:00.0 .* no  *slot,bus  *yes  *alone  " $W/l
	xp check 00:14.0 >$W/o
	has $W/o "The kernel offers: none."
	grep -q "^Verdict: not safely assignable: it cannot be reset: the kernel found no reset method for it (no reset_method file, while other devices have one), and there is no bus reset on a root bus\.$" $W/o
	doc 0000:00:14.0 "d[\"reset\"][\"reset_method\"] == []"
	xp list --json >$W/j
	python3 -c "import json,sys
x = {d[\"bdf\"]: d for d in json.load(open(sys.argv[1]))[\"devices\"]}
assert x[\"0000:00:14.0\"][\"reset\"][\"kernel\"] == [] and x[\"0000:00:14.0\"][\"verdict\"][\"kind\"] == \"no\", x[\"0000:00:14.0\"]
assert x[\"0000:02:00.0\"][\"reset\"][\"kernel\"] == [] and x[\"0000:02:00.0\"][\"reset\"][\"methods\"] == [\"flr\", \"slot\", \"bus\"]
assert \"only a bus reset through 0000:00:1c.0\" in x[\"0000:02:00.0\"][\"verdict\"][\"reason\"], x[\"0000:02:00.0\"]
assert x[\"0000:06:00.0\"][\"reset\"][\"kernel\"] is not None" $W/j
	find $S/devices -name reset_method -delete
	xp list >$W/l
	grep -q "^0000:00:14.0 .* no  *pm  *yes  *alone  " $W/l'
fresh
case_ "doctor: without pciback/do_flr (mainline) says what libxl logs; without pciback, unknown" '
	rm $S/$PB/do_flr
	xp check 02:00.0 >$W/o
	has $W/o "pciback do_flr: absent (mainline kernel): libxl logs \"The kernel doesn'"'"'t support reset from sysfs\" and does not reset the device."
	doc 0000:02:00.0 "d[\"reset\"][\"do_flr\"] is False"
	rm -r $S/$PB
	xp check 02:00.0 >$W/o
	has $W/o "pciback do_flr: unknown, pciback is not loaded."
	doc 0000:02:00.0 "d[\"reset\"][\"do_flr\"] is None"'
fresh
case_ "doctor: RMRRs of the xHCI and the iGPU from their IOMMU groups, none for the NIC" '
	xp check 00:14.0 >$W/o
	has $W/o "IOMMU group 3, reserved regions: 0xfee00000-0xfeefffff msi, 0x3e2e0000-0x3e2fffff direct."
	grep -q "^Warning: RMRR (a direct or direct-relaxable region)" $W/o
	xp check 02:00.0 >$W/o
	has $W/o "IOMMU group 4, reserved regions: 0xfee00000-0xfeefffff msi."
	none "^Warning: RMRR" $W/o
	xp list >$W/l
	grep -q "^0000:00:02.0 .* rmrr " $W/l; grep -q "^0000:00:14.0 .* rmrr " $W/l
	doc 0000:00:02.0 "d[\"iommu_group\"] == \"2\"" "d[\"rmrr\"] is True" \
		"d[\"reserved_regions\"][1] == {\"start\": \"0x3b000000\", \"end\": \"0x3f7fffff\", \"type\": \"direct-relaxable\"}"
	doc 0000:02:00.0 "d[\"rmrr\"] is False" "len(d[\"reserved_regions\"]) == 1"
	doc 0000:00:1f.3 "d[\"iommu_group\"] is None" "d[\"reserved_regions\"] is None"'
fresh
case_ "doctor: a malformed reserved_regions line is one note, the others still count" '
	echo "0x1000 banana direct" >>$S/kernel/iommu_groups/3/reserved_regions
	xp check 00:14.0 >$W/o 2>$W/e
	one_line $W/e
	grep -q "^xen-passthrough: note: 0000:00:14.0: kernel/iommu_groups/3/reserved_regions line 3 is not \"0xSTART 0xEND TYPE\": .0x1000 banana direct.; ignored$" $W/e
	grep -q "^Warning: RMRR" $W/o'
fresh
case_ "doctor: MSI-X of the Coral TPU shares a page (warned), the 82574L has its own BAR (ok)" '
	xp check 02:00.0 >$W/o
	has $W/o "MSI-X: table BAR 3 offset 0x0-0x4f, PBA BAR 3 offset 0x2000-0x2007; page aligned, pages not shared."
	doc 0000:02:00.0 "d[\"msix\"] == \"ok\"" "d[\"msix_detail\"].startswith(\"table BAR 3\")"
	doc 0000:00:1f.3 "d[\"msix\"] == \"none\"" "d[\"msix_detail\"] is None"
	C=$W/coral; mkdir -p $C/bus/pci/devices/0000:01:00.0
	printf "0x00000000fe000000 0x00000000fe003fff 0x0000000000140204\n0x0 0x0 0x0\n0x00000000fe100000 0x00000000fe1fffff 0x0000000000140204\n" >$C/bus/pci/devices/0000:01:00.0/resource
	"$XP" --dump $F/coral-tpu.dump --sysfs-root $C --proc-root $C check 01:00.0 >$W/o 2>/dev/null
	has $W/o "Warning: MSI-X table or PBA shares a 4 KiB page with other registers (table BAR 2 offset 0x46800-0x46fff, PBA BAR 2 offset 0x46068-0x46077; the table does not start on a 4 KiB page; the PBA does not start on a 4 KiB page; the table and the PBA share a page; BAR 2 is 0x100000 bytes, so other registers share those pages): Xen cannot pass that through safely."
	"$XP" --dump $F/coral-tpu.dump --sysfs-root $C --proc-root $C list >$W/l 2>/dev/null
	grep -q "^0000:01:00.0 .* msix-shared " $W/l
	rm $C/bus/pci/devices/0000:01:00.0/resource
	"$XP" --dump $F/coral-tpu.dump --sysfs-root $C --proc-root $C list --json 2>/dev/null >$W/j
	python3 -c "import json,sys; d=json.load(open(sys.argv[1]))[\"devices\"][0][\"doctor\"]; assert d[\"msix\"] == \"unknown\" and d[\"msix_detail\"].endswith(\"BAR size unknown (no resource file)\"), d" $W/j'
fresh
case_ "doctor: permissive mode from pciback/permissive" '
	gpu_on_pciback; echo 0000:01:00.1 >$S/$PB/permissive
	xp check 01:00.1 >$W/o
	has $W/o "Permissive: on (pciback/permissive lists it): the guest may write any config space register."
	xp check 01:00.0 >$W/o
	has $W/o "Permissive: off."
	xp list >$W/l
	grep -q "^0000:01:00.1 .*permissive " $W/l
	doc 0000:01:00.1 "d[\"permissive\"] is True" "d[\"permissive_effective\"] is True"
	doc 0000:01:00.0 "d[\"permissive\"] is False" "d[\"permissive_effective\"] is False"
	echo 0000:02:00.0 >>$S/$PB/permissive
	xp check 02:00.0 >$W/o
	has $W/o "Permissive: listed in pciback/permissive, but pciback does not own the device, so it has no effect now."
	doc 0000:02:00.0 "d[\"permissive\"] is True" "d[\"permissive_effective\"] is False"
	rm $S/$PB/permissive
	doc 0000:01:00.1 "d[\"permissive\"] is None" "d[\"permissive_effective\"] is None"'
# In dom0 Xen owns the IOMMU: Linux has no IOMMU groups, and Xen leaves
# the ACPI DMAR table to dom0 renamed RMAD (recorded on QEMU). The RMRRs
# come from it then, matched by their device scopes (start bus and the
# dev.fn path through bridges).
# dmar FILE "BASE LIMIT BUS DEV.FN[/DEV.FN...]"...: an ACPI DMAR table
# (signature = FILE's name) with one DRHD (INCLUDE_PCI_ALL) and one RMRR
# with one endpoint scope per argument.
dmar() {
	f=$1 sig=${1##*/}; shift
	mkdir -p "$(dirname "$f")"
	perl -e '
		my $sig = shift; my $body = pack("vvCCvQ<", 0, 16, 1, 0, 0, 0xfed90000);
		for my $r (@ARGV) {
			my ($base, $limit, $bus, $path) = split / /, $r;
			my @hops = map { my ($d, $f) = split /\./; (hex($d), $f) } split m{/}, $path;
			my $scope = pack("CCvCC", 1, 6 + @hops, 0, 0, hex($bus)) . pack("C*", @hops);
			$body .= pack("vvvvQ<Q<", 1, 24 + length($scope), 0, 0, hex($base), hex($limit)) . $scope;
		}
		my $t = pack("a4VCCa6a8VVV", $sig, 48 + length($body), 1, 0, "XPTEST", "XPTEST", 1, 0, 1) . pack("CCx10", 38, 1) . $body;
		print $t;' "$sig" "$@" >"$f"
}
dom0_view() { # machine-a as dom0 sees it: no IOMMU groups
	rm -r $S/kernel/iommu_groups
	find $S/devices -name iommu_group -type l -delete
}
fresh
case_ "dom0 (no IOMMU groups): RMRRs from ACPI's DMAR as Xen leaves it (RMAD), through a bridge too" '
	dom0_view
	dmar $S/firmware/acpi/tables/RMAD "3e2e0000 3e2fffff 00 14.0" "3b000000 3f7fffff 00 02.0" \
		"3d000000 3d0fffff 00 1c.5/00.0"
	xp check 00:14.0 >$W/o 2>$W/e; none . $W/e
	has $W/o "Reserved regions (ACPI DMAR table RMAD, as Xen leaves it to dom0): 0x3e2e0000-0x3e2fffff rmrr."
	grep -q "^Warning: RMRR" $W/o
	xp xl-config 05:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:05:00.0,rdm_policy=relaxed'"'"' ]"
	grep -q "0000:05:00.0 has an RMRR (0x3d000000-0x3d0fffff rmrr)" $W/e
	xp xl-config 02:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:02:00.0'"'"' ]"; none . $W/e
	doc 0000:00:14.0 "d[\"iommu_group\"] is None" "d[\"rmrr\"] is True" "d[\"reserved_regions_source\"] == \"acpi_dmar\"" \
		"d[\"reserved_regions\"] == [{\"start\": \"0x3e2e0000\", \"end\": \"0x3e2fffff\", \"type\": \"rmrr\"}]"
	doc 0000:02:00.0 "d[\"rmrr\"] is False" "d[\"reserved_regions\"] == []" "d[\"reserved_regions_source\"] == \"acpi_dmar\""
	doc 0000:00:02.0 "d[\"rmrr\"] is True"
	rm $S/firmware/acpi/tables/RMAD
	doc 0000:00:14.0 "d[\"reserved_regions\"] is None" "d[\"reserved_regions_source\"] is None" "d[\"rmrr\"] is False"
	xp xl-config 05:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:05:00.0,rdm_policy=relaxed'"'"' ]"'
fresh
case_ "a DMAR table with a structure running past its end: one note, regions unknown" '
	dom0_view
	dmar $S/firmware/acpi/tables/DMAR "3e2e0000 3e2fffff 00 14.0"
	perl -e "open(my \$f, q(+<), \$ARGV[0]) or die; binmode \$f; seek(\$f, 66, 0); print \$f pack(q(v), 200); close \$f" $S/firmware/acpi/tables/DMAR
	xp check 00:14.0 >$W/o 2>$W/e
	one_line $W/e; grep -q "^xen-passthrough: note: firmware/acpi/tables/DMAR: structure at offset 64 runs past the end of the table; its RMRRs are unknown$" $W/e
	doc 0000:00:14.0 "d[\"reserved_regions\"] is None" "d[\"rmrr\"] is False"'
# AMD: Xen keeps ACPI's IVRS table under its own name (only DMAR is
# renamed, drivers/passthrough/vtd/dmar.c), and its IVMD blocks are AMD's
# RMRRs: 0x20 every device, 0x21 one, 0x22 a range of device ids.
# ivrs FILE "TYPE START LENGTH BDF [LAST-BDF]"...: an IVRS table (IVinfo
# 0x00203040) with one IVHD (type 0x10, IOMMU 00:00.2, capability 0x40,
# device entries "start" 0x0000 and "end" 0xffff) and one IVMD per
# argument (unity, read and write, segment 0).
ivrs() {
	f=$1; shift
	mkdir -p "$(dirname "$f")"
	perl -e '
		sub id { my ($b, $d, $f) = split /[:.]/, shift; return hex($b) << 8 | hex($d) << 3 | $f; }
		my $ents = pack("CvC", 3, 0, 0) . pack("CvC", 4, 0xffff, 0);
		my $body = pack("CCvvvQ<vvV", 0x10, 0, 24 + length($ents), 0x0002, 0x40, 0xfeb80000, 0, 0, 0) . $ents;
		for my $r (@ARGV) {
			my ($type, $start, $len, $first, $last) = split / /, $r;
			$body .= pack("CCvvvvx6Q<Q<", hex($type), 7, 32, id($first // "00:00.0"),
				defined $last ? id($last) : 0, 0, hex($start), hex($len));
		}
		print pack("a4VCCa6a8VVV", "IVRS", 48 + length($body), 2, 0, "XPTEST", "XPTEST", 1, 0, 1)
			. pack("Vx8", 0x00203040) . $body;' "$@" >"$f"
}
fresh
case_ "dom0 on AMD: reserved regions from ACPI's IVRS IVMD blocks, per device, per range and for all" '
	dom0_view
	ivrs $S/firmware/acpi/tables/IVRS "21 3e2e0000 20000 00:14.0" "22 3d000000 100000 04:00.0 05:00.0"
	xp check 00:14.0 >$W/o 2>$W/e; none . $W/e
	has $W/o "Reserved regions (ACPI IVRS table, its IVMD blocks): 0x3e2e0000-0x3e2fffff ivmd."
	grep -q "^Warning: RMRR" $W/o
	xp xl-config 05:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:05:00.0,rdm_policy=relaxed'"'"' ]"
	grep -q "0000:05:00.0 has an RMRR (0x3d000000-0x3d0fffff ivmd)" $W/e
	xp xl-config 02:00.0 >$W/o 2>$W/e; has $W/o "pci = [ '"'"'0000:02:00.0'"'"' ]"; none . $W/e
	doc 0000:00:14.0 "d[\"rmrr\"] is True" "d[\"reserved_regions_source\"] == \"acpi_ivrs\"" \
		"d[\"reserved_regions\"] == [{\"start\": \"0x3e2e0000\", \"end\": \"0x3e2fffff\", \"type\": \"ivmd\"}]"
	doc 0000:02:00.0 "d[\"rmrr\"] is False" "d[\"reserved_regions\"] == []" "d[\"reserved_regions_source\"] == \"acpi_ivrs\""
	doc 0000:00:02.0 "d[\"rmrr\"] is False"
	ivrs $S/firmware/acpi/tables/IVRS "20 a0000 20000"
	doc 0000:00:02.0 "d[\"rmrr\"] is True" "d[\"reserved_regions\"][0][\"start\"] == \"0xa0000\""
	doc 0000:02:00.0 "d[\"rmrr\"] is True"'
fresh
case_ "an IVRS table with a bad IVMD: one note, regions unknown" '
	dom0_view
	ivrs $S/firmware/acpi/tables/IVRS "22 3d000000 100000 05:00.0 04:00.0"
	xp check 00:14.0 >$W/o 2>$W/e
	one_line $W/e; grep -q "^xen-passthrough: note: firmware/acpi/tables/IVRS: IVMD at offset 80 names devices 0x0500 to 0x0400; its reserved regions are unknown$" $W/e
	doc 0000:00:14.0 "d[\"reserved_regions\"] is None" "d[\"rmrr\"] is False"
	ivrs $S/firmware/acpi/tables/IVRS "21 3e2e0000 20000 00:14.0"
	perl -e "open(my \$f, q(+<), \$ARGV[0]) or die; binmode \$f; seek(\$f, 82, 0); print \$f pack(q(v), 40); close \$f" $S/firmware/acpi/tables/IVRS
	xp check 00:14.0 >$W/o 2>$W/e
	one_line $W/e; grep -q "^xen-passthrough: note: firmware/acpi/tables/IVRS: block at offset 80 runs past the end of the table; its reserved regions are unknown$" $W/e'
# boot-report: the fake tree after a boot with the seize list, hide= and
# ids=, and fixtures/boot.kmsg (/dev/kmsg records) as its kernel log.
boot_setup() {
	echo "BOOT_IMAGE=/vmlinuz root=/dev/nvme0n1p2 xen-pciback.hide=(0000:01:00.0)(01:00.1) xen_pciback.hide=0000:04:00.0 quiet" >"$P/cmdline"
	mkdir -p "$S/module/xen_pciback/parameters"
	echo 8086:10d3 >"$S/module/xen_pciback/parameters/ids"
	mkdir -p "$(dirname "$CONF")"
	printf "# seize\n0000:02:00.0\n0000:05:00.0\n0000:07:00.0\n" >"$CONF"
	ln -sfn ../../../../bus/pci/drivers/pciback "$S/devices/pci0000:00/0000:00:1c.0/0000:02:00.0/driver"
}
fresh
case_ "boot-report: who claimed each listed device and when, from the kernel log and sysfs" '
	boot_setup
	rc=0; xp --kmsg $F/boot.kmsg boot-report >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 3 ]; one_line $W/e
	has $W/e "xen-passthrough: 4 of 5 devices listed for seizing are not held by pciback, and pciback ignores 1 entry (see the report)"
	has $W/o "0000:02:00.0 [8086:10d3]: OK"
	has $W/o "  listed by seize list $CONF"
	has $W/o "  listed by xen_pciback parameter ids=: 8086:10d3"
	has $W/o "  now: driver pciback: held by pciback, seized at [    0.800000]."
	has $W/o "0000:01:00.0 [10de:1b80]: NOT SEIZED"
	has $W/o "  listed by hide= on the kernel command line: (0000:01:00.0)"
	has $W/o "  log [    2.500000] nouveau 0000:01:00.0: NVIDIA GP104 (134000a1)"
	grep -q "^  now: driver nouveau: claimed by nouveau at \[    2.500000\], and pciback never tried to seize it" $W/o
	grep -q "^  now: driver xhci_hcd: claimed by xhci_hcd at \[    1.900000\], before pciback tried at \[    3.100000\]" $W/o
	grep -q "^  now: driver snd_hda_intel: pciback seized it at \[    0.700100\], but snd_hda_intel has it now" $W/o
	has $W/o "  now: driver none: no such device on the PCI bus"
	has $W/o "Problem: hide= on the kernel command line: '"'"'0000:04:00.0'"'"' is not a list of (BDF) entries: pciback ignores it."
	none "e1000e\|0000:99" $W/o'
fresh
case_ "boot-report --json carries every field" '
	boot_setup
	rc=0; xp --kmsg $F/boot.kmsg boot-report --json >$W/j 2>$W/e || rc=$?
	[ $rc -eq 3 ]; one_line $W/e
	python3 - $W/j <<PY
import json, sys
r = json.load(open(sys.argv[1]))
d = {x["bdf"]: x for x in r["devices"]}
assert r["kmsg"].endswith("boot.kmsg")
assert set(d) == {"0000:02:00.0", "0000:05:00.0", "0000:07:00.0", "0000:01:00.0", "0000:01:00.1"}, d.keys()
g = d["0000:01:00.0"]
assert g["state"] == "other driver" and g["driver"] == "nouveau" and g["seized_at"] is None and g["present"]
assert g["probes"] == [{"driver": "nouveau", "at": 2.5, "message": "nouveau 0000:01:00.0: NVIDIA GP104 (134000a1)"}]
assert g["listed_by"] == ["hide= on the kernel command line: (0000:01:00.0)"]
u = d["0000:05:00.0"]
assert u["seized_at"] == 3.1 and u["probes"][0]["at"] == 1.9 and u["id"] == "1912:0015"
n = d["0000:02:00.0"]
assert n["state"] == "pciback" and n["seize_message"].endswith("seizing device (ids=8086:10d3)")
assert d["0000:01:00.1"]["seized_at"] == 0.7001
a = d["0000:07:00.0"]
assert a["state"] == "absent" and a["present"] is False and a["id"] is None and a["driver"] is None
assert len(r["problems"]) == 1 and "0000:04:00.0" in r["problems"][0]
PY'
fresh
case_ "boot-report: dmesg-style lines, and nothing listed" '
	boot_setup
	printf "[    0.812345] pciback 0000:02:00.0: xen_pciback: seizing device\n[    2.000001] nouveau 0000:01:00.0: NVIDIA GP104\n" >$W/dmesg
	rc=0; xp --kmsg $W/dmesg boot-report >$W/o 2>/dev/null || rc=$?; [ $rc -eq 3 ]
	has $W/o "  now: driver pciback: held by pciback, seized at [    0.812345]."
	has $W/o "  log [    2.000001] nouveau 0000:01:00.0: NVIDIA GP104"
	fresh
	xp --kmsg $W/dmesg boot-report >$W/o 2>$W/e
	none . $W/e
	has $W/o "No device is listed for seizing (seize list, hide=, ids=, path=)."'
fresh
case_ "boot-report bad input: one line and exit 1 (no log, FIFO, directory, bad seize list), exit 2 (usage)" '
	boot_setup
	bad 1 --kmsg $W/nolog boot-report
	grep -q "^xen-passthrough: cannot read the kernel log .*nolog: No such file or directory$" $W/err
	mkfifo $W/fifo
	bad 1 --kmsg $W/fifo boot-report
	grep -q "cannot read the kernel log .*fifo: not a regular file" $W/err
	bad 1 --kmsg $W boot-report
	echo "not a bdf" >>$CONF
	bad 1 --kmsg $F/boot.kmsg boot-report
	bad 2 boot-report 01:00.0
	bad 2 boot-report --kmsg'
fresh
case_ "boot-report: hide= with a function wildcard, path=, and ids= matching nothing" '
	echo "xen-pciback.hide=(01:00.*) xen-pciback.path=0000:00:1c.4/00.0/01.0 xen-pciback.ids=dead:beef,8086:10d3" >$P/cmdline
	rc=0; xp --kmsg $F/boot.kmsg boot-report >$W/o 2>/dev/null || rc=$?; [ $rc -eq 3 ]
	has $W/o "0000:01:00.0 [10de:1b80]: NOT SEIZED"
	has $W/o "0000:01:00.1 [10de:10f0]: NOT SEIZED"
	[ "$(grep -c "^  listed by hide= on the kernel command line: (01:00.\*)$" $W/o)" -eq 2 ]
	has $W/o "  listed by path= on the kernel command line: 0000:00:1c.4/00.0/01.0"
	has $W/o "  now: driver firewire_ohci: claimed by firewire_ohci (no log line from it), and pciback never tried to seize it (no seizing line): xen-pciback was not loaded before firewire_ohci, or the listing did not reach it (is the seize list in the initramfs? rebuild it: '"'"'update-initramfs -u -k all'"'"' or '"'"'dracut --regenerate-all --force'"'"'; is the hide= syntax right?)."
	has $W/o "  listed by ids= on the kernel command line: 8086:10d3"
	has $W/o "Problem: ids= on the kernel command line: '"'"'dead:beef'"'"' matches no device."'
fresh
case_ "boot-report exits 0 when every listed device is held by pciback, 3 when one is not" '
	boot_setup; printf "0000:02:00.0\n" >$CONF; : >$S/module/xen_pciback/parameters/ids
	echo "root=/dev/nvme0n1p2 quiet" >$P/cmdline
	xp --kmsg $F/boot.kmsg boot-report >$W/o 2>$W/e
	none . $W/e; has $W/o "0000:02:00.0 [8086:10d3]: OK"
	xp --kmsg $F/boot.kmsg boot-report --json >$W/j; python3 -m json.tool $W/j >/dev/null
	echo 0000:05:00.0 >>$CONF
	rc=0; xp --kmsg $F/boot.kmsg boot-report >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 3 ]; one_line $W/e
	has $W/e "xen-passthrough: 1 of 2 devices listed for seizing is not held by pciback (see the report)"
	echo "root=/dev/nvme0n1p2 xen-pciback.ids=dead:beef" >$P/cmdline; sed -i "/05:00.0/d" $CONF
	rc=0; xp --kmsg $F/boot.kmsg boot-report >$W/o 2>$W/e || rc=$?
	cat $W/e; [ $rc -eq 3 ]; one_line $W/e
	has $W/e "xen-passthrough: pciback ignores 1 entry listing devices for seizing (see the report)"'
case_ "--kmsg with another command is a usage error" 'bad 2 --kmsg $F/boot.kmsg list; grep -q "kmsg is only for boot-report" $W/err'
# Recorded on the boot tests' QEMU devices (fixtures/record-qemu.sh: the
# system test's q35 machine, the kernel as dom0 under Xen 4.17 and bare
# with its IOMMU; mkqemusys.sh makes the tree): an edu on the root bus
# (00:08.0), a two-function e1000 behind a root port (01:00.0-1, function
# 1's header without the multi-function bit, as QEMU makes it), an edu
# (02:00.0, hidden, on pciback), an e1000e (03:00.0) and an e1000
# (04:00.0), each alone behind one.
qemu_tree() { # dom0|bare
	sh "$(dirname "$0")/mkqemusys.sh" "$F/qemu-q35-$1.rec" "$W/q"
	QS=$W/q/sys QP=$W/q/proc
}
xq() { "$XP" --sysfs-root "$QS" --proc-root "$QP" --xenstore-root "$W/q/xenstore" --conf "$W/q/etc/pciback.conf" "$@"; }
# qdoc EXPR...: each python EXPR holds for x, the devices of `list --json` by BDF.
qdoc() {
	xq list --json >"$W/qj"
	for e in "$@"; do
		python3 -c "import json,sys
x = {d[\"bdf\"]: d for d in json.load(open(sys.argv[1]))[\"devices\"]}
assert $e, sorted(x)" "$W/qj"
	done
}
case_ "QEMU dom0 (recorded): the verdicts and the doctor on the system test's devices" '
	qemu_tree dom0
	xq list >$W/o 2>$W/e; none . $W/e
	[ $(wc -l <$W/o) -eq 16 ]
	grep -q "^0000:03:00.0 .* alone " $W/o; grep -q "^0000:00:08.0 .* no " $W/o
	qdoc "x[\"0000:01:00.0\"][\"verdict\"][\"with\"] == [\"0000:01:00.1\"]" \
		"x[\"0000:01:00.1\"][\"verdict\"][\"with\"] == [\"0000:01:00.0\"]" \
		"x[\"0000:01:00.0\"][\"doctor\"][\"reset\"][\"reset_method\"] == [\"bus\"]" \
		"x[\"0000:01:00.0\"][\"doctor\"][\"reset\"][\"bus_fallback\"] == \"blocked\"" \
		"x[\"0000:01:00.0\"][\"doctor\"][\"reset\"][\"bus_fallback_siblings\"][0][\"holder\"] == \"driver e1000\"" \
		"x[\"0000:02:00.0\"][\"pciback\"] is True and x[\"0000:02:00.0\"][\"doctor\"][\"reset\"][\"bus_fallback\"] == \"possible\"" \
		"x[\"0000:03:00.0\"][\"doctor\"][\"reset\"][\"reset_method\"] == [\"pm\", \"bus\"]" \
		"x[\"0000:03:00.0\"][\"doctor\"][\"reset\"][\"function_reset\"] == \"pm\"" \
		"x[\"0000:03:00.0\"][\"doctor\"][\"msix\"] == \"ok\"" \
		"x[\"0000:00:08.0\"][\"doctor\"][\"reset\"][\"bus_fallback\"] == \"no bus reset\"" \
		"all(d[\"doctor\"][\"iommu_group\"] is None and d[\"doctor\"][\"reset\"][\"do_flr\"] is True for d in x.values())" \
		"all(d[\"doctor\"][\"permissive\"] is False for d in x.values())" \
		"x[\"0000:01:00.1\"][\"doctor\"][\"reset\"][\"reset_method\"] == [] and x[\"0000:01:00.1\"][\"doctor\"][\"reset\"][\"disabled\"] is False" \
		"all(d[\"doctor\"][\"reserved_regions\"] == [] and d[\"doctor\"][\"reserved_regions_source\"] == \"acpi_dmar\" for d in x.values())"
	xq xl-config 03:00.0 >$W/o; has $W/o "pci = [ '"'"'0000:03:00.0'"'"' ]"
	xq xl-config 01:00.1 >$W/o; has $W/o "pci = [ '"'"'0000:01:00.0'"'"', '"'"'0000:01:00.1'"'"' ]"'
case_ "QEMU bare (recorded): the groups worked out are the kernel's IOMMU groups; the ISA bridge's region is an RMRR" '
	qemu_tree bare
	xq list --json >$W/qj 2>/dev/null
	python3 - $W/qj $QS <<PY
import json, os, sys
x = {d["bdf"]: d for d in json.load(open(sys.argv[1]))["devices"]}
assert len(x) == 15
for bdf, d in x.items():
    g = d["doctor"]["iommu_group"]
    kernel = sorted(os.listdir(os.path.join(sys.argv[2], "kernel/iommu_groups", g, "devices")))
    assert sorted(d["isolation"]["group"]) == kernel, (bdf, d["isolation"]["group"], kernel)
assert x["0000:01:00.1"]["isolation"]["multifunction"] is True
assert x["0000:00:1f.2"]["doctor"]["rmrr"] is True
assert x["0000:00:1f.2"]["doctor"]["reserved_regions"][0] == {"start": "0x0", "end": "0xffffff", "type": "direct-relaxable"}
assert x["0000:03:00.0"]["doctor"]["rmrr"] is False
PY
	xq list >$W/o 2>/dev/null; grep -q "^0000:01:00.1 .* no  *with 0000:01:00.0 " $W/o'
case_ "QEMU dom0 (recorded): boot-report on its kernel log: hide= of the e1000 lost to e1000, the edu seized" '
	qemu_tree dom0
	rc=0; xq --kmsg $W/q/kmsg boot-report >$W/o 2>$W/e || rc=$?
	cat $W/o $W/e; [ $rc -eq 3 ]
	has $W/o "0000:01:00.0 [8086:100e]: NOT SEIZED"
	has $W/o "  listed by hide= on the kernel command line: (0000:01:00.0)"
	has $W/o "  log [    5.054330] e1000 0000:01:00.0 eth0: (PCI:33MHz:32-bit) 52:54:00:12:34:56"
	has $W/o "  log [    5.989111] xen_pciback: 0000:01:00.0 matches slot 0000:01:00.0 but is bound to e1000; not seized"
	grep -q "^  now: driver e1000: claimed by e1000 at \[    5.054330\], before pciback tried at \[    5.989111\]: load xen-pciback earlier" $W/o
	has $W/o "0000:02:00.0 [1234:11e8]: OK"
	has $W/o "  now: driver pciback: held by pciback, seized at [    5.987513]."
	has $W/e "xen-passthrough: 1 of 2 devices listed for seizing is not held by pciback (see the report)"
	rc=0; xq --kmsg $W/q/kmsg boot-report --json >$W/j 2>/dev/null || rc=$?; [ $rc -eq 3 ]
	python3 - $W/j <<PY
import json, sys
d = {x["bdf"]: x for x in json.load(open(sys.argv[1]))["devices"]}
e = d["0000:01:00.0"]
assert e["seized_at"] is None and e["tried_at"] == 5.989111, e
assert e["tried_message"].endswith("is bound to e1000; not seized"), e
assert e["probes"][0]["driver"] == "e1000" and e["probes"][0]["at"] == 5.054330, e
assert d["0000:02:00.0"]["tried_at"] is None and d["0000:02:00.0"]["seized_at"] == 5.987513
PY'
case_ "QEMU dom0 (recorded): assign and release as the boot test does, on the recorded tree" '
	qemu_tree dom0
	xq assign 03:00.0 >$W/o; has $W/o "0000:03:00.0: bound to pciback"
	has $QS/bus/pci/drivers/pciback/new_slot 0000:03:00.0; has $QS/bus/pci/drivers/pciback/bind 0000:03:00.0
	xq release 02:00.0 >$W/o; has $W/o "0000:02:00.0: released to the kernel"
	has $QS/bus/pci/drivers/pciback/unbind 0000:02:00.0; has $QS/bus/pci/drivers_probe 0000:02:00.0
	rc=0; xq assign 00:08.0 2>$W/e || rc=$?; [ $rc -eq 1 ]; one_line $W/e
	grep -q "not safely assignable: it cannot be reset" $W/e'
fresh
echo "1..$n"
[ "$failed" -eq 0 ]

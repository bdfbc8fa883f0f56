# shellcheck shell=bash
# boot-test: boots the kernel just built as Xen dom0 (and bare, as a KVM
# host) under QEMU's software emulation and judges each scenario only by
# markers on the serial console.

# shellcheck source=scripts/lib/kmake.sh
. "$LIB/kmake.sh"
# shellcheck source=scripts/lib/boot-image.sh
. "$LIB/boot-image.sh"
# shellcheck source=scripts/lib/boot-qemu.sh
. "$LIB/boot-qemu.sh"
# shellcheck source=scripts/lib/boot-reset.sh
. "$LIB/boot-reset.sh"
# shellcheck source=scripts/lib/boot-xen.sh
. "$LIB/boot-xen.sh"

help_boot_test() {
	cat <<'H'
Usage: dom0kit boot-test [--kernel SPEC] [--profile NAME] [--scenario LIST]
                         [--xen=4.17|4.20|PATH] [--qemu-cpu=CPU] [--dom0-append=ARGS]
                         [--initrd=FILE] [--judge-log=FILE]
Scenarios (comma-separated; default smoke,seize,passthrough,ids,tool,reset,
reset-guard,reset-handover,reset-policy,reset-race,kvm):
  smoke        dom0 reaches init, /proc/xen/capabilities is control_d,
               uname -r is the built release, xl list shows Domain-0
  seize        QEMU's edu device (1234:11e8) is bound to pciback by
               xen-pciback.hide=(BDF) with pciback as a module, and
               xl pci-assignable-list lists it
  passthrough  q35 + emulated IOMMU + Xen iommu=1: a PV domU gets the edu
               device with pci=[...] and uses it through pcifront
  ids          our seize patches: edu by xen-pciback.ids=, xHCI by class, an
               e1000 behind a root port by path=, an unlisted e1000 left to
               e1000, a malformed token skipped, seize rules changed through
               sysfs; the id-seized edu used by a PV domU
  tool         xen-passthrough in dom0: list --json agrees with sysfs,
               assign/release move devices, its xl-config line makes a
               guest that uses edu
  reset        our do_flr patches: a shared-bus reset of two e1000 functions
               (state read back as reset), a lone device behind a root port,
               EBUSY naming the function bound elsewhere, no method on the
               root bus
  reset-guard  a PV guest holds function 0 of a two-function card without
               FLR: do_flr of function 1 fails with EBUSY naming function 0
               and the domain, the guest reads back what it wrote; after
               the guest, the reset works
  reset-handover  10 PV guests get function 0 one after another, each
               created as soon as the last is gone: each reads it reset
  reset-policy an empty reset_method stops every reset (do_flr ENOTTY; after
               a guest used the device no other gets it); a written list
               is used
  reset-race   do_flr writers while the device is unbound and bound and the
               module unloaded; pciback loads again (no kernel report:
               run it on --profile qemu-debug too)
  kvm          the kernel boots without Xen as a KVM host: kvm_amd, a
               2-vCPU VM, vfio-pci binds edu, BAR0 read through VFIO,
               5 MSIs of edu reach userspace through an eventfd
  dracut       (only on request, with --initrd=FILE: an initramfs that
               dracut made with dom0-initramfs installed and 0000:00:06.0 in
               /etc/dom0kit/pciback.conf, as the install test makes it)
               after udev settled, the listed e1000 is pciback's and the
               unlisted one at 00:07.0 is e1000's
smoke, seize and passthrough share one boot, the reset-* scenarios but
reset itself another.
--xen=4.17 boots the host's Xen 4.17 with its tools (the default: the
host's installed Xen); --xen=4.20 boots Debian trixie's Xen 4.20 with
trixie's tools and libraries in dom0, taken from the trixie base that
system-test caches (made with mmdebstrap if missing; nothing is
installed on the host); smoke then checks that xl info reports that
version. --xen=PATH boots that xen-*.gz or uncompressed Xen ELF with the
host's Xen tools.
Logs: WORKDIR/logs/boot/*.log, each ending in "boot-test: run ended: HOW
after Ns" (finished, fatal, timeout or exited); a scenario passes only if
its run finished. Exit 1 when any scenario fails.
--judge-log=FILE builds and boots nothing: it judges FILE (a kept log, or
one written by hand) as the console of the one boot the scenarios share,
with the checks of a real boot.
H
}

BOOT_SCENARIOS=smoke,seize,passthrough,ids,tool,reset,reset-guard,reset-handover,reset-policy,reset-race,kvm BOOT_XEN='' BOOT_CPU=qemu64 BOOT_DOM0_APPEND='' BOOT_INITRD=''
BOOT_JUDGE_LOG=''
args_boot_test() {
	while [ $# -gt 0 ]; do
		case $1 in
		--scenario=*) BOOT_SCENARIOS=${1#*=} ;;
		--xen=*) xen_arg "${1#*=}" ;;
		--qemu-cpu=*) BOOT_CPU=${1#*=} ;;
		--dom0-append=*) BOOT_DOM0_APPEND=${1#*=} ;;
		--initrd=*) BOOT_INITRD=$(readlink -m "${1#*=}") ;;
		--judge-log=*) BOOT_JUDGE_LOG=$(readlink -m "${1#*=}") ;;
		*) die "$EXIT_USAGE" "unknown option for boot-test: $1 (options take --name=value)" ;;
		esac
		shift
	done
	local s
	for s in ${BOOT_SCENARIOS//,/ }; do
		case $s in smoke | seize | passthrough | ids | tool | reset | reset-guard | reset-handover | reset-policy | reset-race | kvm | dracut) ;;
		*) die "$EXIT_USAGE" "unknown boot-test scenario: $s (smoke, seize, passthrough, ids, tool, reset, reset-guard, reset-handover, reset-policy, reset-race, kvm, dracut)" ;;
		esac
	done
	if wants dracut && [ -z "$BOOT_JUDGE_LOG" ]; then
		[ -n "$BOOT_INITRD" ] || die "$EXIT_USAGE" "the dracut scenario needs --initrd=FILE (an initramfs made by dracut)"
		[ -s "$BOOT_INITRD" ] || die "$EXIT_USAGE" "no initramfs at $BOOT_INITRD"
	fi
	[ -n "$BOOT_JUDGE_LOG" ] || return 0
	[ -f "$BOOT_JUDGE_LOG" ] || die "$EXIT_USAGE" "no log to judge at $BOOT_JUDGE_LOG"
	local boots=0 dom0='' guests=''
	for s in ${BOOT_SCENARIOS//,/ }; do
		case $s in
		smoke | seize | passthrough) [ -n "$dom0" ] || boots=$((boots + 1)) dom0=1 ;;
		reset-guard | reset-handover | reset-policy | reset-race) [ -n "$guests" ] || boots=$((boots + 1)) guests=1 ;;
		*) boots=$((boots + 1)) ;;
		esac
	done
	[ "$boots" -eq 1 ] || die "$EXIT_USAGE" "--judge-log judges one boot: smoke, seize and passthrough share one, reset-guard, reset-handover, reset-policy and reset-race another, any other scenario boots alone (got $BOOT_SCENARIOS)"
}

wants() { [[ ,$BOOT_SCENARIOS, == *,$1,* ]]; }

# The symbols a scenario cannot boot without, checked before booting.
require_config() {
	local sym missing=()
	for sym in "$@"; do
		grep -qE "^$sym=[ym]" "$OBJDIR/.config" || missing+=("$sym")
	done
	[ ${#missing[@]} -eq 0 ] ||
		die "$EXIT_USAGE" "kernel in $OBJDIR lacks ${missing[*]}: it cannot run boot-test ${BOOT_SCENARIOS}"
}

# Judges smoke, seize and passthrough from the one dom0 boot.
judge_dom0() {
	local bdf=0000:00:05.0
	if wants smoke; then
		CHECKS_FAILED=()
		check "dom0 reached init" "DOM0KIT: init"
		check "/proc/xen/capabilities says control_d" "DOM0KIT: caps control_d"
		[ "$(marker_lines 'DOM0KIT: uname ' | head -n 1)" = "$KERNELRELEASE" ] ||
			CHECKS_FAILED+=("uname -r is $KERNELRELEASE (got '$(marker_lines 'DOM0KIT: uname ' | head -n 1)')")
		check "xl list shows Domain-0" "DOM0KIT: xl-list Domain-0"
		if [ -n "$BOOT_XEN_VERSION" ]; then
			[ "$(marker_lines 'DOM0KIT: xen-version ' | head -n 1)" = "$BOOT_XEN_VERSION" ] ||
				CHECKS_FAILED+=("xl info says Xen $BOOT_XEN_VERSION ran (got '$(marker_lines 'DOM0KIT: xen-version ' | head -n 1)')")
		fi
		! has_prefix "DOM0KIT: FAIL " || CHECKS_FAILED+=("a setup step failed: $(marker_lines 'DOM0KIT: FAIL ' | tr '\n' ';')")
		report smoke
	fi
	if wants seize; then
		CHECKS_FAILED=()
		check "xen-pciback.hide= bound $bdf to pciback" "DOM0KIT: driver $bdf pciback"
		check "xl pci-assignable-list lists $bdf" "DOM0KIT: assignable $bdf"
		report seize
	fi
	if wants passthrough; then
		CHECKS_FAILED=()
		word_in "$(marker_lines 'DOM0KIT: virt-caps ')" pv_directio || CHECKS_FAILED+=("xl info shows pv_directio")
		check "the domU sees edu through pcifront" "DOMU: pci 0000:00:00.0 0x1234:0x11e8"
		check "edu's ID register reads 0x010000ed in the domU" "DOMU: EDU-ID 0x010000ed"
		check "edu's liveness register answers in the domU" "DOMU: EDU-LIVENESS OK"
		check "xl create -c returned 0" "DOM0KIT: domu-exit 0"
		# With our do_flr, libxl finds the reset interface it asks for.
		! log_mentions "doesn't support reset from sysfs" ||
			CHECKS_FAILED+=("libxl found pciback's do_flr (it printed: The kernel doesn't support reset from sysfs)")
		report passthrough
	fi
}

# dom0_boot NAME SCENARIOS MACHINE XEN-EXTRA DOM0-EXTRA QEMU-DEVICE-ARGS...
dom0_boot() {
	local name=$1 scen=$2 machine=$3 xen_args dom0_args
	xen_args="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M loglvl=all guest_loglvl=all $4"
	dom0_args="console=hvc0 earlyprintk=xen dom0kit.scenarios=$scen $5 $BOOT_DOM0_APPEND"
	shift 5
	# QEMU splits multiboot modules at commas and reads ",," as one comma.
	[[ $OBJDIR$BOOTDIR${DOM0_INITRD:-} != *,* ]] || die "$EXIT_USAGE" "no comma allowed in the work dir path (QEMU splits boot modules there)"
	info "    booting Xen ($XEN_SOURCE) with $KERNELRELEASE as dom0: $scen"
	qemu_boot "$name" "${DOM0_TIMEOUT:-420}" "DOM0KIT: done" -machine "$machine" -cpu "$BOOT_CPU" -m 2048 -smp 1 "$@" \
		-kernel "$BOOTDIR/xen.elf" -append "$xen_args" \
		-initrd "$OBJDIR/arch/x86/boot/bzImage ${dom0_args//,/,,},${DOM0_INITRD:-$BOOTDIR/dom0-initrd.gz}"
}

dom0_setup() {
	require_config CONFIG_XEN_DOM0 CONFIG_XEN_PV CONFIG_HVC_XEN CONFIG_XENFS CONFIG_XEN_DEV_EVTCHN \
		CONFIG_XEN_PRIVCMD CONFIG_XEN_GNTDEV CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS
	if wants seize || wants passthrough || wants ids; then
		require_config CONFIG_XEN_PCIDEV_BACKEND CONFIG_XEN_PCIDEV_FRONTEND
	fi
	find_xen
	build_progs
	make_dom0_image
}

# smoke, seize and passthrough share one boot: edu at 00:05.0 is hidden by
# bus address and, with passthrough, given to a PV guest.
boot_dom0() {
	local scen edu=0000:00:05.0
	scen=$(echo "$BOOT_SCENARIOS" | tr , '\n' | grep -E '^(smoke|seize|passthrough)$' | paste -sd+)
	# QEMU device options contain commas: they are not array separators.
	# shellcheck disable=SC2054
	if wants passthrough; then
		dom0_boot "dom0-$scen" "$scen" q35 "iommu=1" \
			"xen-pciback.hide=($edu) dom0kit.report=$edu dom0kit.guest=$edu" \
			-device intel-iommu,intremap=on -device edu,addr=05.0
	else
		dom0_boot "dom0-$scen" "$scen" pc "" "xen-pciback.hide=($edu) dom0kit.report=$edu" -device edu,addr=05.0
	fi
	judge_dom0
}

# ids: seizing by ID, class and path (patches/*/000[1-7]), pciback as a
# module: edu by ids=, an unlisted e1000 left to e1000, xHCI by class, an
# e1000 behind a root port by path, a malformed token skipped; the
# id-seized edu is then used by a PV guest.
boot_ids() {
	local report=0000:00:05.0+0000:00:06.0+0000:00:07.0+0000:01:00.0
	# shellcheck disable=SC2054
	dom0_boot dom0-ids ids q35 "iommu=1" \
		"xen-pciback.ids=1234:11e8,zz:11e8,*:*:*:*:0c0330 xen-pciback.path=0000:00:08.0/00.0 dom0kit.load=e1000+xhci-pci dom0kit.report=$report dom0kit.guest=0000:00:05.0" \
		-device intel-iommu,intremap=on -device edu,addr=05.0 -device e1000,addr=06.0 \
		-device qemu-xhci,addr=07.0 -device pcie-root-port,id=rp1,chassis=1,addr=08.0 \
		-device e1000,bus=rp1,addr=00.0
	CHECKS_FAILED=()
	check "edu seized by ids=1234:11e8" "DOM0KIT: driver 0000:00:05.0 pciback"
	check_kernel "the log names the rule that seized edu" "pciback 0000:00:05.0: xen_pciback: seizing device (ids=1234:11e8)"
	check "the unlisted e1000 stays with e1000" "DOM0KIT: driver 0000:00:06.0 e1000"
	check "qemu-xhci seized by its class 0c0330" "DOM0KIT: driver 0000:00:07.0 pciback"
	check "the e1000 behind the root port seized by path" "DOM0KIT: driver 0000:01:00.0 pciback"
	check_kernel "the log names the path rule" "pciback 0000:01:00.0: xen_pciback: seizing device (path=0000:00:08.0/00.0)"
	check_kernel "the malformed token is logged by name" 'xen_pciback: ignoring malformed ids= token "zz:11e8"'
	check "xl pci-assignable-list lists the class-seized device" "DOM0KIT: assignable 0000:00:07.0"
	local rules
	rules=$(marker_lines 'DOM0KIT: seize-rules ')
	{ word_in "$rules" ids=1234:11e8 && word_in "$rules" path=0000:00:08.0/00.0; } ||
		CHECKS_FAILED+=("seize_rules lists the ids= and path= rules (got '$rules')")
	check "remove_seize accepts the ids= rule" "DOM0KIT: remove_seize ok"
	rules=$(marker_lines 'DOM0KIT: seize-rules-after-remove ')
	{ ! word_in "$rules" ids=1234:11e8 && word_in "$rules" path=0000:00:08.0/00.0; } ||
		CHECKS_FAILED+=("remove_seize removes that rule and keeps the path= rule (got '$rules')")
	check "new_seize refuses a malformed rule" "DOM0KIT: new_seize-bad refused"
	check "new_seize adds a rule" "DOM0KIT: new_seize ok"
	check "new_seize refuses a write with one bad token" "DOM0KIT: new_seize-mixed refused"
	check_kernel "naming the token" 'xen_pciback: new_seize: malformed ids= token "zz"; no rule of this write applied'
	check "remove_seize refuses a path with a space in a field" "DOM0KIT: remove_seize-spaced refused"
	rules=$(marker_lines 'DOM0KIT: seize-rules-after-bad ')
	{ ! word_in "$rules" ids=1234:abcd && word_in "$rules" path=0000:00:08.0/00.0; } ||
		CHECKS_FAILED+=("a refused write changes no rule (got '$rules')")
	check "the id-seized edu reads 0x010000ed in the domU" "DOMU: EDU-ID 0x010000ed"
	check "its liveness register answers in the domU" "DOMU: EDU-LIVENESS OK"
	check "xl create -c returned 0" "DOM0KIT: domu-exit 0"
	report ids
}

# tool: tools/xen-passthrough inside dom0 agrees with sysfs, assigns and
# releases devices, and its xl-config line gives a guest that works. The
# devices sit behind root ports: there a bus reset makes them assignable.
boot_tool() {
	# shellcheck disable=SC2054
	dom0_boot dom0-tool tool q35 "iommu=1" \
		"dom0kit.load=e1000 dom0kit.tooledu=0000:01:00.0 dom0kit.toolnic=0000:02:00.0" \
		-device intel-iommu,intremap=on \
		-device pcie-root-port,id=rp1,chassis=1,addr=08.0 -device edu,bus=rp1,addr=00.0 \
		-device pcie-root-port,id=rp2,chassis=2,addr=09.0 -device e1000,bus=rp2,addr=00.0
	CHECKS_FAILED=()
	local counts
	counts=$(marker_lines 'DOM0KIT: tool-json-checked ')
	[[ $counts =~ ^([1-9][0-9]*)\ ([0-9]+)$ ]] && [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] ||
		CHECKS_FAILED+=("list --json has one entry per sysfs device (got '$counts')")
	! has_prefix "DOM0KIT: tool-json-mismatch " ||
		CHECKS_FAILED+=("list --json agrees with sysfs: $(marker_lines 'DOM0KIT: tool-json-mismatch ' | tr '\n' ';')")
	check "assign moves the e1000 to pciback" "DOM0KIT: tool-assign-e1000 pciback"
	check "release gives the e1000 back to e1000" "DOM0KIT: tool-release-e1000 e1000"
	check "assign binds edu to pciback" "DOM0KIT: tool-assign-edu pciback"
	check "xl-config prints the pci line" "DOM0KIT: tool-xl-config pci = [ '0000:01:00.0' ]"
	check "release refuses edu while a guest holds it, naming the guest" \
		"DOM0KIT: tool-release-held 1 xen-passthrough: refusing: 0000:01:00.0 is used by guest domain N (hold); shut the guest down or detach the device first (--force overrides)"
	check "edu stays on pciback after that refusal" "DOM0KIT: tool-release-held-driver pciback"
	check "the guest made from that line uses edu" "DOMU: EDU-LIVENESS OK"
	check "xl create -c returned 0" "DOM0KIT: domu-exit 0"
	check "release leaves edu without a driver again" "DOM0KIT: tool-release-edu driver="
	! has_prefix "DOM0KIT: FAIL " || CHECKS_FAILED+=("a step failed: $(marker_lines 'DOM0KIT: FAIL ' | tr '\n' ';')")
	report tool
}

# reset: do_flr on QEMU topologies built for it. Two e1000 functions
# without FLR share bus 1 behind a root port, both pciback's: one write
# resets both by bus or slot. An e1000 alone on bus 2: reset. Bus 3 has a
# function bound to e1000: EBUSY naming it. edu on the root bus: no
# reset method.
boot_reset() {
	local hide="(0000:01:00.0)(0000:01:00.1)(0000:02:00.0)(0000:03:00.0)(0000:00:05.0)"
	# shellcheck disable=SC2054
	dom0_boot dom0-reset reset q35 "iommu=1" \
		"xen-pciback.hide=$hide dom0kit.load=e1000 dom0kit.statefns=0000:01:00.0+0000:01:00.1+0000:02:00.0 dom0kit.flr=0000:01:00.0+0000:02:00.0+0000:03:00.0+0000:00:05.0" \
		-device intel-iommu,intremap=on -device edu,addr=05.0 \
		-device pcie-root-port,id=rp1,chassis=1,addr=08.0 \
		-device e1000,bus=rp1,addr=00.0,multifunction=on -device e1000,bus=rp1,addr=00.1 \
		-device pcie-root-port,id=rp2,chassis=2,addr=09.0 -device e1000,bus=rp2,addr=00.0 \
		-device pcie-root-port,id=rp3,chassis=3,addr=0a.0 \
		-device e1000,bus=rp3,addr=00.0,multifunction=on -device e1000,bus=rp3,addr=00.1
	CHECKS_FAILED=()
	local f
	for f in 0000:01:00.0 0000:01:00.1 0000:02:00.0; do
		check "RDBAL of $f holds the written value before the reset" "DOM0KIT: reset-before $f 0x12345000"
		check "RDBAL of $f reads 0 after the reset" "DOM0KIT: reset-after $f 0x00000000"
	done
	check "do_flr of a function sharing its bus succeeds" "DOM0KIT: do_flr 0000:01:00.0 ok"
	kernel_says "xen_pciback: reset 0000:01:00.0 with bus on bus 0000:01, devices reset: 2" ||
		kernel_says "xen_pciback: reset 0000:01:00.0 with slot on bus 0000:01, devices reset: 2" ||
		CHECKS_FAILED+=("the log says 0000:01:00.0 was reset with its sibling by bus or slot")
	check "do_flr of a device alone behind a root port succeeds" "DOM0KIT: do_flr 0000:02:00.0 ok"
	check "do_flr fails with EBUSY when a function is bound elsewhere" "DOM0KIT: do_flr 0000:03:00.0 Device or resource busy"
	check_kernel "the log names the blocking function and its driver" "xen_pciback: cannot reset 0000:03:00.0 by bus: 0000:03:00.1 is bound to e1000"
	check "do_flr of edu on the root bus fails with ENOTTY" "DOM0KIT: do_flr 0000:00:05.0 Inappropriate ioctl for device"
	check_kernel "the log says why edu cannot be reset" "xen_pciback: cannot reset 0000:00:05.0: no FLR, PM or bus reset (device on the root bus)"
	report reset
}

# dracut: the initramfs made by dracut from our dom0-initramfs package;
# udev loads e1000 for what pciback did not take first. The test-only
# probe module (tests/fixtures/dracut-probe) reports after udev settled.
boot_dracut() {
	require_config CONFIG_XEN_DOM0 CONFIG_XEN_PV CONFIG_HVC_XEN CONFIG_BLK_DEV_INITRD CONFIG_DEVTMPFS \
		CONFIG_INOTIFY_USER CONFIG_UNIX CONFIG_XEN_PCIDEV_BACKEND
	find_xen
	DOM0_INITRD=$BOOT_INITRD dom0_boot dom0-dracut dracut pc "" "root=/dev/dom0kit-nonexistent rd.shell=0" \
		-device e1000,addr=06.0 -device e1000,addr=07.0
	CHECKS_FAILED=()
	check "dracut's init ran udev to the end" "DOM0KIT: dracut-settled"
	check "the initramfs holds the seize list as modprobe options" "DOM0KIT: modprobe.d options xen_pciback hide=(0000:00:06.0)"
	check "the listed e1000 is pciback's" "DOM0KIT: driver 0000:00:06.0 pciback"
	check "the unlisted e1000 is e1000's" "DOM0KIT: driver 0000:00:07.0 e1000"
	report dracut
}

boot_kvm() {
	require_config CONFIG_KVM CONFIG_KVM_AMD CONFIG_VFIO CONFIG_VFIO_PCI CONFIG_INTEL_IOMMU
	build_progs
	make_kvm_image
	info "    booting $KERNELRELEASE bare as a KVM host"
	qemu_boot kvm 180 "KVMHOST: done" -machine q35 -cpu "$BOOT_CPU,+svm" -m 1024 -smp 2 \
		-device intel-iommu -device edu,addr=05.0 \
		-kernel "$OBJDIR/arch/x86/boot/bzImage" -initrd "$BOOTDIR/kvm-initrd.gz" \
		-append "console=ttyS0 intel_iommu=on vfio-pci.ids=1234:11e8 panic=-1"
	CHECKS_FAILED=()
	check "/dev/kvm appears with kvm_amd" "KVMHOST: dev-kvm present"
	check "a 2-vCPU VM ran its guest code with every expected exit" "KVMHOST: KVM-SMOKE OK vcpus=2"
	[[ $(marker_lines 'KVMHOST: edu 0000:00:05.0 driver ') =~ ^vfio-pci\ group\ [0-9]+$ ]] ||
		CHECKS_FAILED+=("vfio-pci claimed edu by ids=1234:11e8 (no line 'KVMHOST: edu 0000:00:05.0 driver vfio-pci group N')")
	check "BAR0 of edu read and written through VFIO's group API" "KVMHOST: VFIO-EDU OK api=group"
	check "5 factorial interrupts of edu arrived as MSI through VFIO's eventfd" "KVMHOST: VFIO-EDU-MSI OK count=5"
	if grep -qsE '^CONFIG_VFIO_DEVICE_CDEV=y' "$OBJDIR/.config"; then
		check "BAR0 of edu read and written through iommufd" "KVMHOST: VFIO-EDU OK api=iommufd"
	fi
	report kvm
}

cmd_boot_test() {
	if [ -n "$BOOT_JUDGE_LOG" ]; then
		judge_only
	else
		ensure_deps boot-test
		command -v qemu-system-x86_64 >/dev/null || die "$EXIT_DEPS" "qemu-system-x86_64 not found: apt-get install qemu-system-x86"
		if [ ! -f "$OBJDIR/arch/x86/boot/bzImage" ] || [ ! -f "$OBJDIR/.config" ]; then
			die "$EXIT_USAGE" "no kernel built for $RELEASE with profile $OPT_PROFILE: run dom0kit build --kernel $RELEASE --profile $OPT_PROFILE"
		fi
	fi
	[ -f "$STATEDIR/kernelrelease@$OPT_PROFILE" ] && KERNELRELEASE=$(cat "$STATEDIR/kernelrelease@$OPT_PROFILE")
	BOOTDIR=$WORKDIR/boot/$RELEASE-$OPT_PROFILE
	mkdir -p "$BOOTDIR" "$WORKDIR/logs/boot"
	: >"$WORKDIR/logs/boot-test.log"
	planned boot-test "boot $KERNELRELEASE under QEMU: $BOOT_SCENARIOS" && return 0
	stage_begin boot-test
	BOOT_FAILURES=0
	if wants smoke || wants seize || wants passthrough || wants ids || wants tool || wants reset ||
		wants reset-guard || wants reset-handover || wants reset-policy || wants reset-race; then dom0_setup; fi
	if wants smoke || wants seize || wants passthrough; then boot_dom0; fi
	if wants ids; then boot_ids; fi
	if wants tool; then boot_tool; fi
	if wants reset; then boot_reset; fi
	if wants reset-guard || wants reset-handover || wants reset-policy || wants reset-race; then boot_reset_guests; fi
	if wants dracut; then boot_dracut; fi
	if wants kvm; then boot_kvm; fi
	stage_end boot-test
	[ "$BOOT_FAILURES" -eq 0 ] || die "$EXIT_FAIL" "$BOOT_FAILURES boot-test scenario(s) failed"
}

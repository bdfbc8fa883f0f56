# shellcheck shell=bash
# system-test's checks: each scenario is a list of whole console lines
# (boot-qemu.sh's check/report), written by scripts/system/dom0-test in
# dom0 and, prefixed "DOM0KIT-SYS: NAME | ", by the guests.

S='DOM0KIT-SYS:'

# sys_check_driver DESCRIPTION BDF DRIVER
sys_check_driver() { check "$1" "$S driver $2 $3"; }

# The first boot: every guest scenario, then --persist.
judge_phase1() {
	local g
	if sys_wants grub; then
		CHECKS_FAILED=()
		check "GRUB loaded our kernel" "Loading Linux $KERNELRELEASE ..."
		check "dom0 runs the packaged kernel" "$S kernel $KERNELRELEASE"
		[[ $(marker_lines "$S grub-default-title ") == *"with Xen hypervisor"* ]] ||
			CHECKS_FAILED+=("GRUB's default entry is a Xen one of 20_linux_xen (got '$(marker_lines "$S grub-default-title ")')")
		marker_lines "$S grub-default " | grep -qE "^module2? /boot/vmlinuz-$KERNELRELEASE\$" ||
			CHECKS_FAILED+=("the default entry boots /boot/vmlinuz-$KERNELRELEASE as dom0")
		marker_lines "$S grub-default " | grep -qE "^module2? /boot/initrd.img-$KERNELRELEASE\$" ||
			CHECKS_FAILED+=("the default entry loads /boot/initrd.img-$KERNELRELEASE")
		check "systemd finished the boot with no failed unit" "$S system-state running"
		has_prefix "$S failed-unit " && CHECKS_FAILED+=("failed units: $(marker_lines "$S failed-unit " | paste -sd' ')")
		check "xen.service (xenstored, xenconsoled, xen-init-dom0) is active" "$S xen-service active"
		check "xl info names Xen $SYSTEM_XEN" "$S xen-version $SYSTEM_XEN"
		check "dom0 is a PV dom0" "$S guest-type PV"
		check "the machine booted by $SYSTEM_FIRMWARE" "$S firmware $SYSTEM_FIRMWARE"
		SYSTEM_STARTUP=$(marker_lines "$S startup " | sed -n 's/.*\(multi-user\|graphical\).target reached after \([0-9.a-z ]*\) in userspace.*/\2/p')
		report grub
		[ -z "$SYSTEM_STARTUP" ] || info "    dom0 reached its default target ${SYSTEM_STARTUP} after systemd started"
	fi
	if sys_wants seize-at-boot; then
		CHECKS_FAILED=()
		sys_check_driver "the listed e1000e is pciback's" 0000:03:00.0 pciback
		check "e1000e never probed it in this boot" "$S probed-by-host 0000:03:00.0 0"
		sys_check_driver "the listed edu is pciback's" 0000:02:00.0 pciback
		sys_check_driver "the unlisted e1000 is e1000's" 0000:04:00.0 e1000
		check "xen-passthrough assign --persist moved it to pciback" "$S assign-persist 0000:04:00.0 rc=0 driver=pciback"
		check "the initramfs was rebuilt with the new list" "$S initramfs-rebuilt rc=0"
		report seize-at-boot
	fi
	if sys_wants pv-passthrough; then
		CHECKS_FAILED=()
		check "the PV guest started" "$S pv created"
		check "edu's ID register reads 0x010000ed in the PV guest" "$S pv | DOMU: EDU-ID 0x010000ed"
		check "edu's liveness register answers in the PV guest" "$S pv | DOMU: EDU-LIVENESS OK"
		check "the PV guest ran to its end" "$S pv | DOMU: done"
		report pv-passthrough
	fi
	if sys_wants pvh; then
		CHECKS_FAILED=()
		check "the PVH guest started" "$S pvh created"
		check "the guest knows it is PVH" "$S pvh | DOMU: hypervisor PVH"
		check "the PVH guest ran to its end" "$S pvh | DOMU: done"
		report pvh
	fi
	if sys_wants hvm-passthrough; then
		CHECKS_FAILED=()
		for g in hvm1 hvm2; do
			check "$g started" "$S $g created"
			check "$g is an HVM guest" "$S $g | DOMU: hypervisor HVM"
			check "edu's ID register reads 0x010000ed in $g" "$S $g | DOMU: EDU-ID 0x010000ed"
			check "edu's liveness register answers in $g" "$S $g | DOMU: EDU-LIVENESS OK"
			check "vfio-pci (no IOMMU) took edu in $g" "$S $g | DOMU: edu-driver vfio-pci"
			check "edu raised 5 MSI interrupts that $g counted" "$S $g | DOMU: VFIO-EDU-MSI OK count=5"
			check "$g ran to its end" "$S $g | DOMU: done"
		done
		[[ $(marker_lines "$S hvm1 | DOMU: e1000e-driver ") == "e1000e netdev="[a-z]* ]] ||
			CHECKS_FAILED+=("e1000e bound the passed-through NIC in hvm1 and made a netdev")
		check "the e1000e link came up in hvm1" "$S hvm1 | DOMU: e1000e-carrier 1"
		[[ $(marker_lines "$S hvm1 | DOMU: e1000e-msix-vectors ") =~ ^[1-9] ]] ||
			CHECKS_FAILED+=("e1000e uses MSI-X vectors in hvm1")
		check "after hvm1, edu is pciback's again" "$S after hvm1: driver 0000:02:00.0 pciback 0000:03:00.0 pciback"
		SYSTEM_HVM_FIRST=$(marker_lines "$S hvm1 first-line after ")
		report hvm-passthrough
		[ -z "$SYSTEM_HVM_FIRST" ] || info "    HVM guest's first line ${SYSTEM_HVM_FIRST} after xl create"
	fi
	if sys_wants hvm-reset-guard; then
		CHECKS_FAILED=()
		check "the HVM guest wrote its value into function 0" "$S guard | DOMU: guard-wrote 0x12345000"
		check "do_flr of function 1 fails with EBUSY while the guest holds function 0" \
			"$S guard do_flr 0000:01:00.1 while the guest runs: Device or resource busy"
		check "the guest reads its value back" "$S guard | DOMU: guard-after 0x12345000"
		check "once the guest is gone the reset works" "$S guard do_flr 0000:01:00.1 after the guest: ok"
		check "the next HVM guest finds function 0 reset" "$S handover | DOMU: handover-before 0x00000000"
		report hvm-reset-guard
	fi
}

# The second boot: what --persist wrote holds across a reboot.
judge_phase2() {
	CHECKS_FAILED=()
	check "the disk booted again" "$S phase 2"
	if sys_wants seize-at-boot; then
		sys_check_driver "the e1000 assigned with --persist is pciback's after the reboot" 0000:04:00.0 pciback
		check "e1000 never probed it in this boot" "$S probed-by-host 0000:04:00.0 0"
		sys_check_driver "the e1000e from pciback.conf still is" 0000:03:00.0 pciback
	fi
	report seize-reboot
}

# The third boot: a PVH dom0 (Xen 4.20 boots one; passthrough from it to
# HVM guests arrives in Xen 4.21, so no guest is started).
judge_phase3() {
	CHECKS_FAILED=()
	check "dom0 is a PVH dom0" "$S guest-type PVH"
	check "systemd finished the boot with no failed unit" "$S system-state running"
	sys_check_driver "pciback seized the listed edu" 0000:02:00.0 pciback
	sys_check_driver "and the listed e1000e" 0000:03:00.0 pciback
	report pvh-dom0
}

# shellcheck shell=bash
# boot-test's reset scenarios with a guest running (patches 0009-0010):
# function 0 of a two-function e1000 card without FLR, behind a root
# port, is given to PV guests; function 1 is pciback's and unused.
#   reset-guard     while a guest holds function 0 with a value written
#                   into it, do_flr of function 1 (a bus reset would hit
#                   function 0) fails with EBUSY naming function 0 and the
#                   domain, and the guest reads its value back; once the
#                   guest is gone the same reset works.
#   reset-handover  guests get function 0 one after another, each created
#                   as soon as the previous one is gone: every one reads
#                   the reset value before writing its own.
#   reset-policy    an e1000 alone behind a second root port: an empty
#                   reset_method means no reset, not even by bus; after a
#                   guest used it so, no other guest gets it; a list
#                   written there is the one used.
#   reset-race      (last in that boot) three loops write do_flr while the
#                   device is unbound and bound 20 times and the module is
#                   unloaded under them; pciback then loads again and takes
#                   its devices. Any kernel report fails it: run it on the
#                   qemu-debug profile (lockdep, SLUB, DEBUG_OBJECTS).

BOOT_HANDOVERS=10

boot_reset_guests() {
	local f0=0000:01:00.0 f1=0000:01:00.1 p=0000:02:00.0 scen
	scen=$(echo "$BOOT_SCENARIOS" | tr , '\n' | grep -E '^reset-(guard|handover|policy|race)$' | paste -sd+)
	# Eleven guests or more: 280 s on an idle machine, the limit allows
	# for a loaded one.
	# shellcheck disable=SC2054
	DOM0_TIMEOUT=900 dom0_boot "dom0-$scen" "$scen" q35 "iommu=1" \
		"xen-pciback.hide=($f0)($f1)($p) dom0kit.guardfn=$f0 dom0kit.guardsib=$f1 dom0kit.policyfn=$p dom0kit.handovers=$BOOT_HANDOVERS" \
		-device intel-iommu,intremap=on -device pcie-root-port,id=rp1,chassis=1,addr=08.0 \
		-device e1000,bus=rp1,addr=00.0,multifunction=on -device e1000,bus=rp1,addr=00.1 \
		-device pcie-root-port,id=rp2,chassis=2,addr=09.0 -device e1000,bus=rp2,addr=00.0
	if wants reset-race; then
		CHECKS_FAILED=()
		check "20 unbinds and binds under do_flr writers end with pciback" "DOM0KIT: race-rebinds 20 driver=pciback"
		check "the module unloads under the writers" "DOM0KIT: race-rmmod rc=0"
		check "and loads again" "DOM0KIT: race-modprobe rc=0"
		check "loaded again, pciback takes both functions and do_flr works" "DOM0KIT: race-after pciback pciback do_flr=ok"
		report reset-race
	fi
	if wants reset-policy; then
		CHECKS_FAILED=()
		local refused
		check "the test wrote RDBAL of $p" "DOM0KIT: policy-wrote 0x12345000"
		check "do_flr with an empty reset_method fails with ENOTTY" "DOM0KIT: policy-empty-flr Inappropriate ioctl for device"
		check_kernel "the log says why" "xen_pciback: cannot reset $p: its reset_method is empty, reset is disabled"
		check "nothing was reset: RDBAL still holds the value" "DOM0KIT: policy-empty-after 0x12345000"
		check "do_flr refuses a malformed address with EINVAL" "DOM0KIT: flr-malformed Invalid argument"
		check_kernel "naming it" 'xen_pciback: do_flr: malformed device address "0000:02:zz.0"'
		check "and a wildcard" "DOM0KIT: flr-wildcard Invalid argument"
		check_kernel "naming it" 'xen_pciback: do_flr: malformed device address "0000:02:00.*"'
		check "and a device pciback does not own with ENODEV" "DOM0KIT: flr-not-owned No such device"
		check_kernel "naming it" "xen_pciback: do_flr: 0000:00:01.0 is not owned by pciback"
		check "a first guest gets and uses the device" "DOM0KIT: policy-used-guest wrote=0x12345000"
		check_kernel "released with reset disabled, the device is marked" "xen_pciback: $p not reset (error -25): it is reset by slot or bus before a domain gets it"
		refused=$(kernel_first "xen_pciback: not handing ")
		[[ $refused =~ ^xen_pciback:\ not\ handing\ $p\ to\ domain\ [1-9][0-9]*:\ not\ reset\ since\ its\ last\ use\ \(error\ -25\)$ ]] ||
			CHECKS_FAILED+=("pciback refuses to hand the unreset device to a guest (got '$refused')")
		# Either xl create failed or the guest came up without the device.
		has_prefix "DOM0KIT: policy-refused-guest before=" && [[ $(marker_lines 'DOM0KIT: policy-refused-guest before=') =~ ^(none)?$ ]] ||
			CHECKS_FAILED+=("the guest did not get the device (got '$(marker_lines 'DOM0KIT: policy-refused-guest ')')")
		check "a list can be written" "DOM0KIT: policy-set bus"
		check "do_flr uses the written list" "DOM0KIT: policy-list-flr ok"
		check_kernel "through the core's reset, not pciback's fallback" "xen_pciback: reset $p with a method of its reset_method"
		check "and it reset the device" "DOM0KIT: policy-list-after 0x00000000"
		report reset-policy
	fi
	if wants reset-guard; then
		CHECKS_FAILED=()
		local domid f
		domid=$(marker_lines 'DOM0KIT: guard-domid ')
		check "the guest wrote RDBAL of $f0" "DOM0KIT: guard-wrote 0x12345000"
		check "do_flr of $f1 fails with EBUSY while a guest holds $f0" "DOM0KIT: guard-flr-sibling Device or resource busy"
		[[ $domid =~ ^[1-9][0-9]*$ ]] || CHECKS_FAILED+=("the guest's domain id is known (got '$domid')")
		kernel_says "xen_pciback: cannot reset $f1 by slot: $f0 is in use by domain $domid" ||
			kernel_says "xen_pciback: cannot reset $f1 by bus: $f0 is in use by domain $domid" ||
			CHECKS_FAILED+=("the log names $f0 and domain $domid as the reason")
		check "the guest reads its value back unchanged" "DOM0KIT: guard-after 0x12345000"
		check "once the guest is gone, do_flr of $f1 works" "DOM0KIT: guard-flr-after-exit ok"
		for f in $f0 $f1; do
			check "RDBAL of $f reads 0 after that reset" "DOM0KIT: guard-reset-after $f 0x00000000"
		done
		! has_prefix "DOM0KIT: xl-create guard: " || CHECKS_FAILED+=("xl create of the guard guest: $(marker_lines 'DOM0KIT: xl-create guard: ' | tr '\n' ';')")
		report reset-guard
	fi
	if wants reset-handover; then
		CHECKS_FAILED=()
		local n
		for ((n = 1; n <= BOOT_HANDOVERS; n++)); do
			check "guest $n of $BOOT_HANDOVERS finds $f0 reset and writes it" \
				"DOM0KIT: handover $n before=0x00000000 wrote=0x12345000"
		done
		! has_prefix "DOM0KIT: xl-create ho" || CHECKS_FAILED+=("xl create: $(marker_lines 'DOM0KIT: xl-create ho' | tr '\n' ';')")
		report reset-handover
	fi
}

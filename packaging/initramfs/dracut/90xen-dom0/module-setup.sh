#!/bin/bash
# dracut module xen-dom0: the Xen backend modules, and xen-pciback loaded
# before udev with the seize list from /etc/dom0kit/pciback.conf.
# shellcheck disable=SC2154 # initdir and moddir are set by dracut

# Installing dom0-initramfs asks for this module: always included.
check() {
	require_binaries modprobe || return 1
	return 0
}

depends() {
	echo kernel-modules
}

installkernel() {
	# Missing ones are skipped: a kernel may have some built in.
	hostonly='' instmods xen-pciback xen-blkback xen-netback xen-scsiback \
		xen-pvcalls-back xen-gntdev xen-gntalloc xen-evtchn xen-privcmd xenfs
}

# A list that cannot be used stops dracut: dracut ignores what install()
# returns (the image would be written without the list, and the devices
# meant for guests would go to their dom0 drivers at boot), so this is
# its fatal path, dfatal and exit, as for a failed installkernel(). The
# initramfs in place is left as it was. Policy: README.Debian.
install() {
	local options
	if ! options=$(/usr/sbin/dom0kit-pciback options 2>&1); then
		dfatal "xen-dom0: ${options#dom0kit-pciback: }: no initramfs is built without the seize list (dom0kit-pciback check)"
		exit 1
	fi
	if [[ $options ]]; then
		mkdir -p "$initdir/etc/modprobe.d"
		printf '%s\n' "$options" >"$initdir/etc/modprobe.d/dom0kit-pciback.conf"
	fi
	[[ -e /etc/dom0kit/pciback.conf ]] && inst_simple /etc/dom0kit/pciback.conf
	inst_hook pre-udev 30 "$moddir/xen-dom0-pciback.sh"
}

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

install() {
	local options
	options=$(/usr/share/dom0-initramfs/pciback-options /etc/dom0kit/pciback.conf) || return 1
	if [[ $options ]]; then
		mkdir -p "$initdir/etc/modprobe.d"
		printf '%s\n' "$options" >"$initdir/etc/modprobe.d/dom0kit-pciback.conf"
	fi
	[[ -e /etc/dom0kit/pciback.conf ]] && inst_simple /etc/dom0kit/pciback.conf
	inst_hook pre-udev 30 "$moddir/xen-dom0-pciback.sh"
}

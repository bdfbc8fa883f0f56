# A minimal kernel for the boot tests: boots as Xen dom0 and PV domU under
# QEMU; builds cold in about ten minutes on two cores.
base=allnoconfig
fragments="qemu xen-dom0 passthrough kvm-host kvm-iommufd@>=6.6"

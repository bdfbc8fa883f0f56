# The qemu profile with lockdep, UBSAN, SLUB and kobject debugging, for
# `make check-debug`: the boot test fails on any report.
base=allnoconfig
fragments="qemu xen-dom0 passthrough kvm-host kvm-iommufd@>=6.6 debug"

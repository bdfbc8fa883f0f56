# The qemu profile plus what a GRUB-booted Debian system with systemd needs
# (configs/system.config): dom0 and guest kernel of `dom0kit system-test`.
base=allnoconfig
fragments="qemu system xen-dom0 passthrough kvm-host kvm-iommufd@>=6.6"

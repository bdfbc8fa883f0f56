# The distro profile trimmed to the modules loaded on this machine, as
# localmodconfig does; the fragments put every Xen, passthrough and KVM
# module back afterwards.
base=distro
fragments="xen-dom0 passthrough kvm-host kvm-iommufd@>=6.6"
trim=localmodconfig

# Debian's own config for the line, plus everything dom0 and passthrough
# need. The default.
base=distro
fragments="xen-dom0 passthrough kvm-host kvm-iommufd@>=6.6"

#!/bin/sh
# Before udev: xen-pciback takes the listed devices first. Off Xen the
# module refuses to load, which is fine.
modprobe -q xen-pciback 2>/dev/null || :

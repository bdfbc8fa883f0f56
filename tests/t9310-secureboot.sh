#!/bin/bash
# Secure Boot (issue 15): the kernel image of the qemu-system package that
# make check-system builds (t5600, which runs first), booted bare by Debian's OVMF Secure Boot
# build (OVMF_CODE_4M.secboot.fd, SMM) whose PK, KEK and db hold only a
# test certificate (virt-fw-vars). Signed with that key by sbsign, as
# debian/rules signs a --sign-key build, it boots: the EFI stub and the
# kernel say Secure Boot is on. The same image unsigned, or signed by a
# key that is not in db, is refused by the firmware (Access Denied).
# Unsigned with Secure Boot off it boots: the refusal is Secure Boot's.
# Then the real signing path: a --sign-key build of the same profile,
# whose debian/rules signs the image (sbsign) and the modules with the
# enrolled key. Its packaged image boots under Secure Boot with an
# initramfs, the kernel locks itself down (Debian's
# LOCK_DOWN_IN_EFI_SECURE_BOOT, patches 0013-0014), a module signed by
# the build loads and the same module without its signature is refused;
# with Secure Boot off the same kernel is not locked down and the
# unsigned copy loads. Six TCG boots, each stopped at its marker, and the
# signed build (its own work dir in .check: cold the first time): make
# check-system (DOM0KIT_CHECK_SYSTEM=1) runs them; DOM0KIT_SB_IMAGE=FILE
# boots that EFI image instead of the package's and skips the signed
# build.
. "$(dirname "$0")/test-lib.sh"
test_plan 8
. "$TEST_DIRECTORY/check-env.sh"

if [ -z "${DOM0KIT_CHECK_SYSTEM:-}" ] && [ -z "${DOM0KIT_SB_IMAGE:-}" ]; then
	for c in "the qemu-system image" "signed boots" "unsigned refused" "foreign key refused" "Secure Boot off boots" \
		"a --sign-key build signs its image" "lockdown under Secure Boot" "no lockdown with Secure Boot off"; do
		test_skip "Secure Boot: $c (make check-system runs it, after t5600 built the qemu-system package)"
	done
	test_done
fi

CODE=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
export CODE

# sb_boot ESP VARS LOG: OVMF boots the directory ESP (a read-only FAT
# drive, no mount) with a copy of the variable store VARS, serial console
# in LOG; stopped when the kernel says whether Secure Boot is on, the
# firmware refuses the image, the kernel panics, or after 300 s.
sb_boot() {
	local esp=$1 vars=$2 log=$3 pid i
	cp "$vars" "$log.vars" && : >"$log"
	qemu-system-x86_64 -accel tcg -display none -monitor none -no-reboot -net none -m 512 \
		-machine q35,smm=on -global driver=cfi.pflash01,property=secure,value=on \
		-drive if=pflash,format=raw,unit=0,readonly=on,file="$CODE" \
		-drive if=pflash,format=raw,unit=1,file="$log.vars" \
		-drive file=fat:"$esp",format=raw,if=virtio,readonly=on \
		-serial file:"$log" &
	pid=$!
	for i in $(seq 300); do
		grep -aqE "Secure boot (enabled|disabled)|: Access Denied|Kernel panic|No bootable option|^DOM0KIT: done" "$log" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	echo "boot of $esp: stopped after ${i}s"
	tr -d '\r' <"$log" >"$log.txt"
}
# booted LOG STATE: the kernel ran, and found Secure Boot STATE
# (enabled, disabled); with enabled the EFI stub said so too.
booted() {
	# With or without printk times (the qemu-system kernel has none).
	grep -qE "^(\[ *[0-9.]*\] )?Linux version " "$1.txt" || { echo "the kernel did not start:"; tail -n 5 "$1.txt"; return 1; }
	grep -qE "(^|\] |: )Secure boot $2$" "$1.txt" || { echo "no 'Secure boot $2' from the kernel:"; grep -i "secure boot" "$1.txt"; return 1; }
	[ "$2" != enabled ] || grep -qx "EFI stub: UEFI Secure Boot is enabled." "$1.txt" ||
		{ echo "the EFI stub did not find Secure Boot on"; return 1; }
}
# refused LOG: the firmware would not load the image, and no kernel ran.
refused() {
	grep -qE "^BdsDxe: failed to load Boot0000 \"file linux.efi\" from .*: Access Denied$" "$1.txt" ||
		{ echo "the firmware did not refuse the image:"; tail -n 5 "$1.txt"; return 1; }
	! grep -q "Linux version" "$1.txt"
}
export -f sb_boot booted refused

test_expect_success 'the qemu-system package (t5600 builds it): an unsigned EFI stub image; OVMF variables with only the test certificate' '
	if [ -n "${DOM0KIT_SB_IMAGE:-}" ]; then
		cp "$DOM0KIT_SB_IMAGE" vmlinuz
	else
		"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT/system" --profile qemu-system build >build.out 2>&1 ||
			{ tail -n 30 build.out; exit 1; }
		for d in "$CHECK_OUT"/system/linux-image-*.deb; do
			dpkg-deb -c "$d" | grep -q " ./boot/vmlinuz-" && dpkg-deb -x "$d" img
		done
		test "$(ls img/boot/vmlinuz-* | wc -l)" = 1 && cp img/boot/vmlinuz-* vmlinuz &&
		grep -qx CONFIG_EFI_STUB=y img/boot/config-* || { echo "the package has no EFI stub kernel"; exit 1; }
	fi
	sbverify --list vmlinuz >list 2>&1 && grep -qx "No signature table present" list &&
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=dom0kit secure boot test" \
		-keyout key.pem -out cert.pem 2>/dev/null &&
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=not enrolled" \
		-keyout other.pem -out other-cert.pem 2>/dev/null &&
	owner=5a3f4d2e-9b1c-4e8f-a0d7-6c2b1e9f8a41 &&
	entry="/EFI/dom0kit/linux.efi console=ttyS0" &&
	"$TEST_DIRECTORY/virt-fw-vars" -i /usr/share/OVMF/OVMF_VARS_4M.fd --set-pk $owner cert.pem \
		--add-kek $owner cert.pem --add-db $owner cert.pem --secure-boot \
		--append-boot-filepath "$entry" -o sb.fd 2>vars.err &&
	"$TEST_DIRECTORY/virt-fw-vars" -i /usr/share/OVMF/OVMF_VARS_4M.fd --append-boot-filepath "$entry" -o nosb.fd 2>>vars.err &&
	"$TEST_DIRECTORY/virt-fw-vars" -i sb.fd -p >sb.txt 2>>vars.err &&
	grep -qE "^SecureBootEnable +: bool: ON" sb.txt && grep -qE "^db +: blob" sb.txt &&
	for k in signed unsigned foreign; do mkdir -p esp-$k/EFI/dom0kit; done &&
	sbsign --key key.pem --cert cert.pem --output esp-signed/EFI/dom0kit/linux.efi vmlinuz &&
	sbsign --key other.pem --cert other-cert.pem --output esp-foreign/EFI/dom0kit/linux.efi vmlinuz &&
	cp vmlinuz esp-unsigned/EFI/dom0kit/linux.efi &&
	sbverify --cert cert.pem esp-signed/EFI/dom0kit/linux.efi &&
	test_must_fail sbverify --cert cert.pem esp-foreign/EFI/dom0kit/linux.efi
'

test_expect_success 'Secure Boot on: the image signed with the enrolled key boots, the stub and the kernel see Secure Boot' '
	sb_boot esp-signed sb.fd signed.log && booted signed.log enabled
'

test_expect_success 'Secure Boot on: the unsigned image is refused by the firmware' '
	sb_boot esp-unsigned sb.fd unsigned.log && refused unsigned.log
'

test_expect_success 'Secure Boot on: the image signed by a key not in db is refused' '
	sb_boot esp-foreign sb.fd foreign.log && refused foreign.log
'

test_expect_success 'Secure Boot off (no keys enrolled): the same unsigned image boots' '
	sb_boot esp-unsigned nosb.fd nosb.log && booted nosb.log disabled
'

if [ -n "${DOM0KIT_SB_IMAGE:-}" ]; then
	for c in "a --sign-key build signs its image" "lockdown under Secure Boot" "no lockdown with Secure Boot off"; do
		test_skip "Secure Boot: $c (not with DOM0KIT_SB_IMAGE)"
	done
	test_done
fi

# The initramfs of the lockdown boots: busybox, tun.ko as the build signed
# it and a copy without the signature. The EFI stub takes the initrd from
# the boot entry's one option word (virt-fw-vars passes one), so there is
# no console= and the kernel's own lines stay off the serial port: /init
# writes what it found there, dmesg's lines included.
cat >"$TRASH/lockdown-init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
mount -t devtmpfs dev /dev
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t securityfs securityfs /sys/kernel/security
exec >/dev/ttyS0 2>&1
echo "DOM0KIT: lockdown $(cat /sys/kernel/security/lockdown)"
if insmod /tun-unsigned.ko 2>/tmp/err; then echo "DOM0KIT: unsigned tun loaded"; rmmod tun; else echo "DOM0KIT: unsigned tun refused: $(cat /tmp/err)"; fi
if insmod /tun.ko 2>/tmp/err; then echo "DOM0KIT: signed tun loaded"; else echo "DOM0KIT: signed tun refused: $(cat /tmp/err)"; fi
dmesg | grep -E "Secure boot|locked down|Lockdown|module verification" | sed "s/^/DOM0KIT: dmesg: /"
echo "DOM0KIT: done"
poweroff -f
EOF
# unsigned_copy KO OUT: KO without its appended signature (module, PKCS#7
# blob, a 12-byte trailer ending in the blob's length, the magic string).
unsigned_copy() {
	local n len
	n=$(stat -c %s "$1")
	[ "$(tail -c 28 "$1")" = "~Module signature appended~" ] || { echo "$1 has no signature"; return 1; }
	len=$(tail -c 32 "$1" | head -c 4 | od -An -tu1 | awk '{print $1 * 16777216 + $2 * 65536 + $3 * 256 + $4}')
	head -c $((n - 40 - len)) "$1" >"$2"
}
# marker LOG TEXT: /init printed the line "DOM0KIT: TEXT"; a TEXT ending
# in "*" is a prefix.
marker() {
	case $2 in
	*"*") grep -aqF "DOM0KIT: ${2%"*"}" "$1.txt" ;;
	*) grep -aqxF "DOM0KIT: $2" "$1.txt" ;;
	esac || { echo "no '$2' in $1:"; grep -a "^DOM0KIT:" "$1.txt" || tail -n 20 "$1.txt"; return 1; }
}
export -f unsigned_copy marker

test_expect_success 'a --sign-key build of the qemu-system profile: debian/rules signed the packaged image and the modules with the key' '
	"$DOM0KIT" --workdir "$CHECK_WORK/../work-signed-system" --outdir "$TRASH/signed" --profile qemu-system \
		--suite bookworm --no-dbg --no-source-package --sign-key key.pem --sign-cert cert.pem build >signed-build.out 2>&1 ||
		{ tail -n 30 signed-build.out; exit 1; }
	for d in "$TRASH"/signed/linux-image-*.deb; do
		dpkg-deb -c "$d" | grep -q " ./boot/vmlinuz-" && dpkg-deb -x "$d" simg
	done
	cp simg/boot/vmlinuz-* signed-vmlinuz && sbverify --cert cert.pem signed-vmlinuz &&
	test_must_fail sbverify --cert other-cert.pem signed-vmlinuz &&
	grep -qx CONFIG_LOCK_DOWN_IN_EFI_SECURE_BOOT=y simg/boot/config-* &&
	ko=$(find simg/lib/modules -name "tun.ko*") && test -n "$ko" &&
	case $ko in *.xz) xz -dc "$ko" >tun.ko ;; *.zst) zstd -qdc "$ko" >tun.ko ;; *) cp "$ko" tun.ko ;; esac &&
	test "$(modinfo -F signer tun.ko)" = "dom0kit secure boot test" &&
	unsigned_copy tun.ko tun-unsigned.ko && test -z "$(modinfo -F signer tun-unsigned.ko)" &&
	mkdir -p rd/bin rd/dev rd/proc rd/sys rd/tmp && cp /bin/busybox rd/bin/busybox &&
	cp tun.ko tun-unsigned.ko rd/ && cp "$TRASH/lockdown-init" rd/init && chmod 755 rd/init &&
	(cd rd && find . | cpio -o -H newc --quiet) >initrd.img &&
	for k in sb nosb; do
		mkdir -p esp-lock-$k/EFI/dom0kit && cp signed-vmlinuz esp-lock-$k/EFI/dom0kit/linux.efi &&
		cp initrd.img esp-lock-$k/EFI/dom0kit/ || exit 1
	done &&
	entry="/EFI/dom0kit/linux.efi initrd=/EFI/dom0kit/initrd.img" owner=5a3f4d2e-9b1c-4e8f-a0d7-6c2b1e9f8a41 &&
	"$TEST_DIRECTORY/virt-fw-vars" -i /usr/share/OVMF/OVMF_VARS_4M.fd --set-pk $owner cert.pem \
		--add-kek $owner cert.pem --add-db $owner cert.pem --secure-boot \
		--append-boot-filepath "$entry" -o sb-rd.fd 2>>vars.err &&
	"$TEST_DIRECTORY/virt-fw-vars" -i /usr/share/OVMF/OVMF_VARS_4M.fd --append-boot-filepath "$entry" -o nosb-rd.fd 2>>vars.err
'

test_expect_success 'Secure Boot on: the signed package boots locked down; its signed module loads, the unsigned copy is refused by lockdown' '
	sb_boot esp-lock-sb sb-rd.fd lock-sb.log &&
	grep -qx "EFI stub: UEFI Secure Boot is enabled." lock-sb.log.txt &&
	marker lock-sb.log "lockdown none [integrity] confidentiality" &&
	marker lock-sb.log "dmesg: *" &&
	grep -aqF "Kernel is locked down from EFI Secure Boot; see man kernel_lockdown.7" lock-sb.log.txt &&
	marker lock-sb.log "unsigned tun refused: *" &&
	grep -aqF "Lockdown: insmod: unsigned module loading is restricted; see man kernel_lockdown.7" lock-sb.log.txt &&
	marker lock-sb.log "signed tun loaded" && marker lock-sb.log done
'

test_expect_success 'Secure Boot off: the same kernel is not locked down and the unsigned copy loads (so the refusal above is lockdown'"'"'s)' '
	sb_boot esp-lock-nosb nosb-rd.fd lock-nosb.log &&
	marker lock-nosb.log "lockdown [none] integrity confidentiality" &&
	marker lock-nosb.log "unsigned tun loaded" && marker lock-nosb.log "signed tun loaded" &&
	! grep -aqF "locked down from EFI Secure Boot" lock-nosb.log.txt && marker lock-nosb.log done
'
test_done

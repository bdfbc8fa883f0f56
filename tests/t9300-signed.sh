#!/bin/bash
# A kernel built with --sign-key/--sign-cert (make check-release;
# DOM0KIT_CHECK_RELEASE=1): every module in linux-image carries a
# signature by that key, and the kernel, booted as dom0 with
# module.sig_enforce=1, loads its modules (xen-pciback seizes a device):
# so the certificate it trusts is the one given. dom0-init shows that
# enforcement was on (sig_enforce Y) and that a copy of xen-pciback
# without its signature is refused. A cold build of the qemu
# profile in a work dir of its own (the signing settings change
# autoconf.h, ccache cannot help): about 13 minutes on two cores. The
# source package and the headers name neither the key nor a path of this
# host: the config names the key inside the build tree, and debian/rules
# takes it from the environment (docs/secure-boot.md).
. "$(dirname "$0")/test-lib.sh"

if [ -z "${DOM0KIT_CHECK_RELEASE:-}" ]; then
	test_plan 1
	test_skip "a signed kernel: signatures in the package, boot with module.sig_enforce=1 (make check-release)"
	test_done
fi
test_plan 4

W=$TRASH/work
export W

test_expect_success 'a qemu-profile kernel built and packaged with --sign-key/--sign-cert' '
	openssl req -new -x509 -newkey rsa:2048 -nodes -days 30 -subj "/CN=dom0kit signing test" \
		-keyout key.pem -out cert.pem 2>/dev/null &&
	"$DOM0KIT" --workdir "$W" --outdir "$TRASH/out" --profile qemu --suite bookworm --no-dbg \
		--sign-key key.pem --sign-cert cert.pem build >build.out 2>&1 || { tail -n 30 build.out; exit 1; }
	ls "$TRASH"/out/linux-image-6.12.107-qemu-dom0_*.deb
'

test_expect_success 'every module in linux-image is signed by that key' '
	dpkg-deb -x "$TRASH"/out/linux-image-6.12.107-qemu-dom0_*.deb img &&
	find img/lib/modules -name "*.ko" >modules && test "$(wc -l <modules)" -gt 20 &&
	serial=$(openssl x509 -in cert.pem -noout -serial | sed "s/^serial=//; s/^0*//") &&
	while read -r ko; do
		tail -c 28 "$ko" | grep -q "~Module signature appended~" || { echo "unsigned: $ko"; exit 1; }
		test "$(modinfo -F signer "$ko")" = "dom0kit signing test" || { echo "signer of $ko: $(modinfo -F signer "$ko")"; exit 1; }
		key=$(modinfo -F sig_key "$ko" | tr -d ":" | tr a-f A-F | sed "s/^0*//")
		test "$key" = "$serial" || { echo "$ko: signed by key $key, the certificate has serial $serial"; exit 1; }
	done <modules
'

test_expect_success 'the source package and the headers carry no key and no path of the build host' '
	mkdir deb hdr && tar -xf "$TRASH"/out/linux-dom0_*.debian.tar.xz -C deb &&
	grep -qx "CONFIG_MODULE_SIG_KEY=\"certs/dom0kit-signing.pem\"" deb/debian/config/config &&
	grep -qx "CONFIG_MODULE_SIG_ALL=y" deb/debian/config/config &&
	! grep -rlE "/root|/work|/tmp|$TRASH|PRIVATE KEY" deb "$TRASH"/out/linux-dom0_*.dsc &&
	dpkg-deb -x "$TRASH"/out/linux-headers-6.12.107-qemu-dom0_*.deb hdr &&
	! grep -rlE "/root/|/work/|PRIVATE KEY" hdr/usr/src/*/.config hdr/usr/src/*/include/config/auto.conf &&
	test -z "$(find hdr -name "*.pem")"
'

# enforced LOG: dom0 ran with signatures enforced, and the copy of
# xen-pciback that dom0-init stripped of its signature was refused for
# that: EKEYREJECTED ("Key was rejected by service"), the kernel's answer
# to an unsigned module under enforcement; without it the copy would load
# or fail otherwise (File exists, Operation not permitted by lockdown).
# Whole lines, as boot-test reads its markers.
enforced() {
	awk '$0 == "DOM0KIT: sig_enforce Y" { f = 1 } END { exit !f }' "$1" ||
		{ echo "enforcement was off: $(grep -a "^DOM0KIT: sig_enforce" "$1" || echo no sig_enforce line)"; return 1; }
	awk 'index($0, "DOM0KIT: unsigned xen-pciback refused: ") == 1 && /: Key was rejected by service$/ { f = 1 } END { exit !f }' "$1" ||
		{ echo "the unsigned xen-pciback was not refused for its signature: $(grep -a "^DOM0KIT: unsigned " "$1" || echo not tried)"; return 1; }
}
export -f enforced

test_expect_success 'dom0 with module.sig_enforce=1 loads its signed modules (xen-pciback seizes edu) and refuses an unsigned one' '
	"$DOM0KIT" --workdir "$W" --profile qemu boot-test --scenario=smoke,seize \
		--dom0-append="module.sig_enforce=1 dom0kit.unsigned=xen-pciback" >boot.out 2>&1 || { tail -n 40 boot.out; exit 1; }
	grep -qE "boot-test smoke +PASS" boot.out && grep -qE "boot-test seize +PASS" boot.out &&
	enforced "$W/logs/boot/dom0-smoke+seize.log"
'
test_done

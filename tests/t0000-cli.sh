#!/bin/bash
# The command line: help, option and input errors, plans, dependencies,
# and the shell code's own hygiene.
. "$(dirname "$0")/test-lib.sh"
test_plan 21

# bad_input EXIT-CODE PATTERN ARGS...: one line on stderr matching
# PATTERN, that exit code, and nothing written to the out dir.
bad_input() {
	local code=$1 pattern=$2 rc=0; shift 2
	"$DOM0KIT" --workdir w --outdir out "$@" >stdout 2>stderr || rc=$?
	[ "$rc" -eq "$code" ] || { echo "exit $rc, expected $code"; cat stderr; return 1; }
	one_line stderr
	grep -E "$pattern" stderr || { echo "stderr does not match $pattern:"; cat stderr; return 1; }
	[ ! -e out ] || { echo "out/ was created"; return 1; }
}

test_expect_success 'dom0kit --help lists every command and the exit codes' '
	"$DOM0KIT" --help >help &&
	for c in build fetch patch configure compile package boot-test lint deps releases refresh; do
		grep -q "^  $c " help || { echo "missing $c"; exit 1; }
	done &&
	grep -q "Exit codes" help
'

test_expect_success 'every command has its own --help' '
	for c in build fetch patch configure compile package boot-test lint deps releases refresh; do
		"$DOM0KIT" $c --help >h && grep -q "^Usage: dom0kit $c" h || { echo "no help for $c"; exit 1; }
	done
'

test_expect_success 'no command: usage on stderr, exit 2' '
	test_expect_code 2 "$DOM0KIT" 2>err && grep -q Usage err
'
test_expect_success 'unknown command' 'bad_input 2 "unknown command: frobnicate" frobnicate'
test_expect_success 'unknown option' 'bad_input 2 "unknown option for fetch: --frob" fetch --frob'
test_expect_success 'option without value' 'bad_input 2 "option --kernel needs a value" fetch --kernel'
test_expect_success 'unknown kernel line' 'bad_input 2 "unknown kernel line: 5.10" fetch --kernel 5.10'
test_expect_success 'unknown line of a release' 'bad_input 2 "unknown kernel line: 6.13 of release 6.13.4" fetch --kernel 6.13.4'
test_expect_success 'malformed kernel spec' "bad_input 2 \"not a kernel line or release: 'six'\" fetch --kernel six"
test_expect_success 'bad --jobs' 'bad_input 2 "positive number" compile --jobs 0'
test_expect_success 'unknown source' 'bad_input 2 "unknown source: ftp" fetch --source ftp --kernel 6.12.107'
test_expect_success 'unknown profile' '
	mkdir -p w/src/linux-6.12.107 && echo "VERSION = 6" >w/src/linux-6.12.107/Makefile &&
	bad_input 2 "unknown profile: tiny \(known: distro host qemu" configure --profile tiny
'
test_expect_success 'missing base config file' '
	mkdir -p w/src/linux-6.12.107 && echo "VERSION = 6" >w/src/linux-6.12.107/Makefile &&
	bad_input 2 "base config not found: /nonexistent/config" configure --profile qemu --base /nonexistent/config
'
test_expect_success 'a stage without its input says which stage to run' '
	bad_input 2 "no source fetched for 6.12.107 yet: run dom0kit fetch" patch &&
	bad_input 2 "no config for 6.12.107: run dom0kit configure" compile --profile qemu &&
	bad_input 2 "no compiled kernel for 6.12.107: run dom0kit compile" package --profile qemu
'

# resolved ARGS...: the release a dry-run compile would build, read from
# its plan, with the pins in ./pins.
resolved() {
	DOM0KIT_RELEASES_FILE=$PWD/pins "$DOM0KIT" --workdir w --dry-run "$@" compile |
		sed -n 's|^would compile: make -C .*/src/linux-\([^ ]*\) O=.*|\1|p'
}
export -f resolved

# The pins are out of version order (newest in the middle, 6.9 after
# 6.12), so neither file order nor a plain sort gives the right answer.
test_expect_success '--kernel picks the pinned release of a line, stable the newest line' '
	printf "# line pin\n6.12\t6.12.107\n7.2\t7.2.8\tnewest\n6.9\t6.9.12\n6.1\t6.1.187\n" >pins &&
	for c in 6.12=6.12.107 6.1=6.1.187 6.9=6.9.12 7.2=7.2.8 stable=7.2.8 latest=7.2.8 7=7.2.8 6=6.12.107 6.12.117=6.12.117; do
		got=$(resolved --kernel ${c%=*}) &&
		test "$got" = "${c#*=}" || { echo "--kernel ${c%=*} resolved to ${got:-nothing}, expected ${c#*=}"; exit 1; }
	done &&
	got=$(resolved) && test "$got" = 6.12.107 || { echo "no --kernel resolved to ${got:-nothing}, expected the first line 6.12.107"; exit 1; }
'

test_expect_success '--dry-run prints the plan of every stage and changes nothing' '
	rc=0 && "$DOM0KIT" --workdir w --outdir out --dry-run --source tarball:/nonexistent.tar.xz build 2>err >plan || rc=$?
	test $rc -eq 2 && grep -q "no such tarball" err &&
	mkdir -p tree && printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 107\n" >tree/Makefile &&
	"$DOM0KIT" --workdir w2 --outdir out --dry-run --profile qemu --suite bookworm --no-source-package --source dir:$PWD/tree build >plan &&
	grep -q "^would fetch: use dir $PWD/tree" plan && grep -qE "^would patch: apply [0-9]+ patches" plan &&
	grep -q "^would configure: base allnoconfig + qemu xen-dom0" plan &&
	grep -q "^would compile: make" plan && grep -q "^would package: linux-dom0 6.12.107-1dom0~deb12 (debian bookworm): linux-image-6.12.107-qemu-dom0, dpkg-buildpackage -b" plan &&
	"$DOM0KIT" --workdir w2 --dry-run --profile qemu --packager bindeb --source dir:$PWD/tree package >plan &&
	grep -q "^would package: make bindeb-pkg KDEB_PKGVERSION=6.12.107-1dom0 " plan &&
	[ ! -e out ] && [ ! -e w2/state ] && [ ! -e w2/logs ]
'

# Each stage alone, in a work dir where nothing has run: a plan, exit 0
# (configure once died on set -e here, silently, with exit 1, when the
# patch stage had no stamp).
test_expect_success 'a dry run of each stage alone in an empty work dir plans it and writes nothing' '
	for s in fetch patch configure compile package; do
		rc=0 && "$DOM0KIT" --workdir w3 --outdir out3 --dry-run --profile qemu --suite bookworm --no-source-package --source dir:$PWD/tree $s >plan 2>err || rc=$?
		test $rc = 0 && grep -q "^would $s" plan || { echo "$s: exit $rc"; cat plan err; exit 1; }
	done &&
	[ ! -e out3 ] && [ ! -e w3/state ] && [ ! -e w3/logs ]
'

test_expect_success 'deps lists the packages of each stage' '
	"$DOM0KIT" deps >deps &&
	grep -q "^fetch: .*apt" deps && grep -q "^patch: .*quilt" deps &&
	grep -q "^boot-test: .*qemu-system-x86" deps &&
	bad_input 2 "unknown stage: nosuch" deps nosuch
'

test_expect_success 'a second run in the same work dir is refused while the first holds the lock' '
	mkdir -p w && (flock -x w/.lock -c "sleep 5" &) && sleep 0.5 &&
	bad_input 5 "work dir .*/w is in use by another dom0kit run" fetch --source dir:/tmp
'

test_expect_success 'the shell code is shellcheck clean' '
	cd "$TOP" && shellcheck -x scripts/dom0kit scripts/lib/*.sh scripts/boot/*-init scripts/system/dom0-test scripts/system/guest-init tests/run tests/install-deps tests/virt-fw-vars tests/*.sh .ci/run &&
	shellcheck -s sh packaging/debian/check-config packaging/debian/install-headers packaging/debian/module-signing-key packaging/debian/install-dbg packaging/debian/linux-image.*.in packaging/debian/linux-headers.*.in \
		packaging/initramfs/dom0kit-pciback packaging/debian/dom0-initramfs.postinst packaging/debian/dom0-initramfs.postrm packaging/initramfs/initramfs-tools/hooks/* \
		packaging/initramfs/initramfs-tools/scripts/init-top/* packaging/initramfs/dracut/*/xen-dom0-pciback.sh \
		tests/fixtures/dracut-probe/*/dom0kit-probe.sh &&
	shellcheck packaging/initramfs/dracut/*/module-setup.sh tests/fixtures/dracut-probe/*/module-setup.sh
'

test_expect_success 'no shell script is 500 lines or longer' '
	cd "$TOP" && for f in scripts/dom0kit scripts/lib/*.sh scripts/boot/*-init tests/*.sh; do
		[ "$(wc -l <"$f")" -lt 500 ] || { echo "$f is too long"; exit 1; }
	done
'
test_done

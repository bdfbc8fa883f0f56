#!/bin/bash
# Live progress (scripts/lib/progress.sh) on real work: a make of a small
# Makefile that writes N objects and prints kbuild's "  CC      x.o"
# lines, a real tarball unpacked by the patch stage, and a real
# dpkg-buildpackage. Not on a tty: periodic plain lines on stdout, a last
# one at 100%; on a tty (script(1)): one line rewritten in place on
# stderr; -q: nothing. The expected amount comes from the last run's
# record when there is one, else from the config.
. "$(dirname "$0")/test-lib.sh"
test_plan 8

cd "$TRASH" || exit 1
export DOM0KIT_PROGRESS_TICK=0.2 DOM0KIT_PROGRESS_INTERVAL=1
# drive compile|package: dom0kit's progress function around real work, as
# the compile and package stages call it.
cat >drive <<'EOF'
#!/bin/bash
LIB=$TOP/scripts/lib
. "$LIB/common.sh"
. "$LIB/progress.sh"
WORKDIR=$PWD/w OBJDIR=$PWD/w/obj STATEDIR=$PWD/w/state RELEASE=6.12.107 OPT_PROFILE=qemu OPT_QUIET=${Q:-}
mkdir -p "$WORKDIR/logs"
case $1 in
compile) : >"$WORKDIR/logs/compile.log"
	progress_compile run_logged compile make -C "$OBJDIR" -j2 ${2:+"$2"} ;;
package) : >"$WORKDIR/logs/package.log"
	progress_package run_logged package sh -c "cd '$PWD/pkg/pp-1.0' && dpkg-buildpackage -b --no-sign" ;;
esac
EOF
chmod +x drive
# 30 objects, each 0.2 s of make's time, two at a time: 3 s.
mkdir -p w/obj && for i in $(seq 1 30); do echo "int f$i(void) { return $i; }" >"w/obj/f$i.c"; done
cat >w/obj/Makefile <<'EOF'
OBJS := $(patsubst %.c,%.o,$(sort $(wildcard f*.c)))
all: $(OBJS)
%.o: %.c
	@printf '  CC      %s\n' $@; sleep 0.2; gcc -c -o $@ $<
half: $(wordlist 1,10,$(OBJS))
clean:
	rm -f *.o
EOF
# 20 symbols y or m (and some not): 20 x 1.85 = 37 objects expected.
{ for i in $(seq 1 12); do echo "CONFIG_A$i=y"; done; for i in $(seq 1 8); do echo "CONFIG_M$i=m"; done
	echo "# CONFIG_N is not set"; echo 'CONFIG_S="y"'; } >w/obj/.config

# lines FILE: the periodic progress lines' counts, one a line.
lines() { sed -nE 's/^    compile: ([0-9]+)\/.*/\1/p' "$1"; }
export -f lines

test_expect_success 'not a tty, no record: expected from the config, periodic lines that grow, a last line at 100%' '
	./drive compile >out 2>err &&
	test_cmp /dev/null err &&
	sed -n 1p out | grep -qx "    expecting ~37 objects (estimated: 20 symbols y/m in .config x 1.85)" &&
	grep -E "^    compile: [0-9]+/" out >periodic &&
	test "$(wc -l <periodic)" -ge 2 &&
	! grep -vE "^    compile: [0-9]+/~37 objects \([0-9]+%\), 0:0[0-9] elapsed, ETA ([0-9]+:[0-9]{2}|\?)$" periodic &&
	lines out | sort -nc && test "$(lines out | sort -n | tail -n 1)" -le 30 &&
	tail -n 1 out | grep -qE "^    compile: 30 objects \(100%\) in 0:0[0-9]$" &&
	test "$(ls w/obj/*.o | wc -l)" = 30 && test "$(cat w/state/compile@qemu.count)" = 30
'

test_expect_success 'the next build of the same release and profile expects the recorded count' '
	make -s -C w/obj clean && ./drive compile >out 2>err &&
	sed -n 1p out | grep -qx "    expecting 30 objects (the last build of 6.12.107 qemu)" &&
	grep -qE "^    compile: [0-9]+/30 objects \([0-9]+%\), 0:0[0-9] elapsed, ETA " out &&
	! grep -q "/~" out && tail -n 1 out | grep -qE "^    compile: 30 objects \(100%\)"
'

test_expect_success 'a resumed build counts the objects already there once' '
	make -s -C w/obj clean && make -s -C w/obj half >/dev/null && ./drive compile >out &&
	test "$(lines out | head -n 1)" -ge 10 && lines out | sort -nc &&
	tail -n 1 out | grep -qE "^    compile: 30 objects \(100%\)"
'

test_expect_success '-q: no progress at all, the record still written' '
	make -s -C w/obj clean && rm w/state/compile@qemu.count &&
	Q=1 ./drive compile >out 2>err &&
	test_cmp /dev/null out && test_cmp /dev/null err &&
	test "$(cat w/state/compile@qemu.count)" = 30
'

# script(1) gives dom0kit a terminal and records what it wrote to it.
test_expect_success 'on a tty: one line rewritten in place, no plain periodic lines' '
	make -s -C w/obj clean &&
	script -qec "./drive compile" tty.out >/dev/null &&
	test "$(grep -c "$(printf "\r\033\\[K")    compile: [0-9]*/30 objects" tty.out)" -ge 1 &&
	test "$(tr -cd "\r" <tty.out | wc -c)" -ge 8 &&
	! grep -q "ETA [0-9:?]*.$" tty.out &&
	grep -q "compile: 30 objects (100%)" tty.out
'

test_expect_success 'a SIGKILLed dom0kit takes its reporter with it' '
	make -s -C w/obj clean &&
	{ DOM0KIT_PROGRESS_INTERVAL=0 ./drive compile >out 2>&1 & } && pid=$! &&
	sleep 1.5 && grep -q "compile: " out && kill -KILL $pid && sleep 0.6 &&
	n=$(wc -l <out) && sleep 1.5 && test "$(wc -l <out)" = "$n"
'

test_expect_success 'unpack: bytes of the tarball read by the decompressor, up to its size' '
	mkdir -p gen/linux-6.12.107 p/6.12 && : >p/6.12/series &&
	printf "VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 107\n" >gen/linux-6.12.107/Makefile &&
	head -c 24000000 /dev/urandom | base64 >gen/linux-6.12.107/data &&
	tar -cf - -C gen linux-6.12.107 | bzip2 -1 >linux.tar.bz2 &&
	size=$(($(stat -c %s linux.tar.bz2) / 1000000)) &&
	DOM0KIT_PROGRESS_INTERVAL=0 "$DOM0KIT" --workdir u --patches p --source tarball:$PWD/linux.tar.bz2 fetch >/dev/null &&
	DOM0KIT_PROGRESS_INTERVAL=0 "$DOM0KIT" --workdir u --patches p patch >out 2>err &&
	test_cmp /dev/null err &&
	grep -E "^    unpack: [0-9]+/$size MB \([0-9]+%\)" out >periodic &&
	test "$(sed -nE "s/^    unpack: ([0-9]+)\/.*/\1/p" periodic | sort -nu | wc -l)" -ge 2 &&
	grep -qx "    unpack: $size MB (100%) in 0:0[0-9]" out &&
	cmp gen/linux-6.12.107/data u/src/linux-6.12.107/data && [ -z "$(ls -A u/src | grep "^\.")" ]
'

# A package of a few files, built the way the package stage builds
# linux-dom0: dpkg-buildpackage -b running dh.
test_expect_success 'package: dpkg-buildpackage steps, expected from the last packaging' '
	mkdir -p pkg/pp-1.0/debian/source && cd pkg/pp-1.0 &&
	printf "pp (1.0) unstable; urgency=medium\n\n  * t\n\n -- T <t@example.org>  Mon, 30 Nov 2026 00:00:00 +0000\n" >debian/changelog &&
	printf "Source: pp\nMaintainer: T <t@example.org>\nBuild-Depends: debhelper-compat (= 13)\n\nPackage: pp\nArchitecture: all\nDescription: t\n t\n" >debian/control &&
	printf "#!/usr/bin/make -f\n%%:\n\tdh \$@\n" >debian/rules && chmod +x debian/rules &&
	echo "3.0 (native)" >debian/source/format && cd ../.. &&
	./drive package >out 2>err && test_cmp /dev/null err &&
	n=$(cat w/state/package@qemu.count) && test "$n" -ge 10 &&
	test "$n" = "$(grep -cE "^   (dh_|debian/rules )|^dpkg-deb: building|^dpkg-(source|genchanges|genbuildinfo): info:" w/logs/package.log)" &&
	tail -n 1 out | grep -qE "^    package: $n steps \(100%\) in 0:[0-9]{2}$" &&
	./drive package >out2 && ! grep -q "^    package: [0-9]* steps," out2 &&
	tail -n 1 out2 | grep -qE "^    package: $n steps \(100%\)" &&
	if grep -q "/$n steps" out2; then :; else grep -c . out2 | grep -qx 1; fi
'
test_done

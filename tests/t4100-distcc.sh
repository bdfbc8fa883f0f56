#!/bin/bash
# --distcc HOSTS: the compile stage on a distcc farm, ccache in front.
# Bad host lists are refused before anything runs, the plan names the
# hosts and takes its jobs from their slots, and a missing distcc is
# named. make check-distcc (DOM0KIT_CHECK_DISTCC=1) proves the farm on
# two distccd on loopback addresses of this machine: the qemu kernel built
# locally, then again in the same work dir with an empty ccache through
# both daemons, gives the same packages bit for bit, and each daemon's
# log shows its share of the compiles.
. "$(dirname "$0")/test-lib.sh"
test_plan 7

plan() { "$DOM0KIT" --workdir w --outdir o --profile qemu --no-source-package --dry-run "$@" build; }
export -f plan

test_expect_success 'a host list distcc cannot parse, or none: one line naming it, exit 2, before fetch' '
	test_expect_code 2 plan --distcc "farm1/abc" >out 2>err &&
	one_line err && grep -Fx "dom0kit: --distcc '"'"'farm1/abc'"'"': bad multiplier \"/abc\" in host specification" err &&
	test_expect_code 2 "$DOM0KIT" --workdir w --outdir o --profile qemu --distcc "a:b:c" build >out 2>err &&
	one_line err && grep -F "invalid tcp port specification" err && test ! -e w &&
	test_expect_code 2 plan --distcc " " >out 2>err && one_line err && grep -F "names no host" err &&
	test_expect_code 2 plan --distcc= >out 2>err && one_line err && grep -Fx "dom0kit: option --distcc needs a value" err
'

test_expect_success 'the plan compiles on the hosts, with as many jobs as their slots; --jobs overrides' '
	plan --distcc "127.0.0.2/3 127.0.0.3/2,lzo" >out &&
	grep -E "^would compile: make .* -j5 .* on distcc hosts 127\.0\.0\.2/3 127\.0\.0\.3/2,lzo$" out &&
	plan --distcc "127.0.0.2/3" --jobs 7 >out && grep -E "^would compile: make .* -j7 .* on distcc hosts 127\.0\.0\.2/3$" out &&
	plan >out && grep -q "^would compile: make .* -j$(nproc) .*modules$" out
'

test_expect_success 'distcc not installed: the plan lists it as missing, and the run stops with exit 3 naming it' '
	mkdir -p dpkg && awk "BEGIN { RS = \"\"; ORS = \"\n\n\" } \$0 !~ \"(^|\n)Package: distcc\n\"" /var/lib/dpkg/status >dpkg/status &&
	rc=0 && DPKG_ADMINDIR=$TRASH/dpkg plan --distcc 127.0.0.2 >out 2>err || rc=$? &&
	test $rc = 3 && grep -E "missing Debian packages.*\<distcc\>" out &&
	DPKG_ADMINDIR=$TRASH/dpkg plan >out 2>&1
'

if [ -z "${DOM0KIT_CHECK_DISTCC:-}" ]; then
	test_skip_all "make check-distcc runs it"
fi

# The daemons drop root for the distccd user: their logs go to a
# directory it can write.
mkdir -m 1777 "$TRASH/d"
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.2", 0)); print(s.getsockname()[1])')
HOSTS="127.0.0.2:$PORT/2 127.0.0.3:$PORT/2"
export PORT HOSTS
# stop_daemons: TERM to each daemon, whose workers go with it. Also the
# EXIT trap of a failed run (test_done keeps TRASH then); a passed run
# stops them in its last case, before test_done removes the pid files.
stop_daemons() { local f; for f in "$TRASH"/d/*.pid; do [ -s "$f" ] && kill "$(cat "$f")" 2>/dev/null; done; return 0; }
export -f stop_daemons
trap stop_daemons EXIT
# dk ARGS...: dom0kit on the qemu profile in one work dir, which both
# builds use, so that nothing but the compiler's location differs.
dk() { "$DOM0KIT" --workdir "$TRASH/w" --profile qemu --no-source-package "$@"; }
export -f dk

test_expect_success 'setup: two distccd on 127.0.0.2 and 127.0.0.3' '
	for a in 2 3; do
		distccd --daemon --listen 127.0.0.$a --port "$PORT" --allow 127.0.0.0/8 --jobs 2 \
			--log-file "$TRASH/d/$a.log" --log-level info --pid-file "$TRASH/d/$a.pid" || exit 1
	done &&
	for _ in $(seq 50); do [ -s d/2.pid ] && [ -s d/3.pid ] && break; sleep 0.2; done &&
	printf "int f(int x) { return x * 2; }\n" >probe.c &&
	for a in 2 3; do DISTCC_HOSTS="127.0.0.$a:$PORT" DISTCC_FALLBACK=0 distcc gcc -c probe.c -o probe.o || exit 1; done &&
	grep -c COMPILE_OK d/2.log d/3.log
'

test_expect_success 'a build through both daemons gives the local build.s packages bit for bit' '
	dk --outdir "$TRASH/local" build >local.out 2>&1 || { tail -n 30 local.out; exit 1; }
	rm -rf w/build && mkdir ccache &&
	CCACHE_DIR=$TRASH/ccache DISTCC_FALLBACK=0 dk --outdir "$TRASH/farm" --distcc "$HOSTS" build >farm.out 2>&1 ||
		{ tail -n 30 farm.out; exit 1; }
	grep -F "    compile on distcc hosts $HOSTS, 4 jobs" farm.out && grep -q "^==> compile done" farm.out &&
	(cd local && sha256sum *.deb) >local.sums && (cd farm && sha256sum *.deb) >farm.sums &&
	test "$(wc -l <local.sums)" -ge 5 && test_cmp local.sums farm.sums
'

test_expect_success 'each daemon compiled its share' '
	n2=$(grep -c "COMPILE_OK" d/2.log) && n3=$(grep -c "COMPILE_OK" d/3.log) &&
	objs=$(find w/build -name "*.o" | wc -l) &&
	echo "compiled on 127.0.0.2: $n2, on 127.0.0.3: $n3; objects in the tree: $objs" &&
	test "$n2" -ge 200 && test "$n3" -ge 200 && test $((n2 + n3)) -ge $((objs / 2))
'

# The daemons and their workers are gone when the test ends: nothing
# keeps the port or writes into a removed directory.
test_expect_success 'teardown: no distccd of this test is left running' '
	stop_daemons &&
	for _ in $(seq 50); do pgrep -f -- "--port $PORT " >/dev/null || break; sleep 0.2; done &&
	! pgrep -af -- "--port $PORT "
'
test_done

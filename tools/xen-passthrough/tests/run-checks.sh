#!/bin/sh
# Runs the unit tests, the CLI tests and a bounded fuzz run; prints one
# TAP line per case ("ok N - ..."/"not ok N - ..."), numbered across all
# parts, and exits nonzero if anything failed. Called by `make check`.
set -u
B=${B:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-12}
UNIT_TESTS=${UNIT_TESTS:-test_caps test_dump test_spec test_persist test_analysis test_json test_xenstore test_doctor}
FUZZERS=${FUZZERS:-fuzz_dump fuzz_spec fuzz_persist fuzz_caps}
XP_FIXTURES=${XP_FIXTURES:-tests/fixtures}
export XP_FIXTURES
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
T=$(mktemp -d "${TMPDIR:-/tmp}/xp-check.XXXXXX")
trap 'rm -rf "$T"' EXIT
n=0
failed=0

# tap NAME CMD...: run CMD, renumber its TAP lines, fail on a nonzero exit.
tap() {
	name=$1
	shift
	"$@" >"$T/out" 2>&1
	rc=$?
	awk -v off="$n" -v pre="$name" -v cnt="$T/n" -v badf="$T/bad" '
		/^(not )?ok [0-9]+ - / {
			notok = ($0 ~ /^not /)
			sub(/^(not )?ok [0-9]+ - /, "")
			printf "%sok %d - %s: %s\n", notok ? "not " : "", ++off, pre, $0
			bad += notok
			next
		}
		/^1\.\.[0-9]+$/ { next }
		{ print "# " $0 }
		END { print off > cnt; print bad + 0 > badf }' "$T/out"
	n=$(cat "$T/n")
	failed=$((failed + $(cat "$T/bad")))
	if [ "$rc" -ne 0 ] && [ "$(cat "$T/bad")" -eq 0 ]; then
		n=$((n + 1))
		failed=$((failed + 1))
		echo "not ok $n - $name: exited with status $rc (crash or sanitizer report above)"
	fi
}

sh tests/mkfakesys.sh "$T/fake" || { echo "not ok 1 - building the fake sysfs"; exit 1; }
export XP_FAKE="$T/fake"
for t in $UNIT_TESTS; do
	tap "$t" "$B/san/$t"
done
tap cli sh tests/cli.sh "$B/san/xen-passthrough"

sh tests/seeds.sh "$T/seeds"
mkdir -p "$B/corpus" "$B/artifacts"
for f in $FUZZERS; do
	kind=${f#fuzz_}
	case $kind in
	dump) max=16384 ;;
	caps) max=33000 ;;
	spec) max=256 ;;
	*) max=4096 ;;
	esac
	mkdir -p "$B/corpus/$kind"
	"$B/fuzz/$f" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
		-max_len="$max" -artifact_prefix="$B/artifacts/$f-" \
		"$B/corpus/$kind" "$T/seeds/$kind" >"$T/fuzz.log" 2>&1
	rc=$?
	runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$T/fuzz.log")
	n=$((n + 1))
	if [ "$rc" -eq 0 ] && [ -n "$runs" ]; then
		echo "ok $n - $f: ${FUZZ_SECONDS}s, $runs runs, no crash, leak or sanitizer report"
	else
		failed=$((failed + 1))
		echo "not ok $n - $f: status $rc after ${runs:-?} runs"
		grep -E 'ERROR|SUMMARY|Test unit written|==[0-9]+==' "$T/fuzz.log" | head -n 20 | sed 's/^/# /'
	fi
done
echo "1..$n"
echo "# xen-passthrough: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# Longer fuzzing for `make fuzz`: FUZZ_SECONDS per fuzzer (default 600).
# The corpus grows in $B/corpus; crashes land in $B/artifacts.
set -u
B=${B:-build}
FUZZ_SECONDS=${FUZZ_SECONDS:-600}
FUZZERS=${FUZZERS:-fuzz_dump fuzz_spec fuzz_persist fuzz_caps}
export XP_FIXTURES=${XP_FIXTURES:-tests/fixtures}
T=$(mktemp -d "${TMPDIR:-/tmp}/xp-fuzz.XXXXXX")
trap 'rm -rf "$T"' EXIT
sh tests/seeds.sh "$T/seeds"
mkdir -p "$B/artifacts"
status=0
for f in $FUZZERS; do
	kind=${f#fuzz_}
	case $kind in dump) max=16384 ;; caps) max=33000 ;; spec) max=256 ;; *) max=4096 ;; esac
	mkdir -p "$B/corpus/$kind"
	echo "== $f for ${FUZZ_SECONDS}s"
	if ! "$B/fuzz/$f" -max_total_time="$FUZZ_SECONDS" -timeout=20 -rss_limit_mb=2048 \
		-max_len="$max" -artifact_prefix="$B/artifacts/$f-" -print_final_stats=1 \
		"$B/corpus/$kind" "$T/seeds/$kind"; then
		echo "== $f FAILED"
		status=1
	fi
done
exit $status

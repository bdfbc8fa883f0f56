#!/bin/bash
# make check-debug: the qemu-debug profile (lockdep, KASAN, UBSAN,
# DEBUG_KOBJECT) of the default line boots every dom0 scenario with no
# kernel report (boot-test fails a run on any WARNING/BUG/KASAN/UBSAN or
# lockdep line). Not part of make check: the debug kernel alone takes
# longer to build than CI's budget leaves.
. "$(dirname "$0")/test-lib.sh"
. "$TEST_DIRECTORY/check-env.sh"

if [ -z "${DOM0KIT_CHECK_DEBUG:-}" ]; then
	test_plan 1
	test_skip "the debug kernel runs in make check-debug (DOM0KIT_CHECK_DEBUG=1)"
	test_done
fi
test_plan 2

test_expect_success 'the qemu-debug profile builds (every debug symbol audited)' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --outdir "$CHECK_OUT" --profile qemu-debug build >out
'

test_expect_success 'every dom0 scenario passes on the debug kernel with no report' '
	"$DOM0KIT" --workdir "$CHECK_WORK" --profile qemu-debug boot-test \
		--scenario=smoke,seize,passthrough,ids,tool,reset,reset-guard,reset-handover,reset-policy,reset-race >out 2>err ||
		{ cat out err; exit 1; }
	grep -cE "^boot-test .* PASS" out | grep -qx 10
'
test_done

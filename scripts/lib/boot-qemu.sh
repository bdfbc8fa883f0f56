# shellcheck shell=bash
# Runs one QEMU boot with the serial console in a log file and judges it
# only by markers in that log: QEMU exits 0 even when dom0 crashes.

# Patterns that end a run early: nothing after them can pass.
BOOT_FATAL='Kernel panic|Hardware Dom0 crashed|Hardware Dom0 shutdown|\(XEN\) Panic on CPU'

# qemu_boot NAME TIMEOUT DONE-MARKER QEMU-ARGS...: boots, waits for the
# done marker, a fatal pattern, QEMU's exit or the timeout; the log stays
# in WORKDIR/logs/boot/NAME.log.
qemu_boot() {
	local name=$1 timeout=$2 done_marker=$3 log pid start
	shift 3
	log=$WORKDIR/logs/boot/$name.log
	mkdir -p "$WORKDIR/logs/boot"
	: >"$log"
	start=$(date +%s)
	qemu-system-x86_64 -accel tcg -display none -monitor none -no-reboot \
		-serial "file:$log" -net none "$@" >"$log.qemu" 2>&1 &
	pid=$!
	BOOT_END=timeout
	while [ $(($(date +%s) - start)) -lt "$timeout" ]; do
		if grep -aq "$done_marker" "$log"; then BOOT_END=finished; break; fi
		if grep -aqE "$BOOT_FATAL" "$log"; then BOOT_END=fatal; sleep 2; break; fi
		if ! kill -0 "$pid" 2>/dev/null; then BOOT_END=exited; break; fi
		sleep 1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	BOOT_SECONDS=$(($(date +%s) - start))
	cat "$log.qemu" >>"$log"
	rm -f "$log.qemu"
	# The console turns \n into \r\n; the kept log drops the \r once, so
	# that markers are read straight from the file: a `tr | grep -q` would
	# fail under pipefail whenever grep quits before tr has written all.
	tr -d '\r' <"$log" >"$log.tmp" && mv -f "$log.tmp" "$log"
	BOOT_LOG=$log
}

# marker_lines never fails when nothing matches (callers run under pipefail).
marker_lines() { { grep -a "$1" "$BOOT_LOG" || true; } | sed "s/.*$1//"; }
has_marker() { grep -aqF -- "$1" "$BOOT_LOG"; }

# check DESCRIPTION FIXED-STRING: one check of a scenario.
check() {
	has_marker "$2" || CHECKS_FAILED+=("$1 (no '$2' on the console)")
}

# kernel_reports: the first line of every kernel report in the log that
# scripts/boot/known-reports does not forgive.
kernel_reports() {
	grep -av '^(XEN)' "$BOOT_LOG" | awk -v known="$DOM0KIT_TOP/scripts/boot/known-reports" '
		BEGIN {
			while ((getline line < known) > 0)
				if (line !~ /^#/ && line ~ /[^ ]/) entries[++n] = line
		}
		{ log_line[NR] = $0 }
		END {
			pat = "WARNING:|BUG:|KASAN:|UBSAN:|possible recursive locking|circular locking dependency|kobject: .* has no release"
			for (i = 1; i <= NR; i++) {
				if (log_line[i] !~ pat) continue
				block = ""
				for (j = i; j <= NR && j < i + 60; j++) block = block "\n" log_line[j]
				forgiven = 0
				for (e = 1; e <= n && !forgiven; e++) {
					k = split(entries[e], p, / && /)
					ok = 1
					for (m = 1; m <= k; m++) if (block !~ p[m]) ok = 0
					forgiven = ok
				}
				if (!forgiven) print log_line[i]
			}
		}'
}

# report SCENARIO: one result line; on failure the failed checks and the
# last 40 lines of the log.
report() {
	local scenario=$1 c reports
	# A kernel warning fails every scenario of the boot, also on kernels
	# without the debug options; Xen's own lines start with "(XEN)".
	reports=$(kernel_reports | head -n 3 | tr '\n' ';')
	[ -z "$reports" ] || CHECKS_FAILED+=("the kernel reported: $reports")
	if [ ${#CHECKS_FAILED[@]} -eq 0 ]; then
		printf 'boot-test %-12s PASS  (%ss, %s)\n' "$scenario" "$BOOT_SECONDS" "$BOOT_LOG"
		return 0
	fi
	printf 'boot-test %-12s FAIL  (%ss, run ended: %s)\n' "$scenario" "$BOOT_SECONDS" "$BOOT_END"
	for c in "${CHECKS_FAILED[@]}"; do printf '    failed: %s\n' "$c"; done
	printf -- '---- last 40 lines of %s ----\n' "$BOOT_LOG"
	tail -n 40 "$BOOT_LOG"
	BOOT_FAILURES=$((BOOT_FAILURES + 1))
	return 0
}

# shellcheck shell=bash
# Runs one QEMU boot with the serial console in a log file and judges it
# only by markers in that log: QEMU exits 0 even when dom0 crashes.

# Lines that end a run: nothing after them can pass, and a log holding
# one fails, also when they come after the done marker. Linux panics
# (dom0, a bare kernel, or a domU whose console xl create -c relays);
# Xen panics, or reports that dom0 crashed, rebooted or did a soft reset,
# or that it crashed a guest. Xen's wording (4.17, common/domain.c and
# drivers/char/console.c) is "Panic on CPU N:", "Hardware DomN crashed: ",
# "Hardware DomN shutdown: ...", "Hardware domain N did unsupported soft
# reset", "Domain N (vcpu#M) crashed on cpu#C:" and "Domain N reported
# crashed by domain M". Its line of 40 stars around a panic is not used:
# Xen draws boot warnings in a frame of stars too.
BOOT_FATAL_XEN='\(XEN\) (Panic on CPU [0-9]+:|Hardware Dom[0-9]+ (crashed|shutdown)|Hardware domain [0-9]+ did unsupported soft reset|Domain [0-9]+ (\(vcpu#[0-9]+\) crashed|reported crashed))'
BOOT_FATAL="Kernel panic - not syncing|$BOOT_FATAL_XEN"

# qemu_boot NAME TIMEOUT DONE-MARKER QEMU-ARGS...: boots, waits for the
# done marker, a fatal line, QEMU's exit or the timeout; the log stays
# in WORKDIR/logs/boot/NAME.log and its last line, "boot-test: run
# ended: HOW after Ns", says which came first. With --judge-log=FILE
# nothing boots: FILE is taken as that log (judge_only).
qemu_boot() {
	local name=$1 timeout=$2 log pid start alive
	BOOT_DONE=$3
	shift 3
	log=${BOOT_LOGDIR:-$WORKDIR/logs/boot}/$name.log
	mkdir -p "${log%/*}"
	BOOT_LOG=$log
	if [ -n "${BOOT_JUDGE_LOG:-}" ]; then
		tr -d '\r' <"$BOOT_JUDGE_LOG" >"$log.tmp" && mv -f "$log.tmp" "$log"
		read_run_end
		return 0
	fi
	: >"$log"
	start=$(date +%s)
	qemu-system-x86_64 -accel tcg -display none -monitor none -no-reboot \
		-serial "file:$log" -net none "$@" >"$log.qemu" 2>&1 &
	pid=$!
	# shellcheck disable=SC2034 # on_interrupt (common.sh) stops it
	QEMU_PID=$pid
	# QEMU's liveness is read before the log: once it has exited, the
	# log is complete and a done or fatal line in it still counts.
	while :; do
		alive=1
		kill -0 "$pid" 2>/dev/null || alive=
		if grep -aqE "$BOOT_FATAL" "$log"; then
			BOOT_END=fatal
			[ -z "$alive" ] || sleep 2
			break
		fi
		if done_seen "$log"; then BOOT_END=finished; break; fi
		if [ -z "$alive" ]; then BOOT_END=exited; break; fi
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then BOOT_END=timeout; break; fi
		sleep 1
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	# shellcheck disable=SC2034 # see above
	QEMU_PID=''
	BOOT_SECONDS=$(($(date +%s) - start))
	cat "$log.qemu" >>"$log"
	rm -f "$log.qemu"
	# The console turns \n into \r\n; the kept log drops the \r once, so
	# that markers are read straight from the file: a `tr | grep -q` would
	# fail under pipefail whenever grep quits before tr has written all.
	tr -d '\r' <"$log" >"$log.tmp" && mv -f "$log.tmp" "$log"
	printf 'boot-test: run ended: %s after %ss (limit %ss)\n' "$BOOT_END" "$BOOT_SECONDS" "$timeout" >>"$log"
}

# done_seen LOG: the done marker is a whole line of LOG, which may still
# hold the console's \r.
done_seen() { M=$BOOT_DONE awk '{ gsub(/\r/, "") } $0 == ENVIRON["M"] { f = 1; exit } END { exit !f }' "$1"; }

# read_run_end: BOOT_END and BOOT_SECONDS from the line qemu_boot ended
# the log with; a log without one (written by hand, or by an older
# boot-test) ended in no known way, which does not pass.
read_run_end() {
	local line
	line=$(marker_lines 'boot-test: run ended: ' | tail -n 1)
	BOOT_END=unrecorded BOOT_SECONDS=0
	if [[ $line =~ ^([a-z]+)\ after\ ([0-9]+)s ]]; then
		BOOT_END=${BASH_REMATCH[1]} BOOT_SECONDS=${BASH_REMATCH[2]}
	fi
}

# judge_only: boot-test --judge-log=FILE. Nothing is built and nothing
# boots: the setup steps do nothing and qemu_boot takes FILE as the
# console log, so every scenario runs the checks it runs after a boot.
# Progress lines would tell of boots that do not happen: quiet.
# shellcheck disable=SC2034,SC2317 # redefines the dispatcher's and boot_test.sh's
judge_only() {
	require_config() { :; }
	find_xen() { XEN_SOURCE=none; }
	build_progs() { :; }
	make_dom0_image() { :; }
	make_kvm_image() { :; }
	OPT_QUIET=1
}

# Markers are whole lines of the log: every check compares an entire
# line, so "driver=" is not met by "driver=pciback" and a missing line is
# not an empty one. Texts are fixed strings, never patterns.
# has_marker LINE: some line of the log is exactly LINE.
has_marker() { M=$1 awk '$0 == ENVIRON["M"] { f = 1; exit } END { exit !f }' "$BOOT_LOG"; }
# marker_lines PREFIX: the rest of every line that starts with PREFIX;
# prints nothing, and does not fail, when no line does.
marker_lines() { M=$1 awk 'index($0, ENVIRON["M"]) == 1 { print substr($0, length(ENVIRON["M"]) + 1) }' "$BOOT_LOG"; }
# has_prefix PREFIX: some line starts with PREFIX.
has_prefix() { M=$1 awk 'index($0, ENVIRON["M"]) == 1 { f = 1; exit } END { exit !f }' "$BOOT_LOG"; }
# kernel_says MESSAGE: a kernel line, after its time stamp if it has
# one, is MESSAGE with its prefix ("xen_pciback: ...", "pciback BDF: ...").
kernel_says() {
	M=$1 awk '{ sub(/^\[ *[0-9]+\.[0-9]+\] /, "") } $0 == ENVIRON["M"] { f = 1; exit } END { exit !f }' "$BOOT_LOG"
}
# kernel_first PREFIX: the first kernel line, time stamp removed, that
# starts with PREFIX; nothing if none does.
kernel_first() {
	M=$1 awk '{ sub(/^\[ *[0-9]+\.[0-9]+\] /, "") } index($0, ENVIRON["M"]) == 1 { print; exit }' "$BOOT_LOG"
}
# log_mentions TEXT: TEXT anywhere in the log; only for what must not
# appear, where a substring errs on the side of failing.
log_mentions() { grep -aqF -- "$1" "$BOOT_LOG"; }
# word_in LIST WORD: WORD is one of the space-separated words of LIST.
word_in() { [[ " $1 " == *" $2 "* ]]; }

# check DESCRIPTION LINE: one check of a scenario: LINE is on the console.
check() {
	has_marker "$2" || CHECKS_FAILED+=("$1 (no line '$2' on the console)")
}
# check_kernel DESCRIPTION MESSAGE: the kernel logged MESSAGE.
check_kernel() {
	kernel_says "$2" || CHECKS_FAILED+=("$1 (no kernel message '$2')")
}

# kernel_reports: every fatal line (BOOT_FATAL, never forgiven) and the
# first line of every kernel report that scripts/boot/known-reports does
# not forgive. Xen's own lines ("(XEN) WARNING: ...") are not kernel
# reports; its fatal ones are.
kernel_reports() {
	FATAL=$BOOT_FATAL KNOWN=$DOM0KIT_TOP/scripts/boot/known-reports awk '
		BEGIN {
			while ((getline line < ENVIRON["KNOWN"]) > 0)
				if (line !~ /^#/ && line ~ /[^ ]/) entries[++n] = line
		}
		{ log_line[NR] = $0 }
		END {
			pat = "WARNING:|BUG:|kernel BUG at|Oops: |: [0-9a-f]+ \\[#[0-9]+\\]|KASAN:|UBSAN:|possible recursive locking|circular locking dependency|kobject: .* has no release"
			for (i = 1; i <= NR; i++) {
				if (log_line[i] ~ ENVIRON["FATAL"]) { print log_line[i]; continue }
				if (log_line[i] ~ /^\(XEN\)/ || log_line[i] !~ pat) continue
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
		}' "$BOOT_LOG"
}

# report SCENARIO: one result line; on failure the failed checks and the
# last 40 lines of the log.
report() {
	local scenario=$1 c reports
	# A run passes only if it finished: its done line came before any
	# fatal line, QEMU's exit or the timeout.
	case $BOOT_END in
	finished) has_marker "$BOOT_DONE" || CHECKS_FAILED+=("the run is recorded finished, but no line '$BOOT_DONE' is on the console") ;;
	timeout) CHECKS_FAILED+=("the run timed out after ${BOOT_SECONDS}s without '$BOOT_DONE'") ;;
	fatal) CHECKS_FAILED+=("the run stopped at a fatal line (a panic or crash)") ;;
	exited) CHECKS_FAILED+=("QEMU exited before '$BOOT_DONE'") ;;
	*) CHECKS_FAILED+=("the log does not say how the run ended (no 'boot-test: run ended:' line)") ;;
	esac
	# A crash or a kernel warning fails every scenario of the boot, also
	# on kernels without the debug options.
	reports=$(kernel_reports | sed -n 1,3p | tr '\n' ';')
	[ -z "$reports" ] || CHECKS_FAILED+=("the kernel or Xen reported: $reports")
	if [ ${#CHECKS_FAILED[@]} -eq 0 ]; then
		printf '%s %-12s PASS  (%ss, %s)\n' "${BOOT_REPORT_AS:-boot-test}" "$scenario" "$BOOT_SECONDS" "$BOOT_LOG"
		return 0
	fi
	printf '%s %-12s FAIL  (%ss, run ended: %s)\n' "${BOOT_REPORT_AS:-boot-test}" "$scenario" "$BOOT_SECONDS" "$BOOT_END"
	for c in "${CHECKS_FAILED[@]}"; do printf '    failed: %s\n' "$c"; done
	printf -- '---- last 40 lines of %s ----\n' "$BOOT_LOG"
	tail -n 40 "$BOOT_LOG"
	BOOT_FAILURES=$((BOOT_FAILURES + 1))
	return 0
}

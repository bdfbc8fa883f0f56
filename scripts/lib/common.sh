# shellcheck shell=bash
# Shared helpers for every dom0kit stage: messages, exit codes, logs,
# locking, input stamps and atomic writes.

# Exit codes (documented in README.md and `dom0kit --help`).
# shellcheck disable=SC2034
readonly EXIT_FAIL=1     # a stage failed: patch, config audit, compile, boot
readonly EXIT_USAGE=2    # bad option or input: unknown line, release, profile
readonly EXIT_DEPS=3     # missing Debian packages
readonly EXIT_FETCH=4    # download, signature or checksum failure
readonly EXIT_LOCKED=5   # another dom0kit run holds the work dir

DOM0KIT_CACHE=${DOM0KIT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dom0kit}

die() {
	local code=$EXIT_FAIL
	case ${1:-} in [0-9]) code=$1; shift ;; esac
	printf 'dom0kit: %s\n' "$*" >&2
	exit "$code"
}
warn() { printf 'dom0kit: warning: %s\n' "$*" >&2; }
# Progress goes to stdout, errors to stderr: a failing run's stderr is
# exactly its one-line error.
info() { [ -n "${OPT_QUIET:-}" ] || printf '%s\n' "$*"; }

# Elapsed time as m:ss for the one progress line per stage.
elapsed() { local s=$(($(date +%s) - $1)); printf '%d:%02d' $((s / 60)) $((s % 60)); }

# run_logged STAGE CMD...: runs CMD with all output in logs/STAGE.log.
# On failure prints the last 30 lines and where the full log is, so the
# real error is not buried in a kernel build's output; the caller's die
# then ends stderr with the one-line reason.
run_logged() {
	local stage=$1 log; shift
	log="$WORKDIR/logs/$stage.log"
	mkdir -p "$WORKDIR/logs"
	printf '+ %s\n' "$*" >>"$log" 2>/dev/null || true
	local rc=0
	run_child "$@" >>"$log" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || return 0
	{
		echo "---- last 30 lines of $log ----"
		tail -n 30 "$log"
		# A log cut off mid-line (disk full) still ends its line here.
		[ -z "$(tail -c 1 "$log")" ] || echo
		echo "---- full log: $log ----"
	} >&2
	return "$rc"
}

# Interrupts. A long command runs as a job of its own (run_child), so
# that INT or TERM reach dom0kit at once, not when the command ends; the
# trap (on_interrupt) stops that job and everything it started, runs the
# stage's STAGE_UNDO (which puts the tree back as before the stage, or in
# a state the next run recognises, and removes temporaries), says so in
# one line and exits 130. A SIGKILL cannot be trapped: each stage also
# recognises what such a run left behind.
CHILD_PID='' STAGE_UNDO='' STAGE_NAME='' QEMU_PID=''
on_interrupt() {
	trap '' INT TERM
	if [ -n "$CHILD_PID" ]; then
		kill -TERM -- "-$CHILD_PID" 2>/dev/null || true
		wait "$CHILD_PID" 2>/dev/null || true
		CHILD_PID=''
	fi
	# A boot's QEMU (boot-qemu.sh) runs in the background of dom0kit.
	if [ -n "$QEMU_PID" ]; then
		kill -TERM "$QEMU_PID" 2>/dev/null || true
		wait "$QEMU_PID" 2>/dev/null || true
	fi
	# The live progress line (progress.sh) stops and is cleared first.
	if declare -F progress_stop >/dev/null; then progress_stop 2>&7; fi
	if [ -n "$STAGE_UNDO" ]; then
		(eval "$STAGE_UNDO") >>"$WORKDIR/logs/${STAGE_NAME:-interrupt}.log" 2>&1 || true
	fi
	# The trap runs under the redirections of the step it interrupted
	# (run_logged's log): the message goes to the saved stderr.
	printf 'dom0kit: interrupted%s\n' "${STAGE_NAME:+ during $STAGE_NAME; run the same command again to resume}" >&7
	exit 130
}
trap_interrupts() { exec 7>&2; trap on_interrupt INT TERM; }

# run_child CMD...: CMD (a command or function) as a job in its own
# process group, stdin from /dev/null; returns its exit code. Where a
# stage has its own trap (system-test) or none (a dry run), CMD runs as
# before, in dom0kit's process group, which that trap's signal reaches.
run_child() {
	local rc=0
	case $(trap -p TERM) in
	*on_interrupt*) ;;
	*) "$@"; return ;;
	esac
	set -m
	{ "$@" || exit "$?"; } </dev/null &
	CHILD_PID=$!
	set +m
	wait "$CHILD_PID" || rc=$?
	CHILD_PID=''
	return "$rc"
}

# why_failed STAGE DEFAULT: the one-line reason of a failed command: a
# full disk is named as such, anything else gets DEFAULT.
why_failed() {
	if grep -q 'No space left on device' "$WORKDIR/logs/$1.log" 2>/dev/null; then
		echo "disk full (No space left on device) under $(df -P "$WORKDIR" | awk 'NR==2 {print $6}') during $1"
	else
		echo "$2"
	fi
}

# Writes stdin to FILE through a temp file in the same directory, so a
# reader never sees half a file and a failure leaves the old one intact.
write_atomic() {
	local file=$1 tmp
	tmp=$(mktemp "$file.tmp.XXXXXX") || return 1
	if cat >"$tmp"; then
		mv -f "$tmp" "$file"
	else
		rm -f "$tmp"
		return 1
	fi
}

sha256_of() { sha256sum "$@" | awk '{print $1}'; }

# Stamps let an interrupted or repeated run skip a stage whose inputs did
# not change. The stamp content is a description of every input; a stage
# is current when its stamp matches what it would write now. A dry run
# writes none: it keeps the stamps a real run would write in DRY_STAMPS,
# so that a later stage's plan sees an earlier stage's change.
declare -A DRY_STAMPS=()
stamp_file() { echo "$STATEDIR/$1.stamp"; }
stamp_text() {
	if [ -n "${DRY_STAMPS[$1]+set}" ]; then
		printf '%s\n' "${DRY_STAMPS[$1]}"
	elif [ -f "$(stamp_file "$1")" ]; then
		cat "$(stamp_file "$1")"
	else
		return 1
	fi
}
stamp_current() { [ "$(stamp_text "$1" 2>/dev/null)" = "$2" ]; }
stamp_write() { mkdir -p "$STATEDIR" && printf '%s\n' "$2" | write_atomic "$(stamp_file "$1")"; }
stamp_clear() { rm -f "$(stamp_file "$1")"; }
# A stamp's own digest, fed into the next stage's inputs so that a change
# early in the pipeline invalidates everything after it.
stamp_digest() {
	if [ -n "${DRY_STAMPS[$1]+set}" ]; then
		printf '%s\n' "${DRY_STAMPS[$1]}" | sha256_of -
	elif [ -f "$(stamp_file "$1")" ]; then
		sha256_of "$(stamp_file "$1")"
	else
		echo none
	fi
}

# stamp_why STAMP INPUTS: what changed since STAMP was written, in words:
# the first input line that differs, named by the word before the first
# differing word ("patch one.patch abc.." -> one.patch).
stamp_why() {
	local old
	old=$(stamp_text "$1" 2>/dev/null) || { echo "it has not run yet"; return 0; }
	diff <(printf '%s\n' "$old") <(printf '%s\n' "$2") | awk '
		/^< / { o[no++] = substr($0, 3) } /^> / { n[nn++] = substr($0, 3) }
		END {
			if (nn == 0) { split(o[0], w, " "); print (w[2] != "" ? w[2] : w[1]) " was removed"; exit }
			if (no == 0) { split(n[0], w, " "); print (w[2] != "" ? w[2] : w[1]) " was added"; exit }
			split(o[0], a, " "); k = split(n[0], b, " ")
			for (i = 1; i <= k && a[i] == b[i]; i++) ;
			print (i > 1 ? b[i - 1] : b[1]) " changed"
		}'
}

# One lock per work dir; flock releases it when the process exits, even on
# a kill, so a crashed run never leaves a stale lock behind.
take_lock() {
	mkdir -p "$WORKDIR"
	exec 9>"$WORKDIR/.lock"
	flock -n 9 || die "$EXIT_LOCKED" "work dir $WORKDIR is in use by another dom0kit run"
	trap_interrupts
}

# stage_begin NAME / stage_end NAME: the one progress line per stage.
stage_begin() {
	STAGE_START=$(date +%s) STAGE_NAME=$1
	[ -n "${OPT_DRY_RUN:-}" ] || info "==> $1 ($RELEASE)"
}
stage_end() { info "==> $1 done in $(elapsed "$STAGE_START")"; STAGE_NAME='' STAGE_UNDO=''; }
stage_skip() { info "==> $1: inputs unchanged, skipped"; }

# stage_enter NAME STAMP INPUTS OUTPUT: fails, and says the stage is
# skipped, when STAMP records INPUTS and OUTPUT exists; otherwise begins
# the stage with its stamp cleared (a run that dies leaves none, so the
# next one redoes the stage) and its log restarted. In a dry run it says
# which it would do and why, and changes nothing.
stage_enter() {
	if [ -n "${OPT_DRY_RUN:-}" ]; then
		if stamp_current "$2" "$3" && [ -e "$4" ]; then
			printf 'would skip %s: inputs unchanged\n' "$1"
			return 1
		fi
		if stamp_current "$2" "$3"; then
			printf 'would run %s because %s is missing\n' "$1" "${4#"$WORKDIR"/}"
		else
			printf 'would run %s because %s\n' "$1" "$(stamp_why "$2" "$3")"
		fi
		DRY_STAMPS[$2]=$3
		return 0
	fi
	if stamp_current "$2" "$3" && [ -e "$4" ]; then
		stage_skip "$1"
		return 1
	fi
	stage_begin "$1"
	stamp_clear "$2"
	: >"$WORKDIR/logs/$1.log"
}

# require_patched_tree: the patch stage finished on the tree (a killed
# or failed patch run leaves STATEDIR/patch.unfinished behind).
require_patched_tree() {
	[ ! -e "$STATEDIR/patch.unfinished" ] ||
		die "$EXIT_USAGE" "the patch stage of $RELEASE did not finish (interrupted or failed): run dom0kit patch --kernel $RELEASE first"
}

# planned STAGE TEXT: in --dry-run mode print the plan and succeed.
planned() {
	if [ -n "${OPT_DRY_RUN:-}" ]; then
		printf 'would %s: %s\n' "$1" "$2"
		return 0
	fi
	return 1
}

# A dry run fails with the code the real run would have failed with
# (DRY_EXIT, e.g. missing packages), after printing the whole plan.
DRY_EXIT=0
dry_run_end() { [ -z "${OPT_DRY_RUN:-}" ] || exit "$DRY_EXIT"; }

# Live progress of compile, unpack and package.
# shellcheck source=scripts/lib/progress.sh
. "$LIB/progress.sh"

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
	"$@" >>"$log" 2>&1 || rc=$?
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
# is current when its stamp matches what it would write now.
stamp_file() { echo "$STATEDIR/$1.stamp"; }
stamp_current() { [ -f "$(stamp_file "$1")" ] && [ "$(cat "$(stamp_file "$1")")" = "$2" ]; }
stamp_write() { mkdir -p "$STATEDIR" && printf '%s\n' "$2" | write_atomic "$(stamp_file "$1")"; }
stamp_clear() { rm -f "$(stamp_file "$1")"; }
# A stamp's own digest, fed into the next stage's inputs so that a change
# early in the pipeline invalidates everything after it.
stamp_digest() {
	if [ -f "$(stamp_file "$1")" ]; then sha256_of "$(stamp_file "$1")"; else echo none; fi
}

# One lock per work dir; flock releases it when the process exits, even on
# a kill, so a crashed run never leaves a stale lock behind.
take_lock() {
	mkdir -p "$WORKDIR"
	exec 9>"$WORKDIR/.lock"
	flock -n 9 || die "$EXIT_LOCKED" "work dir $WORKDIR is in use by another dom0kit run"
}

# stage_begin NAME / stage_end NAME: the one progress line per stage.
stage_begin() {
	STAGE_START=$(date +%s)
	[ -n "${OPT_DRY_RUN:-}" ] || info "==> $1 ($RELEASE)"
}
stage_end() { info "==> $1 done in $(elapsed "$STAGE_START")"; }
stage_skip() { info "==> $1: inputs unchanged, skipped"; }

# stage_enter NAME STAMP INPUTS OUTPUT: fails, and says the stage is
# skipped, when STAMP records INPUTS and OUTPUT exists; otherwise begins
# the stage with its stamp cleared (a run that dies leaves none, so the
# next one redoes the stage) and its log restarted.
stage_enter() {
	if stamp_current "$2" "$3" && [ -e "$4" ]; then
		stage_skip "$1"
		return 1
	fi
	stage_begin "$1"
	stamp_clear "$2"
	: >"$WORKDIR/logs/$1.log"
}

# dry_run_plan STAGE TEXT: in --dry-run mode print the plan and succeed.
planned() {
	if [ -n "${OPT_DRY_RUN:-}" ]; then
		printf 'would %s: %s\n' "$1" "$2"
		return 0
	fi
	return 1
}

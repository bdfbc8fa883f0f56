# shellcheck shell=bash
# lint: every patch of every line has a DEP-3 header and a Signed-off-by,
# and passes the kernel's own checkpatch.pl --strict.

help_lint() {
	cat <<'H'
Usage: dom0kit lint [--kernel SPEC] [--patches DIR] [PATCH...]
Checks each patch (default: every patch under PATCHES/*/) for the DEP-3
fields Description (or Subject), Author (or From), Origin, Forwarded and
Last-Update, for a Signed-off-by line, and runs scripts/checkpatch.pl
--strict from the fetched kernel tree of --kernel (dom0kit fetch + patch
first). Exit 1 when any patch fails, naming each problem.
H
}
LINT_FILES=()
args_lint() {
	local a
	for a in "$@"; do
		case $a in -*) die "$EXIT_USAGE" "unknown option for lint: $a" ;; esac
		[ -f "$a" ] || die "$EXIT_USAGE" "no such patch: $a"
		LINT_FILES+=("$(readlink -f "$a")")
	done
}

# The header is everything before the first "---" or "diff"/"Index:" line.
patch_header() { sed -n '/^---\( \|$\)/q; /^diff /q; /^Index: /q; p' "$1"; }

lint_header() {
	local patch=$1 header field problems=()
	header=$(patch_header "$patch")
	for field in 'Description|Subject' 'Author|From' Origin Forwarded Last-Update; do
		grep -qE "^($field): *[^ ]" <<<"$header" || problems+=("no DEP-3 ${field%%|*} field")
	done
	if grep -q '^Last-Update:' <<<"$header" &&
		! grep -qE '^Last-Update: *[0-9]{4}-[0-9]{2}-[0-9]{2} *$' <<<"$header"; then
		problems+=("Last-Update is not YYYY-MM-DD")
	fi
	grep -qE '^Signed-off-by: .+ <[^>]+@[^>]+>' <<<"$header" || problems+=("no Signed-off-by")
	local p
	for p in "${problems[@]}"; do echo "$patch: $p"; done
	[ ${#problems[@]} -eq 0 ]
}

# shellcheck source=scripts/lib/variants.sh
. "$LIB/variants.sh"

cmd_lint() {
	local patch failed=0 checkpatch=$SRCDIR/scripts/checkpatch.pl
	if [ ${#LINT_FILES[@]} -eq 0 ]; then
		while IFS= read -r patch; do LINT_FILES+=("$patch"); done < <(find "$PATCHES_ROOT" -name '*.patch' | sort)
	fi
	if [ ${#LINT_FILES[@]} -eq 0 ]; then
		info "lint: no patches under $PATCHES_ROOT"
		return 0
	fi
	[ -x "$checkpatch" ] || die "$EXIT_USAGE" "lint needs the kernel tree of $RELEASE for checkpatch.pl: run dom0kit fetch and patch --kernel $RELEASE"
	mkdir -p "$WORKDIR/logs"
	: >"$WORKDIR/logs/lint.log"
	# A released tree has no history, in which checkpatch would call the
	# commit of every Fixes: tag unknown; upstream's own check (git am on
	# a git tree) still looks them up.
	local ignore=()
	[ -e "$SRCDIR/.git" ] || ignore=(--ignore UNKNOWN_COMMIT_ID)
	# Every problem is printed on a line of its own and counted once: the
	# count at the end is the number of lines above it.
	local found line
	for patch in "${LINT_FILES[@]}"; do
		found=$(lint_header "$patch") || true
		if [ -n "$found" ]; then
			printf '%s\n' "$found"
			failed=$((failed + $(grep -c . <<<"$found")))
		fi
		# checkpatch runs from the tree so that it knows its layout.
		if ! (cd "$SRCDIR" && perl "$checkpatch" --strict --no-summary --terse "${ignore[@]}" "$patch") >>"$WORKDIR/logs/lint.log" 2>&1; then
			found=$(grep -E '^[^ ].*(ERROR|WARNING|CHECK)' "$WORKDIR/logs/lint.log") ||
				found="checkpatch.pl failed: $(tail -n 1 "$WORKDIR/logs/lint.log")"
			echo "$patch: checkpatch.pl --strict:"
			while IFS= read -r line; do printf '    %s\n' "$line"; done <<<"$found"
			: >"$WORKDIR/logs/lint.log"
			failed=$((failed + $(grep -c . <<<"$found")))
		fi
	done
	# Version-bounded variants: no two claim one release (variants.sh).
	local problem
	while IFS= read -r problem; do
		echo "$problem"
		failed=$((failed + 1))
	done < <(variants_lint "$PATCHES_ROOT")
	[ "$failed" -eq 0 ] || die "$EXIT_FAIL" "lint: $failed problem(s) in ${#LINT_FILES[@]} patch(es)"
	info "lint: ${#LINT_FILES[@]} patch(es) clean"
}

# shellcheck shell=bash
# refresh: carries a line's series to a new release. Patches that apply
# only with offsets are refreshed (same changes, new line numbers) so the
# series stays --fuzz=0 clean; patches upstream has taken are marked;
# patches that apply only with fuzz become proposals for a human in the
# out dir (refresh-review.sh), with patches/ untouched; --new-line starts
# a line from another (refresh-newline.sh).

for stage in fetch patch releases refresh-patch refresh-review refresh-newline; do
	# shellcheck source=/dev/null
	. "$LIB/$stage.sh"
done

help_refresh() {
	cat <<'H'
Usage: dom0kit refresh --kernel X.Y.Z [--source SRC] [--patches DIR] [--outdir DIR]
       dom0kit refresh --new-line X.Y [--from A.B] [--kernel X.Y.Z] [--source SRC]
Fetches X.Y.Z, unpacks it into a scratch tree (not the pipeline's) and
pushes PATCHES/<line>/series one patch at a time with quilt --fuzz=0.
  clean      left as it is
  offsets    quilt refresh (-p ab, no index, no timestamps); the header is
             kept and the changed lines are checked to be the same. A patch
             from common/ that another line also uses is written into
             <line>/, so the other lines keep theirs.
  upstream   every change already in X.Y.Z (the patch applies reversed):
             its entry in <line>/series gets upstream=X.Y.Z, which leaves
             it out of the series from X.Y.Z on (docs/variants.md)
  fuzz       applies with quilt push --fuzz=3 only: refreshed into a
             proposed variant OUTDIR/refresh/<line>/patches/<line>/
             from-X.Y.Z/NAME (X-Applies-To: >= X.Y.Z) with NAME.diff, the
             old against the new patch; the tree is then compiled (qemu
             profile, make W=1 on the directories the series touches)
  fails      not even with --fuzz=3: its rejected hunks are printed, the
             patches after it are still tried without it
On success the pin of the line moves to X.Y.Z (patches/releases or
DOM0KIT_RELEASES_FILE) and a commit message listing what moved is printed
and written to WORKDIR/refresh-LINE.msg. When any patch needed fuzz or
failed, nothing under PATCHES or the pin is written: OUTDIR/refresh/LINE/
holds REPORT (one line per patch, the compile), status (needs-review or
fails), the proposals and compile.log; the last line on stderr says
"refresh: needs review: ..." or why not, exit 1.
--new-line X.Y starts line X.Y from line A.B (default: the nearest older
line): X.Y/series with A.B's entries, A.B's own files (the variant meant
for A.B's pin) copied into X.Y/, common/ shared; then carried to X.Y.Z
(default: the newest release of X.Y Debian's mirror serves) as above and
compiled; only then are PATCHES/X.Y/ and the pin written. Exit 2 for a
line that exists, a --from line that does not, a --kernel of another line.
H
}

args_refresh() {
	while [ $# -gt 0 ]; do
		case $1 in
		--new-line=* | --from=*) set -- "${1%%=*}" "${1#*=}" "${@:2}"; continue ;;
		--new-line | --from)
			if [ $# -lt 2 ] || [ -z "$2" ] || [[ $2 == -* ]]; then die "$EXIT_USAGE" "option $1 needs a value"; fi
			if [ "$1" = --new-line ]; then NEW_LINE=$2; else NEW_FROM=$2; fi
			shift ;;
		*) die "$EXIT_USAGE" "unknown option for refresh: $1 (--new-line X.Y, --from X.Y)" ;;
		esac
		shift
	done
	args_new_line
}

REFRESH_SCRATCH=''
refresh_cleanup() { [ -z "$REFRESH_SCRATCH" ] || rm -rf "$REFRESH_SCRATCH"; }

# refresh_write: every patch applied with --fuzz=0 (offsets refreshed)
# or is upstream: the refreshed files, the upstream marks and the pin
# written under PATCHES_ROOT and RELEASES_FILE; prints what it wrote.
refresh_write() {
	local name path dest
	R_WRITTEN=()
	while read -r name path; do
		[ -f "$QUILT_DIR/$name.refreshed" ] || continue
		dest=$path
		if [ "$path" = "$PATCHES_ROOT/common/$name" ] && shared_elsewhere "$name"; then
			dest=$PATCHES_ROOT/$LINE/$name
			mkdir -p "$(dirname "$dest")"
		fi
		write_atomic "$dest" <"$QUILT_DIR/$name.refreshed" || die "$EXIT_FAIL" "cannot write $dest"
		R_WRITTEN+=("${dest#"$PATCHES_ROOT"/}")
	done <<<"$R_ENTRIES"
	if [ ${#R_UPSTREAM[@]} -gt 0 ]; then
		mark_upstream "${R_UPSTREAM[@]}"
		R_WRITTEN+=("$LINE/series")
	fi
	rewrite_pins <<<"$LINE $RELEASE"
}

# refresh_message OLD_PIN: the proposed commit message, written to
# WORKDIR/refresh-LINE.msg.
refresh_message() {
	local old_pin=$1 name
	{
		if [ -n "$NEW_LINE" ]; then
			echo "patches/$LINE: a new line from $NEW_FROM, pinned to $RELEASE"
			echo
			echo "Started from $NEW_FROM's series on $old_pin (dom0kit refresh --new-line);"
			echo "applied to $RELEASE with --fuzz=0 and compiled: ${R_COMPILE#ok: }."
		else
			echo "patches/$LINE: carry the series from $old_pin to $RELEASE"
		fi
		echo
		if [ -n "$R_SUMMARY" ]; then
			echo "Refreshed with quilt (offsets only, changed lines identical):"
			printf '%s' "$R_SUMMARY"
		else
			echo "Every patch applies to $RELEASE as it is$([ -n "$NEW_LINE" ] || echo '; only the pin moves')."
		fi
		[ ${#R_CLEAN[@]} -eq 0 ] || echo "Applied unchanged: ${R_CLEAN[*]}"
		for name in ${R_UPSTREAM[@]+"${R_UPSTREAM[@]}"}; do
			echo "Upstream in $RELEASE: $name (every change already there); marked upstream=$RELEASE in $LINE/series, left out from $RELEASE on."
		done
		if [ -n "$NEW_LINE" ]; then
			echo "Pin of $LINE added to patches/releases: $RELEASE."
		else
			echo "Pin of $LINE in patches/releases: $old_pin -> $RELEASE."
		fi
	} | write_atomic "$WORKDIR/refresh-$LINE.msg"
}

cmd_refresh() {
	if [ -z "$NEW_LINE" ]; then
		[[ $OPT_KERNEL =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
			die "$EXIT_USAGE" "refresh needs a full release: --kernel X.Y.Z (e.g. $(pinned_release "$LINE")), not '${OPT_KERNEL}'"
	fi
	ensure_deps fetch patch
	local old_pin
	old_pin=$(pinned_release "$LINE")
	if [ -n "$OPT_DRY_RUN" ]; then
		if [ -n "$NEW_LINE" ]; then
			planned refresh "start line $NEW_LINE from $NEW_FROM ($old_pin): its series and own patches staged, carried to ${NEW_RELEASE:-the newest release of $NEW_LINE Debian serves} in a scratch tree and compiled, then patches/$NEW_LINE and its pin written"
			return 0
		fi
		R_ENTRIES=$(series_files)
		cmd_fetch
		planned refresh "carry $(grep -c . <<<"$R_ENTRIES") patches of $PATCHES_ROOT/$LINE/series from $old_pin to $RELEASE in a scratch tree, refresh the ones with offsets, pin $LINE to $RELEASE in $RELEASES_FILE"
		return 0
	fi
	mkdir -p "$WORKDIR"
	REFRESH_SCRATCH=$(mktemp -d "$WORKDIR/.refresh.XXXXXX")
	trap refresh_cleanup EXIT
	if [ -n "$NEW_LINE" ]; then
		mkdir -p "$REFRESH_SCRATCH/root"
		new_line_stage "$REFRESH_SCRATCH/root" "$REFRESH_SCRATCH/releases"
		old_pin=$NEW_FROM_PIN
	fi
	# shellcheck disable=SC2034 # read by refresh-review.sh
	[ -n "$NEW_LINE" ] || ! vgt "$old_pin" "$RELEASE" || R_BACKWARD=1
	R_ENTRIES=$(series_files)
	refresh_carry "$R_ENTRIES"
	R_COMPILE=''
	# A proposal, or a new line, is compiled before anyone relies on it.
	if [ ${#R_PROPOSED[@]} -gt 0 ] || [ -n "$NEW_LINE" ]; then refresh_compile || true; fi
	if [ ${#R_PROPOSED[@]} -gt 0 ] || [ ${#R_FAILED[@]} -gt 0 ] || [ "${R_COMPILE:-ok}" = "${R_COMPILE#ok}" ]; then
		refresh_review "$old_pin"
	fi
	[ -z "$NEW_LINE" ] || echo "compile: $R_COMPILE"
	# Every patch applied: only now is anything under patches/ written.
	refresh_write
	[ -z "$NEW_LINE" ] || new_line_install
	refresh_message "$old_pin"
	stage_end refresh
	if [ -n "$NEW_LINE" ]; then
		printf 'written: %s\n' "$LINE/" "$RELEASES_FILE"
	elif git -C "$PATCHES_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$PATCHES_ROOT" status --short -- .
		git -C "$PATCHES_ROOT" diff --stat -- .
	else
		printf 'written: %s\n' "${R_WRITTEN[@]}" "${RELEASES_FILE}"
	fi
	echo "---- proposed commit message ($WORKDIR/refresh-$LINE.msg):"
	cat "$WORKDIR/refresh-$LINE.msg"
}

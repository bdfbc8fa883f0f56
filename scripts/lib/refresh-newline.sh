# shellcheck shell=bash
# refresh-newline: `dom0kit refresh --new-line X.Y [--from A.B]` starts a
# kernel line from an existing one. The new line's series and its own
# patches are staged in a scratch copy of the patch root with a scratch
# pin file: every entry the --from line uses on its pin, its line-specific
# file (or the variant meant for its pin) copied into X.Y/ without range,
# common/ files shared as they are. The staged line is then carried to
# the new release like any refresh (--fuzz=0, offsets refreshed, upstream
# marks, fuzz as proposals) and its tree compiled; only when all of that
# passed are patches/X.Y/ and its pin written.

NEW_LINE='' NEW_FROM='' NEW_LINE_NOTE=''

# args_new_line: checks --new-line and --from (after args_refresh read
# them), before the dispatcher resolves --kernel; sets OPT_KERNEL so that
# the dispatcher's resolve_kernel passes, and NEW_RELEASE.
args_new_line() {
	local known
	known=$(known_lines | paste -sd' ' -)
	if [ -z "$NEW_LINE" ]; then
		[ -z "$NEW_FROM" ] || die "$EXIT_USAGE" "--from needs --new-line (e.g. refresh --new-line 7.3 --from 7.2)"
		return 0
	fi
	[[ $NEW_LINE =~ ^[0-9]+\.[0-9]+$ ]] || die "$EXIT_USAGE" "--new-line needs a line X.Y (e.g. 7.3), not '$NEW_LINE'"
	[ -z "$(pinned_release "$NEW_LINE")" ] ||
		die "$EXIT_USAGE" "line $NEW_LINE exists already (pinned to $(pinned_release "$NEW_LINE")): refresh it with --kernel $NEW_LINE.N"
	if [ -z "$NEW_FROM" ]; then
		# The nearest line: the newest older one, else the oldest newer.
		NEW_FROM=$({ known_lines; echo "$NEW_LINE"; } | sort -V | grep -B 1 -A 1 -xF "$NEW_LINE" | grep -vxF "$NEW_LINE" | head -n 1)
	fi
	if ! [[ $NEW_FROM =~ ^[0-9]+\.[0-9]+$ ]] || [ -z "$(pinned_release "$NEW_FROM")" ]; then
		die "$EXIT_USAGE" "no line $NEW_FROM to start $NEW_LINE from (known: $known)"
	fi
	NEW_RELEASE=''
	case $OPT_KERNEL in
	'' | "$NEW_LINE") ;;
	"$NEW_LINE".*) [[ $OPT_KERNEL =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] && NEW_RELEASE=$OPT_KERNEL ;;
	esac
	[ -z "$OPT_KERNEL" ] || [ "$OPT_KERNEL" = "$NEW_LINE" ] || [ -n "$NEW_RELEASE" ] ||
		die "$EXIT_USAGE" "--kernel $OPT_KERNEL is not a release of the new line $NEW_LINE (e.g. --kernel $NEW_LINE.1)"
	NEW_LINE_NOTE="new line, from $NEW_FROM (dom0kit refresh --new-line)"
	OPT_KERNEL=$NEW_FROM
}

# new_line_stage ROOT PINS: the staged patch root and pin file, and
# LINE, RELEASE and the paths that follow from them set to the new line.
new_line_stage() {
	local root=$1 pins=$2 name path entries from_pin
	from_pin=$(pinned_release "$NEW_FROM")
	if [ -z "$NEW_RELEASE" ]; then
		ensure_deps fetch
		apt_root src
		apt_update_if_old ''
		NEW_RELEASE=$(debian_served "$NEW_LINE")
		[ -n "$NEW_RELEASE" ] ||
			die "$EXIT_USAGE" "Debian's mirror serves no release of $NEW_LINE yet: name one with --kernel $NEW_LINE.N (and --source kernel.org or tarball:PATH)"
	fi
	cp -a "$PATCHES_ROOT/." "$root/" || die "$EXIT_FAIL" "cannot copy $PATCHES_ROOT"
	mkdir -p "$root/$NEW_LINE"
	entries=$(LINE=$NEW_FROM RELEASE=$from_pin series_files) || exit
	{
		echo "# quilt series for linux $NEW_LINE, started from $NEW_FROM ($from_pin) by"
		echo "# dom0kit refresh --new-line; entries are found in this directory first,"
		echo "# then in ../common/. Applied with quilt push -a --fuzz=0."
	} >"$root/$NEW_LINE/series"
	while read -r name path; do
		[ -n "$name" ] || continue
		echo "$name" >>"$root/$NEW_LINE/series"
		[ "$path" != "$PATCHES_ROOT/common/$name" ] || continue
		with_applies_to '' "$path" >"$root/$NEW_LINE/$name"
	done <<<"$entries"
	{ cat "$RELEASES_FILE"; printf '%s\t%s\t%s\n' "$NEW_LINE" "$NEW_RELEASE" "$NEW_LINE_NOTE"; } >"$pins"
	NEW_REAL_ROOT=$PATCHES_ROOT NEW_REAL_PINS=$RELEASES_FILE
	PATCHES_ROOT=$root RELEASES_FILE=$pins
	LINE=$NEW_LINE RELEASE=$NEW_RELEASE
	# shellcheck disable=SC2034 # read by fetch and refresh.sh
	STATEDIR=$WORKDIR/state/$RELEASE NEW_FROM_PIN=$from_pin
}

# new_line_install: the staged line into the real patch root (a temp dir
# renamed into place) and its pin appended to the real pin file.
new_line_install() {
	local tmp
	tmp=$(mktemp -d "$NEW_REAL_ROOT/.$LINE.XXXXXX")
	# shellcheck disable=SC2034 # run by on_interrupt
	STAGE_UNDO="rm -rf '$tmp'"
	if ! cp -a "$PATCHES_ROOT/$LINE/." "$tmp/" || ! mv "$tmp" "$NEW_REAL_ROOT/$LINE"; then
		rm -rf "$tmp"
		die "$EXIT_FAIL" "cannot write $NEW_REAL_ROOT/$LINE"
	fi
	{ cat "$NEW_REAL_PINS"; printf '%s\t%s\t%s\n' "$LINE" "$RELEASE" "$NEW_LINE_NOTE"; } | write_atomic "$NEW_REAL_PINS" ||
		die "$EXIT_FAIL" "cannot write $NEW_REAL_PINS"
	PATCHES_ROOT=$NEW_REAL_ROOT RELEASES_FILE=$NEW_REAL_PINS
}

# shellcheck shell=bash
# patch: unpacks the fetched source once into WORKDIR/src and applies
# patches/<line>/series with quilt --fuzz=0. A series that does not apply
# leaves the tree pristine. Files whose content did not change keep their
# mtime, so make rebuilds only what a changed patch touches.

# shellcheck source=scripts/lib/variants.sh
. "$LIB/variants.sh"

help_patch() {
	cat <<'H'
Usage: dom0kit patch [--kernel SPEC] [--patches DIR]
Reads:  WORKDIR/state/RELEASE/source (from fetch), PATCHES/<line>/series
        (entries are found in PATCHES/<line>/ first, then PATCHES/common/;
        variants in PATCHES/<line>/*/ with an "X-Applies-To: >= 6.12.8,
        < 6.12.60" header serve only those releases: docs/variants.md)
Writes: WORKDIR/src/linux-RELEASE with the series applied (quilt, .pc/)
A patch that needs fuzz or fails stops the stage naming patch and hunk;
the tree is rolled back to pristine.
H
}

quilt_run() {
	(cd "$SRCDIR" && QUILT_PATCHES=$QUILT_DIR QUILT_PC=.pc quilt --quiltrc=/dev/null "$@")
}

# series_files: "name path" per series entry, the variant meant for
# RELEASE (variants.sh), or dies naming a missing one. An entry marked
# upstream=X.Y.Z is left out from X.Y.Z on.
series_files() {
	local series=$PATCHES_ROOT/$LINE/series name rest path
	[ -f "$series" ] || return 0
	while read -r name rest; do
		case $name in '' | '#'*) continue ;; esac
		if upstream_carries "$LINE/series" "$name" "$rest" "$RELEASE"; then continue; fi
		path=$(pick_variant "$PATCHES_ROOT" "$LINE" "$name" "$RELEASE") || exit
		[ -n "$path" ] ||
			die "$EXIT_USAGE" "series $series names $name, found neither in $LINE/ nor in common/"
		echo "$name $path"
	done <"$series"
}

# assemble_quilt_dir ENTRIES: QUILT_DIR made anew from series_files'
# "name path" lines: a series file and the patches it names.
assemble_quilt_dir() {
	local name path
	rm -rf "$QUILT_DIR" && mkdir -p "$QUILT_DIR"
	: >"$QUILT_DIR/series"
	while read -r name path; do
		[ -n "$name" ] || continue
		mkdir -p "$QUILT_DIR/$(dirname "$name")"
		cp "$path" "$QUILT_DIR/$name"
		echo "$name" >>"$QUILT_DIR/series"
	done <<<"$1"
}

# unpack_source: (re)creates the pristine tree when the source changed.
unpack_source() {
	local source_line kind path tmp
	source_line=$(cat "$STATEDIR/source")
	if [ -d "$SRCDIR" ] && [ "$(cat "$SRCDIR.source" 2>/dev/null)" = "$source_line" ]; then
		return 0
	fi
	read -r kind path <<<"$source_line"
	mkdir -p "$WORKDIR/src"
	tmp=$(mktemp -d "$WORKDIR/src/.unpack.XXXXXX")
	case $kind in
	tarball)
		run_logged patch tar -xf "$path" -C "$tmp" --strip-components=1 || {
			rm -rf "$tmp"
			die "$EXIT_FAIL" "$(why_failed patch "cannot unpack $path: corrupt tarball")"
		}
		;;
	dir)
		run_logged patch rsync -a --exclude=.git --exclude=.pc "$path/" "$tmp/" || {
			rm -rf "$tmp"
			die "$EXIT_FAIL" "$(why_failed patch "cannot copy $path")"
		}
		;;
	*) die "$EXIT_FAIL" "unknown entry in $STATEDIR/source: $source_line" ;;
	esac
	rm -rf "$SRCDIR" "$SRCDIR.source"
	mv "$tmp" "$SRCDIR"
	printf '%s\n' "$source_line" | write_atomic "$SRCDIR.source"
}

# Records "sha256 mtime path" of every file the applied patches touch.
snapshot_touched() {
	[ -d "$SRCDIR/.pc" ] || return 0
	(cd "$SRCDIR/.pc" && find . -mindepth 2 -type f ! -name '.*' | cut -d/ -f3- | sort -u) |
		while read -r f; do
			if [ -f "$SRCDIR/$f" ]; then
				printf '%s %s %s\n' "$(sha256_of "$SRCDIR/$f")" "$(stat -c %.9Y "$SRCDIR/$f")" "$f"
			else
				printf '%s %s %s\n' absent 0 "$f"
			fi
		done
}

# After pop and push: same content → old mtime back; different → now.
restore_mtimes() {
	local snapshot=$1 sha mtime f now
	now=$(date +%s.%N)
	while read -r sha mtime f; do
		[ -e "$SRCDIR/$f" ] || continue
		if [ "$sha" != absent ] && [ "$(sha256_of "$SRCDIR/$f")" = "$sha" ]; then
			touch -m -d "@$mtime" "$SRCDIR/$f"
		else
			touch -m -d "@$now" "$SRCDIR/$f"
		fi
	done <"$snapshot"
}

# Explains a quilt failure in one line: the patch and its failed hunks.
quilt_failure() {
	local log=$1 patch hunks
	patch=$(sed -n 's/^Patch \(.*\) does not apply.*/\1/p' "$log" | tail -n 1)
	[ -n "$patch" ] || patch=$(sed -n 's/^Applying patch \(.*\)$/\1/p' "$log" | tail -n 1)
	hunks=$(awk '/^patching file /{f=$3} /^Hunk #[0-9]+ FAILED/{printf "%s%s: %s", sep, f, $0; sep="; "}' "$log")
	echo "patch ${patch##*/} does not apply to linux $RELEASE with --fuzz=0${hunks:+: $hunks}"
}

cmd_patch() {
	local inputs name path
	ensure_deps patch
	QUILT_DIR=$STATEDIR/patches
	local entries
	entries=$(series_files)
	planned patch "apply $(grep -c . <<<"$entries") patches of $PATCHES_ROOT/$LINE/series to $SRCDIR" && return 0
	[ -f "$STATEDIR/source" ] || die "$EXIT_USAGE" "no source fetched for $RELEASE yet: run dom0kit fetch --kernel $RELEASE"
	inputs="source $(cat "$STATEDIR/source")"
	while read -r name path; do
		[ -n "$name" ] && inputs+=$'\n'"patch $name $(sha256_of "$path")"
	done <<<"$entries"
	stage_enter patch patch "$inputs" "$SRCDIR" || return 0
	unpack_source
	local snapshot=$STATEDIR/touched.before
	snapshot_touched >"$snapshot"
	if [ -s "$SRCDIR/.pc/applied-patches" ]; then
		run_logged patch quilt_run pop -a -f -q || die "$EXIT_FAIL" "cannot pop the old series in $SRCDIR; remove it and run again"
	fi
	# The quilt patch dir is assembled fresh: series + the files it names.
	assemble_quilt_dir "$entries"
	if [ -s "$QUILT_DIR/series" ]; then
		local log=$STATEDIR/quilt-push.log
		if ! quilt_run push -a --fuzz=0 >"$log" 2>&1; then
			cat "$log" >>"$WORKDIR/logs/patch.log"
			local why
			why=$(quilt_failure "$log")
			quilt_run pop -a -f -q >>"$WORKDIR/logs/patch.log" 2>&1 || true
			restore_mtimes "$snapshot"
			die "$EXIT_FAIL" "$why (tree rolled back to pristine; log: $WORKDIR/logs/patch.log)"
		fi
		cat "$log" >>"$WORKDIR/logs/patch.log"
	fi
	restore_mtimes "$snapshot"
	stamp_write patch "$inputs"
	stage_end patch
}

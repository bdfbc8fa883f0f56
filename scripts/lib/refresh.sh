# shellcheck shell=bash
# refresh: carries a line's series to a new release. Patches that apply
# only with offsets are refreshed (same changes, new line numbers) so the
# series stays --fuzz=0 clean; a patch that does not apply is shown with
# its rejected hunks and left for a human, with patches/ untouched.

for stage in fetch patch releases; do
	# shellcheck source=/dev/null
	. "$LIB/$stage.sh"
done

help_refresh() {
	cat <<'H'
Usage: dom0kit refresh --kernel X.Y.Z [--source SRC] [--patches DIR]
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
  fails      its rejected hunks are printed; nothing is written, exit 1
On success the pin of the line moves to X.Y.Z (patches/releases or
DOM0KIT_RELEASES_FILE) and a commit message listing what moved is printed
and written to WORKDIR/refresh-LINE.msg.
H
}

REFRESH_SCRATCH=''
refresh_cleanup() { [ -z "$REFRESH_SCRATCH" ] || rm -rf "$REFRESH_SCRATCH"; }

# patch_changes FILE: the file names and the +/- lines of every hunk,
# counted by the hunk header so that a removed "-- x" line is not taken
# for a file header: equal output means the same change.
patch_changes() {
	awk '
	o > 0 || n > 0 {
		c = substr($0, 1, 1)
		if (c == "-") { o--; print } else if (c == "+") { n--; print }
		else if (c == "\\") print
		else { o--; n-- }
		next
	}
	/^\+\+\+ / { f = $2; sub(/^[^\/]*\//, "", f); print "file " f; next }
	/^@@ -/ {
		split($2, a, ","); split($3, b, ",")
		o = (2 in a) ? a[2] : 1; n = (2 in b) ? b[2] : 1
	}' "$1"
}

# hunk_text FILE N PATCH: hunk N of FILE in PATCH, for the human; the
# hunk header's counts say where it ends.
hunk_text() {
	awk -v want="$1" -v n="$2" '
	o > 0 || m > 0 {
		c = substr($0, 1, 1)
		if (c == "-") o--; else if (c == "+") m--; else if (c != "\\") { o--; m-- }
		if (on) print
		next
	}
	/^\+\+\+ / { f = $2; sub(/^[^\/]*\//, "", f); k = 0; next }
	/^@@ -/ {
		split($2, a, ","); split($3, b, ",")
		o = (2 in a) ? a[2] : 1; m = (2 in b) ? b[2] : 1
		if (f == want) k++
		on = (f == want && k == n)
		if (on) print
	}' "$3"
}

# The header as quilt would see it, plus the --- separator quilt drops.
patch_head() { sed -n '/^diff /q; /^Index: /q; /^--- [^ ]/q; p' "$1"; }
patch_body() { sed -n '/^diff \|^Index: \|^--- [^ ]/,$p' "$1"; }

# shared_elsewhere NAME: another line's series uses common/NAME.
shared_elsewhere() {
	local s d
	for s in "$PATCHES_ROOT"/*/series; do
		d=$(basename "$(dirname "$s")")
		case $d in "$LINE" | common) continue ;; esac
		[ -f "$PATCHES_ROOT/$d/$1" ] && continue
		awk -v n="$1" '$1 == n {found = 1} END {exit !found}' "$s" && return 0
	done
	return 1
}

refresh_unpack() {
	local kind path
	read -r kind path <"$STATEDIR/source"
	mkdir -p "$SRCDIR"
	case $kind in
	tarball) run_logged refresh tar -xf "$path" -C "$SRCDIR" --strip-components=1 ||
		die "$EXIT_FAIL" "$(why_failed refresh "cannot unpack $path: corrupt tarball")" ;;
	dir) run_logged refresh rsync -a --exclude=.git --exclude=.pc "$path/" "$SRCDIR/" ||
		die "$EXIT_FAIL" "$(why_failed refresh "cannot copy $path")" ;;
	*) die "$EXIT_FAIL" "unknown entry in $STATEDIR/source: $kind $path" ;;
	esac
}

# refresh_failed NAME PATH LOG: prints the rejected hunks, then dies.
refresh_failed() {
	local name=$1 path=$2 log=$3 file n hunks=''
	echo "patch $name does not apply to linux $RELEASE with --fuzz=0:"
	sed -n '/^patching file \|FAILED\|^can.t find file\|^No file to patch/p' "$log" | sed 's/^/  /'
	while read -r file n; do
		[ -n "$file" ] || continue
		hunks+="${hunks:+; }$file: Hunk #$n FAILED"
		echo "---- rejected hunk #$n of $file ($path):"
		hunk_text "$file" "$n" "$path"
	done < <(awk '/^patching file /{f = $3} /^Hunk #[0-9]+ FAILED/{sub(/^#/, "", $2); print f, $2}' "$log")
	die "$EXIT_FAIL" "refresh: $name does not apply to linux $RELEASE${hunks:+: $hunks}; left for a human, patches/ unchanged"
}

# mark_upstream NAME...: those entries of LINE's series get
# upstream=RELEASE (an older mark is replaced), written atomically.
mark_upstream() {
	local series=$PATCHES_ROOT/$LINE/series name
	awk -v rel="$RELEASE" -v names=" $* " '
		!/^#/ && NF && index(names, " " $1 " ") {
			line = $1
			for (i = 2; i <= NF; i++) if ($i !~ /^upstream=/) line = line " " $i
			print line " upstream=" rel; next
		}
		{ print }' "$series" | write_atomic "$series" || die "$EXIT_FAIL" "cannot rewrite $series"
	for name in "$@"; do
		info "upstream: $name is in linux $RELEASE already; $LINE/series leaves it out from $RELEASE on"
	done
}

cmd_refresh() {
	[[ $OPT_KERNEL =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
		die "$EXIT_USAGE" "refresh needs a full release: --kernel X.Y.Z (e.g. $(pinned_release "$LINE")), not '${OPT_KERNEL}'"
	ensure_deps fetch patch
	local old_pin entries name path log moves offsets summary='' clean=() written=() upstream=()
	old_pin=$(pinned_release "$LINE")
	entries=$(series_files)
	if [ -n "$OPT_DRY_RUN" ]; then
		cmd_fetch
		planned refresh "carry $(grep -c . <<<"$entries") patches of $PATCHES_ROOT/$LINE/series from $old_pin to $RELEASE in a scratch tree, refresh the ones with offsets, pin $LINE to $RELEASE in $RELEASES_FILE"
		return 0
	fi
	cmd_fetch
	stage_begin refresh
	: >"$WORKDIR/logs/refresh.log"
	REFRESH_SCRATCH=$(mktemp -d "$WORKDIR/.refresh.XXXXXX")
	trap refresh_cleanup EXIT
	SRCDIR=$REFRESH_SCRATCH/linux-$RELEASE QUILT_DIR=$REFRESH_SCRATCH/patches
	refresh_unpack
	assemble_quilt_dir "$entries"
	log=$REFRESH_SCRATCH/push.log
	while read -r name path; do
		[ -n "$name" ] || continue
		if ! quilt_run push --fuzz=0 >"$log" 2>&1; then
			cat "$log" >>"$WORKDIR/logs/refresh.log"
			# Every change of the patch already there: upstream has it.
			if (cd "$SRCDIR" && patch -p1 -R --dry-run --fuzz=0 -f -s <"$path") >>"$WORKDIR/logs/refresh.log" 2>&1; then
				upstream+=("$name")
				grep -vxF "$name" "$QUILT_DIR/series" | write_atomic "$QUILT_DIR/series"
				continue
			fi
			refresh_failed "$name" "$path" "$log"
		fi
		cat "$log" >>"$WORKDIR/logs/refresh.log"
		offsets=$(awk '/^patching file /{f = $3}
			/^Hunk #[0-9]+ succeeded at [0-9]+ \(offset -?[0-9]+ lines?\)/ {
				o = $7; if (o !~ /^-/) o = "+" o; sub(/^#/, "", $2); printf "%s hunk %s offset %s\n", f, $2, o }' "$log")
		if [ -z "$offsets" ]; then
			clean+=("$name")
			continue
		fi
		run_logged refresh quilt_run refresh --no-timestamps --no-index -p ab ||
			die "$EXIT_FAIL" "quilt refresh of $name failed (log: $WORKDIR/logs/refresh.log)"
		# quilt rewrites the header too; keep the original one verbatim.
		{ patch_head "$path"; patch_body "$QUILT_DIR/$name"; } >"$REFRESH_SCRATCH/new.patch"
		[ "$(patch_changes "$path")" = "$(patch_changes "$REFRESH_SCRATCH/new.patch")" ] ||
			die "$EXIT_FAIL" "quilt refresh changed the content of $name, not only its line numbers; nothing written"
		cp "$REFRESH_SCRATCH/new.patch" "$QUILT_DIR/$name.refreshed"
		while read -r moves; do summary+="- $name: $moves"$'\n'; done <<<"$offsets"
	done <<<"$entries"
	# Every patch applied: only now is anything under patches/ written.
	while read -r name path; do
		[ -f "$QUILT_DIR/$name.refreshed" ] || continue
		local dest=$path
		if [ "$path" = "$PATCHES_ROOT/common/$name" ] && shared_elsewhere "$name"; then
			dest=$PATCHES_ROOT/$LINE/$name
			mkdir -p "$(dirname "$dest")"
		fi
		write_atomic "$dest" <"$QUILT_DIR/$name.refreshed" || die "$EXIT_FAIL" "cannot write $dest"
		written+=("${dest#"$PATCHES_ROOT"/}")
	done <<<"$entries"
	if [ ${#upstream[@]} -gt 0 ]; then
		mark_upstream "${upstream[@]}"
		written+=("$LINE/series")
	fi
	rewrite_pins <<<"$LINE $RELEASE"
	local msg=$WORKDIR/refresh-$LINE.msg
	{
		echo "patches/$LINE: carry the series from $old_pin to $RELEASE"
		echo
		if [ -n "$summary" ]; then
			echo "Refreshed with quilt (offsets only, changed lines identical):"
			printf '%s' "$summary"
		else
			echo "Every patch applies to $RELEASE as it is; only the pin moves."
		fi
		[ ${#clean[@]} -eq 0 ] || echo "Applied unchanged: ${clean[*]}"
		for name in ${upstream[@]+"${upstream[@]}"}; do
			echo "Upstream in $RELEASE: $name (every change already there); marked upstream=$RELEASE in $LINE/series, left out from $RELEASE on."
		done
		echo "Pin of $LINE in patches/releases: $old_pin -> $RELEASE."
	} | write_atomic "$msg"
	stage_end refresh
	if git -C "$PATCHES_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$PATCHES_ROOT" status --short -- .
		git -C "$PATCHES_ROOT" diff --stat -- .
	else
		printf 'written: %s\n' "${written[@]}" "${RELEASES_FILE}"
	fi
	echo "---- proposed commit message ($msg):"
	cat "$msg"
}

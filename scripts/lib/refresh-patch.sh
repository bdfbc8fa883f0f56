# shellcheck shell=bash
# refresh-patch: what refresh does to one patch of the series in its
# scratch tree (quilt, --fuzz=0 then --fuzz=3), and the helpers that read
# patches: their changed lines, one hunk, header and body.

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

# changes_by_file: patch_changes' lines, sorted within each file.
changes_by_file() { awk '/^file / { f = $2; next } { print f "\t" $0 }' | LC_ALL=C sort; }

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


# Per proposed patch: its highest fuzz and where quilt needed it.
declare -A R_FUZZ=() R_WHERE=()

# refresh_rejected NAME PATH LOG: prints each hunk LOG says FAILED, from
# PATH, for the human; echoes nothing else. Sets R_HUNKS ("FILE: Hunk #N
# FAILED; ...").
refresh_rejected() {
	local name=$1 path=$2 log=$3 file n
	R_HUNKS=''
	echo "patch $name does not apply to linux $RELEASE, not even with --fuzz=3:"
	sed -n '/^patching file \|FAILED\|^can.t find file\|^No file to patch/p' "$log" | sed 's/^/  /'
	while read -r file n; do
		[ -n "$file" ] || continue
		R_HUNKS+="${R_HUNKS:+; }$file: Hunk #$n FAILED"
		echo "---- rejected hunk #$n of $file ($path):"
		hunk_text "$file" "$n" "$path"
	done < <(awk '/^patching file /{f = $3} /^Hunk #[0-9]+ FAILED/{sub(/^#/, "", $2); print f, $2}' "$log")
}

# refresh_new_body NAME PATH: quilt refresh of the top patch NAME; the new
# patch (PATH's header verbatim, quilt's body) in $QUILT_DIR/NAME.new.
refresh_new_body() {
	run_logged refresh quilt_run refresh --no-timestamps --no-index -p ab ||
		die "$EXIT_FAIL" "quilt refresh of $1 failed (log: $WORKDIR/logs/refresh.log)"
	# quilt rewrites the header too; keep the original one verbatim.
	{ patch_head "$2"; patch_body "$QUILT_DIR/$1"; } >"$QUILT_DIR/$1.new"
}

# refresh_one NAME PATH: pushes NAME on the scratch tree and records the
# outcome in the R_* arrays and one REPORT line in R_REPORT:
#   clean      applies with --fuzz=0 as it is
#   offsets    applies with --fuzz=0 at other lines: refreshed, the
#              changed lines checked to be the same (NAME.refreshed)
#   upstream   does not apply, but every change is there (reversed)
#   proposed   applies with --fuzz=3 only: refreshed into NAME.proposed
#              for a human (never into patches/)
#   failed     not even with --fuzz=3: its hunks shown, left out of the
#              scratch series so that the patches after it are tried
refresh_one() {
	local name=$1 path=$2 log=$REFRESH_SCRATCH/push.log offsets fuzz moves
	if quilt_run push --fuzz=0 >"$log" 2>&1; then
		cat "$log" >>"$WORKDIR/logs/refresh.log"
		offsets=$(awk '/^patching file /{f = $3}
			/^Hunk #[0-9]+ succeeded at [0-9]+ \(offset -?[0-9]+ lines?\)/ {
				o = $7; if (o !~ /^-/) o = "+" o; sub(/^#/, "", $2); printf "%s hunk %s offset %s\n", f, $2, o }' "$log")
		if [ -z "$offsets" ]; then
			R_CLEAN+=("$name")
			R_REPORT+="$name: applies unchanged"$'\n'
			return 0
		fi
		refresh_new_body "$name" "$path"
		# Sorted per file: diff may put an added blank line or brace
		# above or below the new block, which is the same change.
		[ "$(patch_changes "$path" | changes_by_file)" = "$(patch_changes "$QUILT_DIR/$name.new" | changes_by_file)" ] ||
			die "$EXIT_FAIL" "quilt refresh changed the content of $name, not only its line numbers; nothing written"
		mv "$QUILT_DIR/$name.new" "$QUILT_DIR/$name.refreshed"
		while read -r moves; do R_SUMMARY+="- $name: $moves"$'\n'; done <<<"$offsets"
		R_REPORT+="$name: applies with offsets ($(paste -sd';' <<<"$offsets" | sed 's/;/; /g')), refreshed"$'\n'
		return 0
	fi
	cat "$log" >>"$WORKDIR/logs/refresh.log"
	# Every change of the patch already there: upstream has it.
	if (cd "$SRCDIR" && patch -p1 -R --dry-run --fuzz=0 -f -s <"$path") >>"$WORKDIR/logs/refresh.log" 2>&1; then
		R_UPSTREAM+=("$name")
		R_REPORT+="$name: upstream in $RELEASE (every change already there), marked upstream=$RELEASE"$'\n'
		grep -vxF "$name" "$QUILT_DIR/series" | write_atomic "$QUILT_DIR/series"
		return 0
	fi
	if quilt_run push --fuzz=3 >"$log" 2>&1; then
		cat "$log" >>"$WORKDIR/logs/refresh.log"
		fuzz=$(sed -n 's/.* with fuzz \([0-9]\).*/\1/p' "$log" | sort -n | tail -n 1)
		refresh_new_body "$name" "$path"
		R_PROPOSED+=("$name")
		R_FUZZ[$name]=${fuzz:-3}
		R_WHERE[$name]=$(awk '/^patching file /{f = $3} / with fuzz [0-9]/{sub(/^#/, "", $2); printf "%s%s hunk %s", s, f, $2; s = "; "}' "$log")
		mv "$QUILT_DIR/$name.new" "$QUILT_DIR/$name.proposed"
		R_REPORT+="$name: proposed as patches/$(review_dest "$name"): applies only with fuzz ${R_FUZZ[$name]} (${R_WHERE[$name]})"$'\n'
		return 0
	fi
	cat "$log" >>"$WORKDIR/logs/refresh.log"
	refresh_rejected "$name" "$path" "$log"
	R_FAILED+=("$name")
	R_REPORT+="$name: does not apply, not even with --fuzz=3 ($R_HUNKS); left out, the patches after it were tried without it"$'\n'
	[ -n "$R_FIRST_FAIL" ] || R_FIRST_FAIL="$name does not apply even with --fuzz=3 ($R_HUNKS)"
	grep -vxF "$name" "$QUILT_DIR/series" | write_atomic "$QUILT_DIR/series"
}

# refresh_carry ENTRIES: fetches RELEASE, unpacks it into a scratch tree
# and runs refresh_one on every "name path" entry, in order.
refresh_carry() {
	local name path
	R_CLEAN=() R_UPSTREAM=() R_PROPOSED=() R_FAILED=() R_SUMMARY='' R_REPORT='' R_FIRST_FAIL=''
	R_FUZZ=() R_WHERE=()
	cmd_fetch
	stage_begin refresh
	: >"$WORKDIR/logs/refresh.log"
	SRCDIR=$REFRESH_SCRATCH/linux-$RELEASE QUILT_DIR=$REFRESH_SCRATCH/patches
	refresh_unpack
	assemble_quilt_dir "$1"
	while read -r name path; do
		[ -n "$name" ] || continue
		refresh_one "$name" "$path"
	done <<<"$1"
}

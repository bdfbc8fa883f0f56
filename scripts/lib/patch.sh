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

# kconfig_sections PATCH: the sections of PATCH (headers and hunks) for
# files that Kconfig reads, or that decide what it writes: Kconfig*,
# scripts/ (the tool and what Kconfig.include runs), the top Makefile,
# arch/*/Makefile and arch/*/configs/ (defconfig), kernel/configs/.
# Hunks are read by their line counts, so that a removed "-- x" next to
# an added "++ y" is not taken for a file's "---"/"+++" header.
kconfig_sections() {
	awk '
		function relevant(p, b) {
			sub(/^[^\/]*\//, "", p); b = p; sub(/.*\//, "", b)
			return b ~ /^Kconfig/ || p ~ /^scripts\// || p == "Makefile" ||
				p ~ /^arch\/[^\/]+\/(Makefile$|configs\/)/ || p ~ /^kernel\/configs\//
		}
		function count(r, a) { return split(r, a, ",") > 1 ? a[2] + 0 : 1 }
		o > 0 || n > 0 {
			if (rel) print
			c = substr($0, 1, 1)
			if (c == "-") o--; else if (c == "+") n--; else if (c != "\\") { o--; n-- }
			next
		}
		held != "" {
			h = held; held = ""
			if ($0 ~ /^\+\+\+ /) { rel = relevant($2 == "/dev/null" ? hp : $2); if (rel) { print h; print }; next }
			if (rel) print h
		}
		/^--- / { held = $0; hp = $2; next }
		/^@@ -[0-9]/ { o = count($2); n = count($3) }
		rel { print }
		END { if (held != "" && rel) print held }' "$1"
}

# kconfig_identity SOURCE-LINE ENTRIES: what the configure stage's
# result can depend on in the patched tree: the source and, in series
# order, every patch's Kconfig-relevant sections. A patch that changes
# only C files leaves it as it was, and the configure stage is skipped.
kconfig_identity() {
	local name path
	{
		printf '%s\n' "$1"
		while read -r name path; do
			[ -z "$name" ] || kconfig_sections "$path"
		done <<<"$2"
	} | sha256_of -
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

# clean_src_temporaries: what a killed run left in WORKDIR/src (a half
# unpacked tree, a replaced tree not yet removed). Safe under the lock:
# no other run uses this work dir.
clean_src_temporaries() {
	rm -rf "$WORKDIR/src"/.unpack.* "$WORKDIR/src"/.old.*
}

# unpack_source SOURCE-LINE: (re)creates the pristine tree when the source
# changed. It is unpacked aside and then renamed into place: SRCDIR is
# at every moment absent, the old tree or the new one, and SRCDIR.source
# names its source only once it is complete.
unpack_source() {
	local source_line=$1 kind path tmp
	clean_src_temporaries
	if [ -d "$SRCDIR" ] && [ "$(cat "$SRCDIR.source" 2>/dev/null)" = "$source_line" ]; then
		return 0
	fi
	read -r kind path <<<"$source_line"
	mkdir -p "$WORKDIR/src"
	tmp=$(mktemp -d "$WORKDIR/src/.unpack.XXXXXX")
	case $kind in
	tarball)
		progress_unpack "$path" "$tmp" || {
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
	*) rm -rf "$tmp"; die "$EXIT_FAIL" "unknown entry in $STATEDIR/source: $source_line" ;;
	esac
	rm -f "$SRCDIR.source" "$STATEDIR/touched.before" "$PATCH_MARK"
	if [ -e "$SRCDIR" ]; then mv "$SRCDIR" "$(mktemp -u "$WORKDIR/src/.old.XXXXXX")"; fi
	mv "$tmp" "$SRCDIR"
	printf '%s\n' "$source_line" | write_atomic "$SRCDIR.source"
	clean_src_temporaries
}

# quilt_restore_pristine: the tree back to pristine from quilt's own
# backups in .pc, whatever an interrupted push or pop left: the patch
# being pushed (its .pc dir exists, it is not yet in applied-patches)
# first, then the applied ones, last first; each backup goes back (an
# empty one stands for a file the patch created). Then .pc goes.
quilt_restore_pristine() {
	local pc=$SRCDIR/.pc name f
	patch_temporaries_remove
	[ -d "$pc" ] || return 0
	{
		[ ! -f "$QUILT_DIR/series" ] ||
			grep -vxF -f <(cat "$pc/applied-patches" 2>/dev/null; echo '#') "$QUILT_DIR/series" | tac
		[ ! -f "$pc/applied-patches" ] || tac "$pc/applied-patches"
	} | while read -r name; do
		{ [ -n "$name" ] && [ -d "$pc/$name" ]; } || continue
		(cd "$pc/$name" && find . -type f ! -path ./.timestamp) | while read -r f; do
			f=${f#./}
			if [ -s "$pc/$name/$f" ]; then
				mkdir -p "$SRCDIR/$(dirname "$f")"
				mv -f "$pc/$name/$f" "$SRCDIR/$f"
			else
				rm -f "$SRCDIR/$f" "$pc/$name/$f"
			fi
		done
	done
	rm -rf "$pc"
}

# patch_temporaries_remove: GNU patch writes each file as FILE.oXXXXXX
# and then renames it (backing the old one up); a killed patch leaves
# that temporary beside a file of the patch being pushed, the first of
# the series not applied, made after PATCH_MARK.
patch_temporaries_remove() {
	local next f
	[ -f "$QUILT_DIR/series" ] && [ -f "$PATCH_MARK" ] || return 0
	next=$(grep -vxF -f <(cat "$SRCDIR/.pc/applied-patches" 2>/dev/null; echo '#') "$QUILT_DIR/series" | head -n 1)
	[ -n "$next" ] && [ -f "$QUILT_DIR/$next" ] || return 0
	awk '/^(\+\+\+|---) / && $2 != "/dev/null" { p = $2; sub(/^[^\/]*\//, "", p); print p }' "$QUILT_DIR/$next" | sort -u |
		while read -r f; do
			[ -d "$SRCDIR/$(dirname "$f")" ] || continue
			find "$SRCDIR/$(dirname "$f")" -maxdepth 1 -type f -name "$(basename "$f").o??????" -newer "$PATCH_MARK" -print -delete
		done
}

# What INT or TERM undo once the patch stage has touched the tree: it is
# put back to pristine; PATCH_MARK stays, so the next run keeps the
# snapshot of the last good tree (and its mtimes) and patches again.
patch_undo() {
	quilt_restore_pristine
	clean_src_temporaries
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

# PATCH_MARK: the patch stage began changing the tree and has not
# finished; STATEDIR/touched.before is then the last finished tree's.
cmd_patch() {
	local inputs name path source_line entries
	ensure_deps patch
	QUILT_DIR=$STATEDIR/patches PATCH_MARK=$STATEDIR/patch.unfinished
	entries=$(series_files)
	if [ -n "${DRY_SOURCE:-}" ]; then
		source_line=$DRY_SOURCE
	elif [ -f "$STATEDIR/source" ]; then
		source_line=$(cat "$STATEDIR/source")
	elif [ -n "$OPT_DRY_RUN" ]; then
		echo "would run patch because nothing is fetched yet"
		planned patch "apply $(grep -c . <<<"$entries") patches of $PATCHES_ROOT/$LINE/series to $SRCDIR"
		return 0
	else
		die "$EXIT_USAGE" "no source fetched for $RELEASE yet: run dom0kit fetch --kernel $RELEASE"
	fi
	inputs="source $source_line"
	while read -r name path; do
		[ -n "$name" ] && inputs+=$'\n'"patch $name $(sha256_of "$path")"
	done <<<"$entries"
	# Derived from the lines above, for the configure stage's inputs.
	inputs+=$'\n'"kconfig $(kconfig_identity "$source_line" "$entries")"
	stage_enter patch patch "$inputs" "$SRCDIR" || return 0
	planned patch "apply $(grep -c . <<<"$entries") patches of $PATCHES_ROOT/$LINE/series to $SRCDIR" && return 0
	STAGE_UNDO=clean_src_temporaries
	unpack_source "$source_line"
	local snapshot=$STATEDIR/touched.before
	if [ -f "$PATCH_MARK" ]; then
		# An earlier run stopped half way (killed, or failed): the tree may
		# be half patched; its snapshot is the last good tree's.
		run_logged patch quilt_restore_pristine
	else
		snapshot_touched | write_atomic "$snapshot"
		: >"$PATCH_MARK"
	fi
	STAGE_UNDO=patch_undo
	if [ -s "$SRCDIR/.pc/applied-patches" ]; then
		run_logged patch quilt_run pop -a -f -q || run_logged patch quilt_restore_pristine ||
			die "$EXIT_FAIL" "cannot pop the old series in $SRCDIR; remove it and run again"
	fi
	# The quilt patch dir is assembled fresh: series + the files it names.
	assemble_quilt_dir "$entries"
	if [ -s "$QUILT_DIR/series" ]; then
		local log=$STATEDIR/quilt-push.log
		if ! run_child quilt_run push -a --fuzz=0 >"$log" 2>&1; then
			cat "$log" >>"$WORKDIR/logs/patch.log"
			local why
			why=$(quilt_failure "$log")
			run_logged patch quilt_run pop -a -f -q || run_logged patch quilt_restore_pristine || true
			restore_mtimes "$snapshot"
			die "$EXIT_FAIL" "$why (tree rolled back to pristine; log: $WORKDIR/logs/patch.log)"
		fi
		cat "$log" >>"$WORKDIR/logs/patch.log"
	fi
	restore_mtimes "$snapshot"
	# The mark goes before the stamp comes: a kill between the two leaves a
	# finished tree without either, which the next run patches again.
	rm -f "$PATCH_MARK"
	# shellcheck disable=SC2034 # read by on_interrupt
	STAGE_UNDO=''
	stamp_write patch "$inputs"
	stage_end patch
}

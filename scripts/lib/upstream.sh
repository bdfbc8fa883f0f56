# shellcheck shell=bash
# upstream: writes a line's series as git format-patch series a kernel
# maintainer can take, one per group of patches/upstream, with cover
# letters, the running user as author and Signed-off-by, and To/Cc from
# the kernel's own scripts/get_maintainer.pl. Needs the patched tree of
# the line (dom0kit patch) for get_maintainer.pl and the pristine files.
#
# Design: a scratch git repository holds only the files the series
# touches, in their pristine state (quilt's .pc/ keeps them); each patch
# is applied with git apply and committed with its Subject and body (the
# DEP-3 fields of the header block stay out), and each group's range is
# exported with git format-patch. The result replaces OUTDIR/upstream/LINE
# only when complete.

help_upstream() {
	cat <<'H'
Usage: dom0kit upstream [--kernel LINE] [--outdir DIR] [--patches DIR]
Writes OUTDIR/upstream/LINE/GROUP/*.patch for each group of
PATCHES/upstream (events, seize, reset): git format-patch output with a
cover letter from PATCHES/<line or common>/COVER, From and Signed-off-by
from `git config user.name` and `user.email`, and To (maintainers and
reviewers) and Cc (lists) from scripts/get_maintainer.pl of the line's
tree. Later groups apply on top of earlier ones, in the file's order.
Run dom0kit patch --kernel LINE first. Exit 2 without a git identity.
H
}

# shellcheck source=scripts/lib/patch.sh
. "$LIB/patch.sh"

# patch_message FILE: Subject without "[PATCH]", a blank line, and the
# body up to the "---" line, without the dom0kit Signed-off-by (the
# sender signs with -s).
patch_message() {
	awk '
	!body && /^Subject: / { s = $0; sub(/^Subject: (\[PATCH[^]]*\] )?/, "", s); print s; print ""; next }
	!body && /^$/ { body = 1; next }
	!body { next }
	/^---( |$)/ { exit }
	/^Signed-off-by: dom0kit developers / { next }
	{ print }' "$1" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
}

# maintainers KIND PATCH...: addresses get_maintainer.pl gives, one per
# line; KIND "to" for maintainers and reviewers, "cc" for lists.
maintainers() {
	local kind=$1 opts
	shift
	case $kind in
	to) opts=(--m --r --no-l) ;;
	cc) opts=(--no-m --no-r --l) ;;
	esac
	(cd "$SRCDIR" && perl scripts/get_maintainer.pl --no-rolestats --no-git --no-git-fallback \
		--no-s --no-subsystem --no-status "${opts[@]}" "$@") 2>>"$WORKDIR/logs/upstream.log"
}

cmd_upstream() {
	local name email groups=$PATCHES_ROOT/upstream out tmp repo
	name=$(git config user.name || true) email=$(git config user.email || true)
	if [ -z "$name" ] || [ -z "$email" ]; then
		die "$EXIT_USAGE" "git config user.name and user.email are not set: the patches carry them as From and Signed-off-by"
	fi
	[ -f "$groups" ] || die "$EXIT_USAGE" "no upstream groups file at $groups"
	if [ ! -f "$SRCDIR/scripts/get_maintainer.pl" ] || [ ! -d "$SRCDIR/.pc" ]; then
		die "$EXIT_USAGE" "no patched tree of $RELEASE: run dom0kit patch --kernel $RELEASE first"
	fi
	out=$OUTDIR/upstream/$LINE
	planned upstream "format-patch series of $LINE into $out" && return 0
	stage_begin upstream
	: >"$WORKDIR/logs/upstream.log"
	mkdir -p "$OUTDIR/upstream"
	tmp=$(mktemp -d "$OUTDIR/upstream/.$LINE.XXXXXX")
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	repo=$tmp/repo

	# The pristine files: each as quilt saved it before the first patch
	# that touches it (an empty backup is a file the series creates).
	# The series as the patch stage reads it (series_files): names in
	# order, and the file each names (LINE/ first, then common/).
	local series=() p f seen=' ' entries
	local -A path_of=()
	entries=$(series_files) || exit
	while read -r p f; do
		series+=("$p") path_of[$p]=$f
	done <<<"$entries"
	mkdir -p "$repo"
	for p in "${series[@]}"; do
		while read -r f; do
			[[ $seen == *" $f "* ]] && continue
			seen+="$f "
			if [ -s "$SRCDIR/.pc/$p/$f" ]; then
				mkdir -p "$repo/$(dirname "$f")" && cp "$SRCDIR/.pc/$p/$f" "$repo/$f"
			fi
		done < <(sed -n 's|^+++ b/\([^	]*\).*|\1|p' "${path_of[$p]}")
	done
	git -C "$repo" init -q
	git -C "$repo" add -A
	GIT_AUTHOR_DATE="1970-01-01T00:00:00Z" GIT_COMMITTER_DATE="1970-01-01T00:00:00Z" git -C "$repo" -c user.name=base -c user.email=base@invalid \
		commit -qm "pristine $RELEASE" || die "$EXIT_FAIL" "cannot make the scratch repository"

	# Patches outside every group are upstream already: part of the base.
	local listed
	listed=" $(grep -v '^#' "$groups" | awk '{ for (i = 4; i <= NF; i++) printf "%s ", $i }')"
	for p in "${series[@]}"; do
		[[ $listed == *" ${p%%-*} "* ]] && continue
		git -C "$repo" apply --index "${path_of[$p]}" ||
			die "$EXIT_FAIL" "$p does not apply to the pristine files"
		git -C "$repo" -c user.name=base -c user.email=base@invalid commit -qm "upstream: $p"
	done

	local group cover extra nums num start file to cc n=0
	while read -r group cover extra nums; do
		[[ -z $group || $group == \#* ]] && continue
		start=$(git -C "$repo" rev-parse HEAD)
		local files=()
		for num in $nums; do
			p=$(printf '%s\n' "${series[@]}" | grep "^$num-" || true)
			[ -n "$p" ] || continue # not in this line's series
			file=${path_of[$p]}
			files+=("$file")
			git -C "$repo" apply --index "$file" ||
				die "$EXIT_FAIL" "$p does not apply on top of the groups before it"
			patch_message "$file" | git -C "$repo" -c user.name="$name" -c user.email="$email" \
				commit -q -s -F - || die "$EXIT_FAIL" "cannot commit $p"
		done
		[ ${#files[@]} -gt 0 ] || continue
		to=$(maintainers to "${files[@]}" | paste -sd, -)
		cc=$(maintainers cc "${files[@]}")
		[ "$extra" = - ] || cc+=$'\n'$extra
		cc=$(printf '%s\n' "$cc" | grep . | sort -u | paste -sd, -)
		[ -n "$to" ] || die "$EXIT_FAIL" "get_maintainer.pl found no maintainer for group $group"
		local fp=(--no-signature --thread --to="$to" --cc="$cc" -o "$tmp/$group")
		[ ${#files[@]} -gt 1 ] && fp+=(--cover-letter)
		git -C "$repo" format-patch -q "${fp[@]}" "$start..HEAD" >/dev/null ||
			die "$EXIT_FAIL" "git format-patch failed for group $group"
		[ ${#files[@]} -gt 1 ] && fill_cover "$tmp/$group/0000-cover-letter.patch" "$cover"
		n=$((n + ${#files[@]}))
		info "    $group: ${#files[@]} patch(es), To: $to"
	done <"$groups"
	rm -rf "$repo"
	rm -rf "$out.old" && { [ ! -e "$out" ] || mv "$out" "$out.old"; } && mv "$tmp" "$out" && rm -rf "$out.old"
	trap - EXIT
	info "    $n patches in $out"
	stage_end upstream
}

# fill_cover FILE COVER: the cover letter's subject and text from COVER
# (PATCHES/<line>/COVER, else common/), under format-patch's own counts.
fill_cover() {
	local letter=$1 src subject
	src=$PATCHES_ROOT/$LINE/$2
	[ -f "$src" ] || src=$PATCHES_ROOT/common/$2
	[ -f "$src" ] || die "$EXIT_USAGE" "no cover letter $2 in $PATCHES_ROOT"
	subject=$(sed -n 's/^Subject: \(\[PATCH[^]]*\] \)\{0,1\}//p' "$src" | head -n 1)
	awk -v subject="$subject" -v body="$src" '
	/\*\*\* SUBJECT HERE \*\*\*/ { sub(/\*\*\* SUBJECT HERE \*\*\*/, subject) }
	/^\*\*\* BLURB HERE \*\*\*$/ {
		b = 0
		while ((getline line < body) > 0) { if (b) print line; else if (line == "") b = 1 }
		next
	}
	{ print }' "$letter" >"$letter.new" && mv "$letter.new" "$letter"
}

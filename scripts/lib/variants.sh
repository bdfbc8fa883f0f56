# shellcheck shell=bash
# Version-bounded patches: which file a series entry stands for on a
# given release of its line.
#
# A series entry NAME of line LINE has these candidate files:
#   LINE/NAME, LINE/*/NAME (variants, one subdirectory each), common/NAME
# A candidate whose header (before the first diff) has a DEP-3-style field
#   X-Applies-To: >= 6.12.8, < 6.12.60
# is meant only for the releases of LINE that meet every comparison
# (>=, >, <=, <, =; comma separated). A candidate without the field is
# the default: it serves every release no ranged candidate claims; the
# first default in the order above wins (LINE/ before common/, as before).
# Two ranged candidates that both claim a release are an error, and so is
# a release that no candidate serves.

# applies_to FILE: the X-Applies-To value of FILE's header, or nothing.
applies_to() {
	sed -n '/^---\( \|$\)/q; /^diff /q; /^Index: /q; s/^X-Applies-To:[[:space:]]*//p' "$1" | head -n 1
}

# range_bounds FILE LINE SPEC: "LO HI", the sublevels of LINE that SPEC
# admits (inclusive; HI 999999 for no upper bound); dies naming FILE when
# SPEC is not comparisons with releases of LINE or admits none.
range_bounds() {
	local file=$1 kline=$2 spec=$3 part op z lo=0 hi=999999 parts=()
	[ -n "${spec//[[:space:],]/}" ] ||
		die "$EXIT_USAGE" "$file: X-Applies-To is empty (expected e.g. >= $kline.60, < $kline.100)"
	IFS=, read -ra parts <<<"$spec"
	for part in "${parts[@]}"; do
		part=${part//[[:space:]]/}
		[[ $part =~ ^(\>=|\<=|\>|\<|=)([0-9]+\.[0-9]+)\.([0-9]+)$ ]] ||
			die "$EXIT_USAGE" "$file: X-Applies-To: cannot read '$part' (expected comparisons such as >= $kline.60, < $kline.100)"
		[ "${BASH_REMATCH[2]}" = "$kline" ] ||
			die "$EXIT_USAGE" "$file: X-Applies-To: '$part' names a release of ${BASH_REMATCH[2]}, not of line $kline"
		op=${BASH_REMATCH[1]} z=$((10#${BASH_REMATCH[3]}))
		case $op in
		'>=') [ "$z" -le "$lo" ] || lo=$z ;;
		'>') [ $((z + 1)) -le "$lo" ] || lo=$((z + 1)) ;;
		'<=') [ "$z" -ge "$hi" ] || hi=$z ;;
		'<') [ $((z - 1)) -ge "$hi" ] || hi=$((z - 1)) ;;
		'=') [ "$z" -le "$lo" ] || lo=$z; [ "$z" -ge "$hi" ] || hi=$z ;;
		esac
	done
	[ "$lo" -le "$hi" ] || die "$EXIT_USAGE" "$file: X-Applies-To: '$spec' admits no release"
	echo "$lo $hi"
}

# range_has LO HI RELEASE: the sublevel of RELEASE lies in [LO, HI].
range_has() { local z=$((10#${3##*.})); [ "$z" -ge "$1" ] && [ "$z" -le "$2" ]; }

# variant_candidates ROOT LINE NAME: the candidate files, in order.
variant_candidates() {
	local root=$1 kline=$2 name=$3 f
	[ ! -f "$root/$kline/$name" ] || echo "$root/$kline/$name"
	for f in "$root/$kline"/*/"$name"; do
		[ -f "$f" ] && echo "$f"
	done
	[ ! -f "$root/common/$name" ] || echo "$root/common/$name"
}

# pick_variant ROOT LINE NAME RELEASE: the file NAME stands for on
# RELEASE; dies naming the files when none or two claim it. Prints
# nothing when NAME has no file at all (the caller names that).
pick_variant() {
	local root=$1 kline=$2 name=$3 rel=$4 f spec bounds claimed='' default='' ranged=()
	while read -r f; do
		[ -n "$f" ] || continue
		spec=$(applies_to "$f")
		if [ -z "$spec" ]; then
			[ -n "$default" ] || default=$f
			continue
		fi
		bounds=$(range_bounds "$f" "$kline" "$spec") || exit
		ranged+=("${f#"$root"/} ($spec)")
		# shellcheck disable=SC2086 # two numbers
		range_has $bounds "$rel" || continue
		[ -z "$claimed" ] ||
			die "$EXIT_USAGE" "linux $rel is claimed by two variants of $name: ${claimed#"$root"/} and ${f#"$root"/} (X-Applies-To ranges overlap)"
		claimed=$f
	done < <(variant_candidates "$root" "$kline" "$name")
	if [ -n "$claimed" ]; then
		echo "$claimed"
	elif [ -n "$default" ]; then
		echo "$default"
	elif [ ${#ranged[@]} -gt 0 ]; then
		die "$EXIT_USAGE" "no variant of $name is meant for linux $rel: $(printf '%s; ' "${ranged[@]}" | sed 's/; $//')"
	fi
}

# variants_lint ROOT: every line's series entries checked for variant
# ranges that overlap (naming both files) or leave releases of the line
# without a file (no default and a gap); one line per problem, status 1
# when there is any.
variants_lint() {
	local root=$1 series kline name f spec b bad=0 files=() lo=() hi=() i j n next
	for series in "$root"/*/series; do
		kline=$(basename "$(dirname "$series")")
		[ "$kline" != common ] || continue
		while read -r name _; do
			case $name in '' | '#'*) continue ;; esac
			files=() lo=() hi=() n=0
			local default=''
			while read -r f; do
				[ -n "$f" ] || continue
				spec=$(applies_to "$f")
				if [ -z "$spec" ]; then default=$f; continue; fi
				if ! b=$( (range_bounds "$f" "$kline" "$spec") 2>&1); then
					echo "${b#dom0kit: }"; bad=1; continue
				fi
				files+=("${f#"$root"/}") lo+=("${b% *}") hi+=("${b#* }") n=$((n + 1))
			done < <(variant_candidates "$root" "$kline" "$name")
			for ((i = 0; i < n; i++)); do
				for ((j = i + 1; j < n; j++)); do
					if [ "${lo[i]}" -le "${hi[j]}" ] && [ "${lo[j]}" -le "${hi[i]}" ]; then
						echo "${files[i]} and ${files[j]}: X-Applies-To ranges overlap (both claim $kline.$((lo[i] > lo[j] ? lo[i] : lo[j])))"
						bad=1
					fi
				done
			done
			if [ -n "$default" ] || [ "$n" -eq 0 ]; then continue; fi
			# No default: the ranges, sorted, must cover every sublevel.
			next=0
			while read -r b; do
				[ "${b% *}" -le "$next" ] || break
				[ $((${b#* } + 1)) -le "$next" ] || next=$((${b#* } + 1))
			done < <(for ((i = 0; i < n; i++)); do echo "${lo[i]} ${hi[i]}"; done | sort -n)
			if [ "$next" -le 999999 ]; then
				echo "$kline/series: $name has no file for linux $kline.$next: no variant's X-Applies-To claims it and there is no default ($(printf '%s ' "${files[@]}" | sed 's/ $//'))"
				bad=1
			fi
		done <"$series"
	done
	return "$bad"
}

# upstream_carries SERIES NAME REST RELEASE: the series line "NAME REST"
# says upstream=X.Y.Z (written by refresh when X.Y.Z carries the patch)
# and RELEASE is X.Y.Z or newer: the entry is left out. Dies on a
# malformed or foreign value.
upstream_carries() {
	local series=$1 name=$2 rest=$3 rel=$4 word v
	for word in $rest; do
		case $word in
		upstream=*)
			v=${word#upstream=}
			if ! [[ $v =~ ^([0-9]+\.[0-9]+)\.([0-9]+)$ ]] || [ "${BASH_REMATCH[1]}" != "${rel%.*}" ]; then
				die "$EXIT_USAGE" "$series: $name: '$word' is not a release of line ${rel%.*} (expected upstream=${rel%.*}.N)"
			fi
			[ "$((10#${rel##*.}))" -ge "$((10#${BASH_REMATCH[2]}))" ] && return 0
			;;
		'#'*) break ;;
		*) die "$EXIT_USAGE" "$series: $name: unknown series field '$word' (known: upstream=X.Y.Z)" ;;
		esac
	done
	return 1
}

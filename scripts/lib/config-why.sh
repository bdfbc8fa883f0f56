# shellcheck shell=bash
# Why a requested symbol did not land: config-why.c, linked against the
# kconfig objects olddefconfig built in the object tree, reads the tree's
# Kconfig as make does and names, per symbol, the dependency that is off,
# the symbol that selects it, or CONFIG_MODULES being n. It runs when the
# audit fails, and for what a distribution's base sets that did not
# survive olddefconfig (configure.sh's base_report; parsing the x86
# Kconfig tree takes seconds).

# kconfig_env CMD...: CMD with the environment the kernel's Makefile
# exports to Kconfig for kmake's build (x86_64, gcc).
kconfig_env() {
	local version
	version=$(awk -F' *= *' '$1 ~ /^(VERSION|PATCHLEVEL|SUBLEVEL|EXTRAVERSION)$/ { v[$1] = $2 }
		END { printf "%s.%s.%s%s", v["VERSION"], v["PATCHLEVEL"], v["SUBLEVEL"], v["EXTRAVERSION"] }' "$SRCDIR/Makefile")
	kbuild_cc
	env srctree="$SRCDIR" ARCH=x86_64 SRCARCH=x86 CC="$KBUILD_CC" LD=ld AR=ar NM=nm OBJCOPY=objcopy \
		HOSTCC=gcc HOSTCXX=g++ RUSTC=rustc BINDGEN=bindgen PAHOLE=pahole PYTHON3=python3 \
		KERNELVERSION="$version" CC_VERSION_TEXT="$(LC_ALL=C $KBUILD_CC --version 2>/dev/null | head -n 1 | tr -d '#')" \
		RUSTC_VERSION_TEXT="$(rustc --version 2>/dev/null | tr -d '#')" \
		PAHOLE_VERSION="$("$SRCDIR/scripts/pahole-version.sh" pahole 2>/dev/null)" "$@"
}

# config_why_build DIR: DIR/config-why, or fails (the log says why).
config_why_build() {
	local dir=$1 objs o
	# The objects every kconfig front end links (conf, mconf, ...).
	objs=$(awk '/^common-objs[ \t]*:=/ { on = 1; sub(/^common-objs[ \t]*:=/, "") }
		on { more = /\\$/; sub(/\\$/, ""); print; if (!more) exit }' "$SRCDIR/scripts/kconfig/Makefile") || return 1
	local paths=()
	for o in $objs; do
		[ -f "$OBJDIR/scripts/kconfig/$o" ] || { echo "config-why: no $OBJDIR/scripts/kconfig/$o"; return 1; }
		paths+=("$OBJDIR/scripts/kconfig/$o")
	done
	[ ${#paths[@]} -gt 0 ] || { echo "config-why: no common-objs in $SRCDIR/scripts/kconfig/Makefile"; return 1; }
	gcc -std=gnu11 -O2 -Wall -Wextra -Werror -isystem "$SRCDIR/scripts/kconfig" -isystem "$SRCDIR/scripts/include" \
		-isystem "$OBJDIR/scripts/kconfig" -o "$dir/config-why" "$LIB/config-why.c" "${paths[@]}"
}

# config_why CONFIG DROPPED: the audit's lines ("  CONFIG_X: requested W,
# got G") with the reason of each appended; the tristates that are y
# only because CONFIG_MODULES is n in one line. The configure log gets
# every line with its reason and the kernel's own help text of each
# symbol. Without a reason (the helper cannot be built) the lines come
# back as they were.
config_why() {
	local config=$1 dropped=$2 dir log=$WORKDIR/logs/configure.log
	dir=$OBJDIR/.config.dom0kit-why
	rm -rf "$dir" && mkdir -p "$dir"
	if ! config_why_build "$dir" >>"$log" 2>&1 ||
		! sed -E 's/^  (CONFIG_[A-Za-z0-9_]+): requested (.*), got .*$/\1 \2/' <<<"$dropped" |
		(cd "$OBJDIR" && kconfig_env "$dir/config-why" "$config" "$dir/details") >"$dir/why" 2>>"$log"; then
		rm -rf "$dir"
		printf '%s\n' "$dropped" | tee -a "$log"
		return 0
	fi
	awk -F'\t' -v logf="$log" '
		FNR == NR { if (NF >= 2) why[$1] = $2; next }
		{
			sym = $0; sub(/^  /, "", sym); sub(/:.*/, "", sym)
			if (why[sym] == "modules-off") {
				print $0 ": CONFIG_MODULES is n, so it is built in" >>logf
				off[++n] = sym; next
			}
			line = $0 (sym in why ? ": " why[sym] : ""); print line; print line >>logf
		}
		END {
			if (!n) exit
			list = off[1]; for (i = 2; i <= n && i <= 3; i++) list = list ", " off[i]
			if (n > 3) list = list " and " n - 3 " more, in the log"
			printf "  %d symbol%s requested m, got y (%s): CONFIG_MODULES is n, so tristates are built in\n", n, (n > 1 ? "s" : ""), list
		}' "$dir/why" - <<<"$dropped"
	{
		if grep -qx '!changed' "$dir/why"; then
			echo "config-why: $config does not hold under the Kconfig environment set here; the reasons may be off"
		fi
		echo "---- the kernel's Kconfig on each symbol that did not land ----"
		cat "$dir/details"
	} >>"$log"
	rm -rf "$dir"
}

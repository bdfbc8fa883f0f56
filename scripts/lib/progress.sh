# shellcheck shell=bash
# Live progress of long work (compile, unpack, package): done / expected,
# elapsed and ETA. When stderr is a terminal, one line on stderr updated in
# place (\r); otherwise plain lines on stdout, every
# DOM0KIT_PROGRESS_INTERVAL seconds (default 60) and at each tenth of the
# work, and a last one at 100%: what a CI log needs. -q prints none.
#
# The reporter is a background job that asks a counter function for the
# amount done once per tick (DOM0KIT_PROGRESS_TICK seconds, default 1); it
# stops itself when dom0kit is gone (SIGKILL) and holds no lock.

PROGRESS_PID='' PROGRESS_MODE='' PROGRESS_TEXT=''

# progress_mode: tty, lines or none (-q).
progress_mode() {
	if [ -n "${OPT_QUIET:-}" ]; then
		echo none
	elif [ -t 2 ]; then
		echo tty
	else
		echo lines
	fi
}

# progress_num UNIT N, progress_unit UNIT: N and its unit in words
# (bytes as MB).
progress_num() { if [ "$1" = bytes ]; then echo $(($2 / 1000000)); else echo "$2"; fi; }
progress_unit() { if [ "$1" = bytes ]; then echo MB; else echo "$1"; fi; }

# progress_line LABEL UNIT TOTAL EST DONE DONE0 ELAPSED: the text of one
# line. EST is ~ when TOTAL is an estimate (= when not); DONE0 is what
# was done before this run (a resumed build), left out of the rate. Past
# an estimate the percentage stops at 99 and the ETA is unknown.
progress_line() {
	local label=$1 unit=$2 total=$3 est=$4 n=$5 n0=$6 el=$7 pct eta='?'
	[ "$est" = '=' ] && est=''
	if [ "$total" -eq 0 ]; then
		# Nothing to expect yet (a first packaging): what was done.
		printf '    %s: %s %s, %d:%02d elapsed' "$label" "$(progress_num "$unit" "$n")" "$(progress_unit "$unit")" $((el / 60)) $((el % 60))
		return 0
	fi
	pct=$((n * 100 / total))
	if [ "$pct" -ge 100 ]; then pct=99; fi
	if [ "$n" -gt "$n0" ] && [ "$n" -lt "$total" ]; then
		eta=$(((total - n) * el / (n - n0)))
		eta=$(printf '%d:%02d' $((eta / 60)) $((eta % 60)))
	fi
	printf '    %s: %s/%s%s %s (%d%%), %d:%02d elapsed, ETA %s' "$label" "$(progress_num "$unit" "$n")" \
		"$est" "$(progress_num "$unit" "$total")" "$(progress_unit "$unit")" "$pct" $((el / 60)) $((el % 60)) "$eta"
}

# progress_loop MODE PARENT START LABEL UNIT TOTAL EST COUNTER [ARGS...]
progress_loop() {
	local mode=$1 parent=$2 start=$3 label=$4 unit=$5 total=$6 est=$7
	shift 7
	local tick=${DOM0KIT_PROGRESS_TICK:-1} interval=${DOM0KIT_PROGRESS_INTERVAL:-60}
	local n n0 last=$start tenth=0 t el line
	# Not the work dir's lock, not the saved stderr: a reporter outliving a
	# killed dom0kit by a tick must not hold them.
	exec 9>&- 7>&- </dev/null
	trap 'exit 0' TERM
	# dom0kit's errexit would end the reporter silently at the first
	# failed read or fork (a busy machine); it must go on until stopped.
	set +e +o pipefail
	n0=$("$@" 2>/dev/null) || n0=0
	while :; do
		sleep "$tick" &
		wait $! || true
		kill -0 "$parent" 2>/dev/null || exit 0
		n=$("$@" 2>/dev/null) || continue
		el=$((EPOCHSECONDS - start))
		line=$(progress_line "$label" "$unit" "$total" "$est" "$n" "$n0" "$el")
		if [ "$mode" = tty ]; then
			printf '\r\033[K%s' "$line" >&2
			continue
		fi
		t=0
		[ "$total" -gt 0 ] && t=$((n * 10 / total))
		if [ "$t" -gt "$tenth" ] || [ $((EPOCHSECONDS - last)) -ge "$interval" ]; then
			printf '%s\n' "$line"
			tenth=$t last=$EPOCHSECONDS
		fi
	done
}

# progress_start LABEL UNIT TOTAL EST COUNTER [ARGS...]: starts the
# reporter; TOTAL is the expected amount, EST '~' when estimated.
progress_start() {
	PROGRESS_MODE=$(progress_mode) PROGRESS_PID=''
	PROGRESS_TEXT="$1 $2 $3 $4" PROGRESS_START=$EPOCHSECONDS
	[ "$PROGRESS_MODE" != none ] || return 0
	progress_loop "$PROGRESS_MODE" "$$" "$PROGRESS_START" "$@" &
	PROGRESS_PID=$!
}

# progress_stop [FINAL]: stops the reporter and clears its line; with
# FINAL (the amount done), prints the last line: 100% and the time taken.
progress_stop() {
	local label unit total est
	if [ -n "$PROGRESS_PID" ]; then
		kill -TERM "$PROGRESS_PID" 2>/dev/null || true
		wait "$PROGRESS_PID" 2>/dev/null || true
		PROGRESS_PID=''
		[ "$PROGRESS_MODE" != tty ] || printf '\r\033[K' >&2
	fi
	if [ -z "${1:-}" ] || [ -z "$PROGRESS_TEXT" ] || [ "$PROGRESS_MODE" = none ]; then
		PROGRESS_TEXT=''
		return 0
	fi
	read -r label unit total est <<<"$PROGRESS_TEXT"
	PROGRESS_TEXT=''
	local el=$((EPOCHSECONDS - PROGRESS_START))
	printf '    %s: %s %s (100%%) in %d:%02d\n' "$label" "$(progress_num "$unit" "$1")" "$(progress_unit "$unit")" $((el / 60)) $((el % 60))
}

# with_progress LABEL UNIT TOTAL EST FINAL COUNTER [ARGS...] -- CMD...:
# CMD with a reporter (EST: ~ for an estimated TOTAL, = otherwise); on
# success the last line gives the amount the command FINAL prints (e.g.
# the objects in the tree, the tarball's size), kept in PROGRESS_FINAL.
PROGRESS_FINAL=''
with_progress() {
	local spec=() rc=0
	while [ "$1" != -- ]; do spec+=("$1"); shift; done
	shift
	progress_start "${spec[@]:0:4}" "${spec[@]:5}"
	"$@" || rc=$?
	if [ "$rc" -eq 0 ]; then
		PROGRESS_FINAL=$(eval "${spec[4]}")
		progress_stop "$PROGRESS_FINAL"
	else
		progress_stop
	fi
	return "$rc"
}

# Counters.

# progress_kbuild_objects BEFORE LOG: objects of the tree: those listed in
# BEFORE (the tree's .o files when this build began, relative to OBJDIR)
# and those kbuild's output in LOG says it wrote ("  CC [M]  x.o"), each
# counted once. Paths may be absolute (objtool's build). On 6.12.107's
# qemu-system build this counts the 1917 .o files the tree ends with.
progress_kbuild_objects() {
	awk -v obj="$OBJDIR/" '
		FILENAME == ARGV[1] { if (!($0 in seen)) { seen[$0] = 1; n++ } next }
		/^  [A-Z0-9_]+( \[M\])? +[^ ]+\.o$/ {
			p = $NF
			if (index(p, obj) == 1) p = substr(p, length(obj) + 1)
			# arch/x86/kvm/../../../virt/kvm/x.o is virt/kvm/x.o
			while (match(p, /[^\/.][^\/]*\/\.\.\//)) p = substr(p, 1, RSTART - 1) substr(p, RSTART + RLENGTH)
			if (!(p in seen)) { seen[p] = 1; n++ }
		}
		END { print n + 0 }' "$1" "$2"
}

# tree_objects DIR: the .o files under DIR, relative to it.
tree_objects() { (cd "$1" && find . -name '*.o' -type f -printf '%P\n'); }

# progress_fd_pos PIDFILE FD: how far the process in PIDFILE has read
# the file it holds open on FD (the tarball that feeds a decompressor).
progress_fd_pos() {
	local pid
	pid=$(cat "$1" 2>/dev/null) || pid=''
	[ -n "$pid" ] || { echo 0; return 0; }
	awk '$1 == "pos:" { print $2; found = 1 } END { if (!found) print 0 }' "/proc/$pid/fdinfo/$2" 2>/dev/null || echo 0
}

# progress_log_steps LOG: the steps dpkg-buildpackage's log shows: each
# command dh runs ("   dh_install", "   debian/rules override_..."), each
# .deb dpkg-deb builds, each dpkg-source and dpkg-gen* step.
progress_log_steps() {
	grep -cE '^   (dh_|debian/rules )|^dpkg-deb: building|^dpkg-(source|genchanges|genbuildinfo): info:' "$1" 2>/dev/null || true
}

# Expectations, from the last run of the same release and profile
# (STATEDIR/STAMP.count, written at its end), else estimated.

# progress_record NAME COUNT: written at the end of a run.
progress_record() { mkdir -p "$STATEDIR" && printf '%s\n' "$2" | write_atomic "$STATEDIR/$1.count"; }

# progress_recorded NAME: the recorded count, or fails.
progress_recorded() {
	local n
	n=$(cat "$STATEDIR/$1.count" 2>/dev/null) && [[ $n =~ ^[0-9]+$ ]] && [ "$n" -gt 0 ] && echo "$n"
}

# KBUILD_OBJECTS_PER_SYMBOL (x100): objects of a built tree per =y or =m
# symbol of its .config, measured on 6.12.107's qemu profile (1791 .o
# files, 966 symbols); see docs/cli.md for how close it comes on others.
KBUILD_OBJECTS_PER_SYMBOL=185

# compile_expected CONFIG: "COUNT EST WHY": the objects of the last build
# of this release and profile, else an estimate from CONFIG's =y/=m
# symbols (EST is then ~).
compile_expected() {
	local n
	if n=$(progress_recorded "compile@$OPT_PROFILE"); then
		echo "$n = the last build of $RELEASE $OPT_PROFILE"
	else
		n=$(grep -cE '^CONFIG_[A-Za-z0-9_]+=[ym]$' "$1" 2>/dev/null || true)
		echo "$((${n:-0} * KBUILD_OBJECTS_PER_SYMBOL / 100)) ~ estimated: ${n:-0} symbols y/m in .config x $((KBUILD_OBJECTS_PER_SYMBOL / 100)).$((KBUILD_OBJECTS_PER_SYMBOL % 100))"
	fi
}

# progress_compile CMD...: the compile's make with a reporter counting
# objects; the objects of the finished tree are recorded for the next
# build of this release and profile.
progress_compile() {
	local total est why log=$WORKDIR/logs/compile.log before=$WORKDIR/logs/compile.objects-before
	read -r total est why <<<"$(compile_expected "$OBJDIR/.config")"
	info "    expecting ${est#=}$total objects ($why)"
	tree_objects "$OBJDIR" >"$before"
	with_progress compile objects "$total" "$est" "tree_objects $(printf %q "$OBJDIR") | wc -l" \
		progress_kbuild_objects "$before" "$log" -- "$@" || return
	rm -f "$before"
	progress_record "compile@$OPT_PROFILE" "$PROGRESS_FINAL"
}

# progress_package CMD...: dpkg-buildpackage with a reporter counting its
# steps, expected from the last packaging of this release and profile.
progress_package() {
	local total log=$WORKDIR/logs/package.log
	total=$(progress_recorded "package@$OPT_PROFILE") || total=0
	with_progress package steps "$total" = "progress_log_steps $(printf %q "$log")" \
		progress_log_steps "$log" -- "$@" || return
	progress_record "package@$OPT_PROFILE" "$PROGRESS_FINAL"
}

# unpack_tarball TARBALL DIR PIDFILE: TARBALL into DIR, its first path
# component stripped. The decompressor (chosen by the file's magic, as
# tar would) reads the tarball from this shell's fd 3, whose position the
# reporter reads through PIDFILE.
unpack_tarball() {
	local dec=() st
	case $(head -c 6 "$1" | od -An -tx1 | tr -d ' \n') in
	fd377a585a00) dec=(xz -dc) ;;
	1f8b*) dec=(gzip -dc) ;;
	425a68*) dec=(bzip2 -dc) ;;
	28b52ffd*) dec=(zstd -dc) ;;
	esac
	echo "$BASHPID" >"$3"
	exec 3<"$1" || return
	if [ ${#dec[@]} -eq 0 ]; then
		tar -x -f - -C "$2" --strip-components=1 <&3
		st=$?
	else
		"${dec[@]}" <&3 | tar -x -f - -C "$2" --strip-components=1
		st=$((PIPESTATUS[0] | PIPESTATUS[1]))
	fi
	exec 3<&-
	return "$st"
}

# progress_unpack TARBALL DIR: unpack_tarball, logged in the patch
# stage's log, with a reporter of the tarball's bytes read.
progress_unpack() {
	local size rc=0
	size=$(stat -c %s "$1") || return
	with_progress unpack bytes "$size" = "echo $size" progress_fd_pos "$2.pid" 3 -- \
		run_logged patch unpack_tarball "$1" "$2" "$2.pid" || rc=$?
	rm -f "$2.pid"
	return "$rc"
}

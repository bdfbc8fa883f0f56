#!/bin/bash
# Checks before anything long runs: every option and combination, write
# access to the work and out dirs and the base config's inputs are
# checked before fetch, and --dry-run refuses the same way; --opt=VALUE,
# --version, the environment documented (--help, docs/cli.md), read-only commands make no
# ./work, missing packages in a dry run's plan.
. "$(dirname "$0")/test-lib.sh"
test_plan 16

# refused CODE PATTERN ARGS...: one line on stderr matching PATTERN, that
# exit code, for a real run and for --dry-run alike; nothing fetched,
# nothing in the out dir.
refused() {
	local code=$1 pattern=$2 rc mode; shift 2
	for mode in real --dry-run; do
		rc=0
		if [ $mode = real ]; then
			"$DOM0KIT" --workdir w --outdir out "$@" >stdout 2>stderr || rc=$?
		else
			"$DOM0KIT" --workdir w --outdir out --dry-run "$@" >stdout 2>stderr || rc=$?
		fi
		[ "$rc" -eq "$code" ] || { echo "$mode: exit $rc, expected $code"; cat stderr; return 1; }
		one_line stderr || return 1
		grep -E -- "$pattern" stderr || { echo "$mode: stderr does not match $pattern:"; cat stderr; return 1; }
		[ -z "$(find w -name source 2>/dev/null)" ] || { echo "$mode: fetch ran"; return 1; }
		[ ! -e out ] || { echo "$mode: out/ was created"; return 1; }
	done
}
# A small tree that fetch accepts as linux 6.12.107 (dir:).
mkdir -p "$TRASH/tree" && printf 'VERSION = 6\nPATCHLEVEL = 12\nSUBLEVEL = 107\n' >"$TRASH/tree/Makefile"
TREE=dir:$TRASH/tree
export -f refused
export TREE

test_expect_success 'a misspelt --suite is refused before fetch' '
	refused 2 "unknown suite for debian: bookwrom" --profile qemu --source $TREE --no-source-package --suite bookwrom build
'

test_expect_success '--distro debian --suite noble is refused before fetch' '
	refused 2 "unknown suite for debian: noble" --profile qemu --source $TREE --no-source-package --distro debian --suite noble build
'

test_expect_success '--source dir: with a source package is refused before fetch, --no-source-package plans' '
	refused 2 "a source package needs a release tarball.*--no-source-package" --profile qemu --suite bookworm --source $TREE build &&
	"$DOM0KIT" --workdir w --dry-run --profile qemu --suite bookworm --source $TREE --no-source-package build >plan &&
	grep -q "^would package: .*no source package" plan
'

test_expect_success 'host profile without a module list: says what to set, before fetch' '
	DOM0KIT_LSMOD=/nonexistent/modules refused 2 "cannot read the module list /nonexistent/modules: set DOM0KIT_LSMOD=FILE" \
		--profile host --suite bookworm --source $TREE --no-source-package build
'

# on_host ID CODENAME: a dom0kit that sees that /etc/os-release (a bind
# mount in its own mount namespace), so the host's system is known.
on_host() {
	printf "ID=%s\nVERSION_CODENAME=%s\n" "$1" "$2" >"$TRASH/os-$1" &&
		printf "#!/bin/sh\nexec unshare -m sh -c %s %s %s \"\$@\"\n" \
			"'mount --bind \"\$0\" /etc/os-release && exec \"\$@\"'" "$TRASH/os-$1" "$DOM0KIT" >"$TRASH/dom0kit-$1" &&
		chmod +x "$TRASH/dom0kit-$1" && "$TRASH/dom0kit-$1" --version >/dev/null
}
on_host ubuntu noble 2>/dev/null && on_host debian bookworm 2>/dev/null && HOSTS=yes || HOSTS=''

if [ -z "$HOSTS" ]; then
	test_skip 'ubuntu without a running Ubuntu config (needs a private mount namespace: unshare -m, mount --bind)'
	test_skip '--distro ubuntu on a host that is not Ubuntu (needs a private mount namespace)'
else
test_expect_success 'ubuntu without a running Ubuntu config: says to pass --base FILE, before fetch' '
	DOM0KIT=$TRASH/dom0kit-ubuntu DOM0KIT_RUNNING_CONFIG=/nonexistent/config refused 2 "no[ne]* .*at /nonexistent/config: pass --base FILE" \
		--distro ubuntu --suite noble --source $TREE --no-source-package build
'

test_expect_success '--distro ubuntu on a host that is not Ubuntu: its running config is not Ubuntu.s, so --base FILE is asked for' '
	DOM0KIT=$TRASH/dom0kit-debian refused 2 "^dom0kit: --distro ubuntu: this machine runs debian, not Ubuntu, so its kernel config is not Ubuntu.s: pass --base FILE \(an Ubuntu kernel config\)$" \
		--distro ubuntu --suite noble --source $TREE --no-source-package build &&
	DOM0KIT=$TRASH/dom0kit-debian refused 2 "pass --base FILE" --profile host --distro ubuntu --suite noble --source $TREE --no-source-package configure &&
	printf "CONFIG_X=y\n" >ubuntu.config &&
	"$TRASH/dom0kit-debian" --workdir w --dry-run --distro ubuntu --suite noble --base "$PWD/ubuntu.config" --source $TREE --no-source-package build >plan &&
	grep -q "^would configure: base $PWD/ubuntu.config + " plan && grep -q "(ubuntu noble)" plan &&
	"$TRASH/dom0kit-debian" --workdir w --dry-run --profile qemu --distro ubuntu --suite noble --source $TREE --no-source-package build >plan &&
	grep -q "^would configure: base allnoconfig + " plan
'
fi

test_expect_success 'a read-only work or out dir: one line, exit 2, for a dry run too' '
	mkdir -p ro/w ro/o &&
	if ! mount --bind -o ro ro ro 2>/dev/null; then echo "cannot mount read-only here"; exit 0; fi
	rc=0
	{
		refused_ro() {
			local code=$1 pattern=$2 r; shift 2
			for dry in "" --dry-run; do
				r=0; "$DOM0KIT" $dry "$@" >stdout 2>stderr || r=$?
				[ $r -eq $code ] || { echo "exit $r, expected $code"; cat stderr; return 1; }
				one_line stderr && grep -E "$pattern" stderr || return 1
			done
		}
		refused_ro 2 "cannot write to the work dir .*/ro/w: .*read-only.*--workdir" --workdir ro/w --profile qemu --source $TREE fetch &&
		refused_ro 2 "cannot write to the work dir .*/ro/new/w: .*/ro is read-only" --workdir ro/new/w --source $TREE fetch &&
		refused_ro 2 "cannot write to the out dir .*/ro/o: .*--outdir" --workdir w --outdir ro/o --profile qemu --suite bookworm --source $TREE --no-source-package build
	} || rc=$?
	umount ro && exit $rc
'

# A copy of the dpkg database without one package: the package is then
# missing for dpkg-query, as on a machine that lacks it.
without_package() {
	mkdir -p "$TRASH/dpkg-$1" &&
		awk -v p="$1" 'BEGIN { RS = ""; ORS = "\n\n" } $0 !~ "(^|\n)Package: " p "\n"' /var/lib/dpkg/status >"$TRASH/dpkg-$1/status" &&
		! DPKG_ADMINDIR=$TRASH/dpkg-$1 dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed"
}
export -f without_package

test_expect_success 'ccache is optional, as documented: a stage runs without it' '
	without_package ccache &&
	"$DOM0KIT" deps compile >deps && ! grep -E "^compile: .*\<ccache\>" deps && grep -E "optional: .*ccache" deps &&
	DPKG_ADMINDIR=$TRASH/dpkg-ccache "$DOM0KIT" --workdir w --dry-run --profile qemu compile >plan 2>err &&
	! grep ccache plan err && grep -q "^would compile" plan &&
	grep -q "ccache when installed" "$TOP/docs/cli.md"
'

test_expect_success 'a dry run lists missing packages in its plan and exits like the real run' '
	without_package quilt &&
	rc=0 && DPKG_ADMINDIR=$TRASH/dpkg-quilt "$DOM0KIT" --workdir w --dry-run patch >plan 2>err || rc=$? &&
	test $rc = 3 && grep -q "missing Debian packages.*: quilt" plan && grep -q "^would patch:\|^would run patch" plan &&
	rc=0 && DPKG_ADMINDIR=$TRASH/dpkg-quilt "$DOM0KIT" --workdir w patch >log 2>err || rc=$? &&
	test $rc = 3 && one_line err && grep -q "missing Debian packages; run: apt-get install --no-install-recommends quilt" err
'

# Every option the help shows with a value, as --opt VALUE and --opt=VALUE:
# the same plan (and a different one than without it, so it took effect).
test_expect_success '--opt VALUE and --opt=VALUE: the same for every option' '
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -subj /CN=t -days 1 2>/dev/null &&
	printf "CONFIG_X=y\n" >base.config &&
	"$DOM0KIT" --help | sed -n "s/^  \(--[a-z-]*\) [A-Z'"'"'].*/\1/p" | sort -u >opts &&
	test "$(wc -l <opts)" -ge 15 &&
	value() {
		case $1 in
		--kernel) echo 6.1 ;; --source) echo "tarball:$PWD/t.tar" ;; --profile) echo host ;; --base) echo "$PWD/base.config" ;;
		--workdir) echo w2 ;; --outdir) echo o2 ;; --jobs) echo 7 ;; --distcc) echo 127.0.0.2/2 ;; --localversion) echo -t ;; --revision) echo 4 ;; --abi) echo 3 ;;
		--patches) echo "$TOP/patches" ;; --packager) echo bindeb ;; --distro) echo debian ;; --suite) echo trixie ;;
		--maintainer) echo "A B <a@b.example>" ;; --sign-key) echo "$PWD/key.pem" ;; --sign-cert) echo "$PWD/cert.pem" ;;
		*) echo "no value for $1" >&2; return 1 ;;
		esac
	}
	tar -cf t.tar -C "$TRASH" tree &&
	base_args=(--workdir w --dry-run --profile qemu --suite bookworm --no-source-package --source "$TREE")
	"$DOM0KIT" "${base_args[@]}" build >plain 2>&1
	while read -r o; do
		v=$(value $o) || exit 1
		extra=() && case $o in --sign-key) extra=(--sign-cert "$PWD/cert.pem") ;; --sign-cert) extra=(--sign-key "$PWD/key.pem") ;; --kernel) v=6.12.107 ;; --source) extra=(--kernel 6.12.107) ;; --profile) export DOM0KIT_LSMOD=/dev/null ;; esac
		r1=0 && "$DOM0KIT" "${base_args[@]}" "${extra[@]}" $o "$v" build >sep 2>&1 || r1=$?
		r2=0 && "$DOM0KIT" "${base_args[@]}" "${extra[@]}" "$o=$v" build >joined 2>&1 || r2=$?
		[ $r1 = 0 ] || { echo "$o $v: exit $r1"; cat sep; exit 1; }
		[ $r1 = $r2 ] && cmp -s sep joined || { echo "$o=$v differs from $o $v:"; diff sep joined; exit 1; }
		! cmp -s sep plain || case $o in --distro | --patches | --kernel | --maintainer) ;; *) echo "$o $v changed nothing in the plan"; exit 1 ;; esac
	done <opts
'

test_expect_success 'a flag given a value, and an empty --opt=: one line, exit 2' '
	rc=0 && "$DOM0KIT" --dry-run=yes fetch 2>err || rc=$? && test $rc = 2 && one_line err && grep -q "option --dry-run takes no value" err &&
	rc=0 && "$DOM0KIT" --kernel= fetch 2>err || rc=$? && test $rc = 2 && one_line err && grep -q "option --kernel needs a value" err
'

test_expect_success '--version' '
	"$DOM0KIT" --version >v && one_line v && grep -E "^dom0kit [0-9a-f(]" v
'

test_expect_success 'every environment variable dom0kit reads is in --help and docs/cli.md' '
	cd "$TOP" && grep -rhoE "DOM0KIT_[A-Z_]+" scripts/dom0kit scripts/lib | sort -u | grep -vx DOM0KIT_TOP >"$TRASH/vars" &&
	test -s "$TRASH/vars" && "$DOM0KIT" --help >"$TRASH/help" &&
	while read -r v; do
		grep -q "$v" "$TRASH/help" || { echo "$v is not in --help"; exit 1; }
		grep -q "$v" docs/cli.md || { echo "$v is not in docs/cli.md"; exit 1; }
	done <"$TRASH/vars"
'

test_expect_success 'deps and releases make no ./work' '
	mkdir -p fresh && cd fresh &&
	"$DOM0KIT" deps >/dev/null &&
	DOM0KIT_RELEASES_FILE=$TOP/patches/releases DOM0KIT_RELEASES_JSON=$TOP/tests/fixtures/releases/current.json "$DOM0KIT" releases --no-debian >/dev/null &&
	[ ! -e work ] && [ -z "$(ls -A)" ]
'

test_expect_success '--no-dbg and --no-source-package with --packager bindeb say they do not apply' '
	"$DOM0KIT" --workdir w --dry-run --profile qemu --packager bindeb --no-dbg --no-source-package package >plan 2>err &&
	grep -q "^dom0kit: warning: --no-dbg does not apply to --packager bindeb" err &&
	grep -q "^dom0kit: warning: --no-source-package does not apply to --packager bindeb" err &&
	"$DOM0KIT" --workdir w --dry-run --profile qemu --packager bindeb package >plan 2>err && test_cmp /dev/null err
'

test_expect_success 'a dry run makes no work dir' '
	"$DOM0KIT" --workdir fresh-w --dry-run --profile qemu --suite bookworm --source $TREE --no-source-package build >plan &&
	[ ! -e fresh-w ]
'
test_done

#!/bin/bash
# The documentation's links: every relative link in README.md and
# docs/*.md names a file that exists and, when it names a heading of a
# Markdown file (FILE.md#anchor, or #anchor in the same file), a heading
# that exists there (GitHub's anchors: lower case, punctuation dropped,
# spaces to dashes, -1, -2 for repeats). External links (scheme:) are not
# followed; links inside fenced code blocks are not links.
. "$(dirname "$0")/test-lib.sh"
test_plan 3

# anchors FILE: the anchors of FILE's headings, one per line.
anchors() {
	awk '
		/^```/ { code = !code; next }
		code || !/^#+ / { next }
		{
			h = $0; sub(/^#+ +/, "", h); sub(/ +#*$/, "", h)
			h = tolower(h); gsub(/[^a-z0-9 _-]/, "", h); gsub(/ /, "-", h)
			n = seen[h]++
			print (n ? h "-" n : h)
		}' "$1"
}

# links FILE: "LINE TARGET" for each Markdown link of FILE outside code.
links() {
	awk '
		/^```/ { code = !code; next }
		code { next }
		{
			line = $0; gsub(/`[^`]*`/, "", line)
			while (match(line, /\]\([^) ]+\)/)) {
				print NR, substr(line, RSTART + 2, RLENGTH - 3)
				line = substr(line, RSTART + RLENGTH)
			}
		}' "$1"
}

# check_links ROOT: one line per dangling link of ROOT/README.md and
# ROOT/docs/*.md ("FILE:LINE: TARGET: why"); fails when there is any.
check_links() {
	local root=$1 f n target path anchor dir bad=0 count=0
	for f in "$root/README.md" "$root"/docs/*.md; do
		dir=$(dirname "$f")
		while read -r n target; do
			count=$((count + 1))
			case $target in *:*) continue ;; esac
			path=${target%%#*} anchor=''
			[ "$path" = "$target" ] || anchor=${target#*#}
			if [ -z "$path" ]; then path=$f; else path=$dir/$path; fi
			if [ ! -e "$path" ]; then
				echo "${f#"$root"/}:$n: $target: no such file"; bad=1
			elif [ -n "$anchor" ] && ! { [ "${path%.md}" != "$path" ] && anchors "$path" | grep -qxF -- "$anchor"; }; then
				echo "${f#"$root"/}:$n: $target: no heading #$anchor in $(realpath -m --relative-to="$root" "$path")"; bad=1
			fi
		done < <(links "$f")
	done
	[ "$count" -gt 0 ] || { echo "no links found under $root"; return 1; }
	return $bad
}
export -f anchors links check_links

test_expect_success 'every relative link in README.md and docs/*.md names an existing file and heading' '
	check_links "$TOP"
'

test_expect_success 'a link to a missing file fails the check, naming file, line and link' '
	mkdir -p copy && cp "$TOP/README.md" copy/ && cp -r "$TOP/docs" copy/ &&
	ln -s "$TOP/tools" copy/tools && ln -s "$TOP/packaging" copy/packaging && ln -s "$TOP/ci" copy/ci &&
	check_links copy &&
	printf "\nSee [the guide](docs/no-such-guide.md).\n" >>copy/README.md &&
	! check_links copy >out &&
	test_cmp - out <<-EOT
	README.md:$(wc -l <copy/README.md): docs/no-such-guide.md: no such file
	EOT
'

test_expect_success 'a link to a missing heading fails the check; code blocks are not links' '
	mkdir -p copy2/docs && cp "$TOP/README.md" copy2/ && cp "$TOP"/docs/*.md copy2/docs/ &&
	ln -s "$TOP/tools" copy2/tools && ln -s "$TOP/packaging" copy2/packaging && ln -s "$TOP/ci" copy2/ci &&
	printf "\n\`\`\`\n[not a link](nowhere.md)\n\`\`\`\n" >>copy2/docs/cli.md &&
	check_links copy2 &&
	printf "\n[pipeline](../README.md#the-pipelines) [ok](#dry-runs)\n" >>copy2/docs/cli.md &&
	! check_links copy2 >out &&
	test_cmp - out <<-EOT
	docs/cli.md:$(wc -l <copy2/docs/cli.md): ../README.md#the-pipelines: no heading #the-pipelines in README.md
	EOT
'
test_done

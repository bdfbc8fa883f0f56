#!/bin/sh
# seeds.sh OUTDIR: seed corpora for the fuzzers, cut from the fixtures.
set -eu
O=$1
F=${XP_FIXTURES:-tests/fixtures}
rm -rf "$O"
mkdir -p "$O/dump" "$O/caps" "$O/spec" "$O/persist"
# One file per device of each dump, plus small multi-device topologies.
for f in "$F"/*.dump; do
	awk -v dir="$O/dump" -v base="$(basename "$f" .dump)" '
		/^[0-9a-f]/ && !/^[0-9a-f]+: / { n++; out = sprintf("%s/%s-%02d", dir, base, n) }
		out { print > out }' "$f"
done
# bridge + child pairs (first 64..256 bytes each) exercise the topology code
awk '/^00:1c.4 /,/^$/' "$F/machine-a.dump" | head -17 >"$O/dump/pair-a"
awk '/^03:00.0 /,/^$/' "$F/machine-a.dump" | head -17 >>"$O/dump/pair-a"
awk '/^04:01.0 /,/^$/' "$F/machine-a.dump" | head -17 >>"$O/dump/pair-a"
# raw config space for fuzz_caps: device count byte + binary config
i=0
for f in "$O"/dump/machine-a-*; do
	i=$((i + 1))
	{ printf '\001'; grep -E '^[0-9a-f]+: ' "$f" | cut -d' ' -f2- |
		perl -ne 's/\s+//g; print pack("H*", $_)'; } >"$O/caps/$i"
done
n=0
for s in 0000:02:00.0 01:00.1 8086:10d3 0000:00:1c.4/00.0/01.0 00:01.0/00.1 10de:1b80; do
	n=$((n + 1)); printf '%s' "$s" >"$O/spec/$n"
done
printf '# seized\n0000:01:00.0\n  0000:01:00.1 # audio\n\n' >"$O/persist/1"
printf '0000:02:00.0' >"$O/persist/2"

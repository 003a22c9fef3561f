#!/bin/bash
# image pull of a 1 GiB file from tests/httpd.py on 127.0.0.1 against
# baselines measured in the same run (best of 3 each): `curl -o` of the same
# file from the same server, the same with a sync of the file after it, and
# the disk's floor: `dd oflag=direct` of as many bytes (labctl makes the file
# durable, O_DIRECT writes then fdatasync, before it renames it into place,
# so it can be no faster than the disk). Hashing while downloading must not
# cost much: exits 1 when labctl takes more than 1.3 times the slower of
# `curl -o` and the disk's floor.
# Usage: bench/pull.sh [MiB]
set -euo pipefail
cd "$(dirname "$0")/.."
make -s all
MIB=${1:-1024}
T=$(mktemp -d)
srv=""
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/www"
head -c $((MIB << 20)) /dev/urandom >"$T/www/big.bin"
S=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
python3 tests/httpd.py "$T/www" "$T/port" "$T/log" &
srv=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
U=http://127.0.0.1:$(cat "$T/port")/big.bin
printf 'images:\n  big: {format: raw, url: "%s", sha256: %s}\n' "$U" "$S" >"$T/catalog.yaml"
best() { sort -n | head -n 1; }
time_it() { local t0 t1; sync; t0=$(date +%s.%N); "$@" >/dev/null 2>&1; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f\n", b - a }'; }
c=$(for _ in 1 2 3; do rm -f "$T/curl.out"; time_it curl -s -o "$T/curl.out" "$U"; done | best)
# labctl makes the file durable before it calls it verified: curl, then sync
cs=$(for _ in 1 2 3; do rm -f "$T/curl.out"; time_it sh -c "curl -s -o '$T/curl.out' '$U' && sync '$T/curl.out'"; done | best)
# a state dir of its own: the user's STATE/catalog.yaml must not add or replace images
d=$(for _ in 1 2 3; do rm -f "$T/dd.out"; time_it dd if=/dev/zero of="$T/dd.out" bs=4M count=$((MIB / 4)) oflag=direct conv=fdatasync; done | best)
rm -f "$T/dd.out"
l=$(for _ in 1 2 3; do rm -rf "$T/cache"; time_it bin/labctl --catalog "$T/catalog.yaml" --cache-dir "$T/cache" --state-dir "$T/state" image pull big; done | best)
[ "$(sha256sum <"$T/cache/big.raw" | cut -d' ' -f1)" = "$S" ] || { echo "pull: wrong bytes" >&2; exit 1; }
echo "curl -o of ${MIB} MiB: ${c}s ($(awk -v m="$MIB" -v s="$c" 'BEGIN { printf "%.0f", m / s }') MiB/s)"
echo "labctl image pull (sha256 while downloading, durable, rename): ${l}s ($(awk -v m="$MIB" -v s="$l" 'BEGIN { printf "%.0f", m / s }') MiB/s)"
echo "curl -o then sync(1) of the file: ${cs}s"
echo "dd oflag=direct of ${MIB} MiB (the disk's floor for a durable file): ${d}s"
floor=$(awk -v a="$c" -v b="$d" 'BEGIN { print (a > b ? a : b) }')
ratio=$(awk -v a="$l" -v b="$floor" 'BEGIN { printf "%.2f", a / b }')
echo "ratio to the slower of curl -o and the disk: $ratio (target <= 1.3); to curl -o alone:" \
	"$(awk -v a="$l" -v b="$c" 'BEGIN { printf "%.2f", a / b }'); to curl -o + sync:" \
	"$(awk -v a="$l" -v b="$cs" 'BEGIN { printf "%.2f", a / b }')"
awk -v r="$ratio" 'BEGIN { exit !(r <= 1.3) }' || { echo "pull: ratio $ratio exceeds 1.3" >&2; exit 1; }

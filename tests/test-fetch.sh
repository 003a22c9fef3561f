#!/bin/bash
# image pull against a real HTTP server on 127.0.0.1 (tests/httpd.py, port
# picked at run time): a good pull, a checksum mismatch, a 404, a server that
# drops the connection halfway (finished through a Range request, which the
# server's log must show), a partial file left in the cache and completed
# (also one of an unaligned length, and one whose server ignores Range and
# sends the whole file again), a 500 retried, two concurrent pulls of one image, image ls and rm.
# Usage: test-fetch.sh BIN
set -u
BIN=$(realpath "$1")
SRC=$(realpath "${LABCTL_SRCDIR:-.}")
T=$(mktemp -d)
srv=""
trap '[ -n "$srv" ] && kill $srv 2>/dev/null; rm -rf "$T"' EXIT
mkdir -p "$T/www" "$T/cache"
head -c $((5 << 20)) /dev/urandom >"$T/www/good.bin"
head -c $((48 << 20)) /dev/urandom >"$T/www/big.bin"
cp "$T/www/good.bin" "$T/www/partial.bin"
cp "$T/www/good.bin" "$T/www/odd.bin"
cp "$T/www/good.bin" "$T/www/whole.bin"
S=$(sha256sum <"$T/www/good.bin" | cut -d' ' -f1)
SB=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
python3 "$SRC/tests/httpd.py" "$T/www" "$T/port" "$T/log" &
srv=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
U=http://127.0.0.1:$P
WRONG=$(printf '%064d' 0)
cat >"$T/catalog.yaml" <<YAML
images:
  good: {format: raw, url: "$U/good.bin", sha256: $S}
  bad: {format: raw, url: "$U/good.bin", sha256: $WRONG}
  missing: {format: raw, url: "$U/nope.bin", sha256: $S}
  dropped: {format: raw, url: "$U/drop/good.bin", sha256: $S}
  partial: {format: raw, url: "$U/partial.bin", sha256: $S}
  odd: {format: raw, url: "$U/odd.bin", sha256: $S}
  whole: {format: raw, url: "$U/whole.bin", sha256: $S}
  norange: {format: raw, url: "$U/norange/good.bin", sha256: $S}
  flaky: {format: raw, url: "$U/fail500/good.bin", sha256: $S}
  big: {format: qcow2, url: "$U/big.bin", sha256: $SB}
YAML
L="$BIN --catalog $T/catalog.yaml --cache-dir $T/cache --state-dir $T/state"
fail=0
say() { echo "FAIL $*" >&2; fail=1; }
sum() { sha256sum <"$1" | cut -d' ' -f1; }

$L image pull good >"$T/out" 2>"$T/err" || say "good pull exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/good.raw")" = "$S" ] || say "good pull: wrong bytes"
[ -e "$T/cache/good.raw.part" ] && say "good pull left a .part"
grep -q "pulled, sha256 verified" "$T/out" || say "good pull: $(cat "$T/out")"
$L image pull good >"$T/out" 2>&1 && grep -q "already cached" "$T/out" || say "second pull: $(cat "$T/out")"

$L image pull bad >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "mismatch exited $rc"
grep -q "sha256 $S, but the catalog expects $WRONG: refused" "$T/err" || say "mismatch message: $(cat "$T/err")"
[ -e "$T/cache/bad.raw" ] || [ -e "$T/cache/bad.raw.part" ] && say "mismatch left a file"

$L image pull missing >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "404 exited $rc"
grep -q "image missing: cannot download $U/nope.bin: HTTP 404" "$T/err" || say "404 message: $(cat "$T/err")"

$L image pull dropped >"$T/out" 2>"$T/err" || say "dropped pull exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/dropped.raw")" = "$S" ] || say "dropped pull: wrong bytes"
grep -Eq "^GET /drop/good.bin bytes=[1-9][0-9]*-$" "$T/log" || say "dropped pull: no Range request in $(cat "$T/log")"

head -c $((2 << 20)) "$T/www/partial.bin" >"$T/cache/partial.raw.part"
$L image pull partial >"$T/out" 2>"$T/err" || say "partial pull exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/partial.raw")" = "$S" ] || say "partial pull: wrong bytes"
grep -q "^GET /partial.bin bytes=$((2 << 20))-$" "$T/log" || say "partial pull: no Range from 2 MiB in $(cat "$T/log")"

# O_DIRECT appends at 4 KiB boundaries: an unaligned tail is fetched again
head -c 3000001 "$T/www/odd.bin" >"$T/cache/odd.raw.part"
$L image pull odd >"$T/out" 2>"$T/err" || say "unaligned partial pull exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/odd.raw")" = "$S" ] || say "unaligned partial pull: wrong bytes"
grep -Eq "^GET /odd.bin bytes=(2998272|3000001)-$" "$T/log" || say "unaligned partial pull: no Range from the kept bytes in $(cat "$T/log")"

# killed after the last byte, before the rename: the server answers 416
cp "$T/www/whole.bin" "$T/cache/whole.raw.part"
$L image pull whole >"$T/out" 2>"$T/err" || say "pull of a whole .part exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/whole.raw")" = "$S" ] || say "pull of a whole .part: wrong bytes"
grep -q "^GET /whole.bin bytes=$((5 << 20))-$" "$T/log" || say "whole .part: no Range request in $(cat "$T/log")"

# a server that answers a Range request with the whole file: the .part starts over
head -c $((3 << 20)) /dev/urandom >"$T/cache/norange.raw.part"
$L image pull norange >"$T/out" 2>"$T/err" || say "pull from a server without Range exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/norange.raw")" = "$S" ] || say "pull from a server without Range: wrong bytes"
grep -q "^GET /norange/good.bin bytes=$((3 << 20))-$" "$T/log" || say "no-Range pull: no Range request in $(cat "$T/log")"

$L image pull flaky >"$T/out" 2>"$T/err" || say "500-then-ok pull exited $?: $(cat "$T/err")"
[ "$(grep -c '^GET /fail500/good.bin' "$T/log")" = 2 ] || say "500: not retried once"

$L image pull big >"$T/o1" 2>"$T/e1" &
p1=$!
$L image pull big >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1 || say "concurrent pull 1: $(cat "$T/e1")"
wait $p2 || say "concurrent pull 2: $(cat "$T/e2")"
[ "$(sum "$T/cache/big.qcow2")" = "$SB" ] || say "concurrent pulls corrupted the image"
[ "$(grep -c '^GET /big.bin' "$T/log")" = 1 ] || say "concurrent pulls: both downloaded"

$L --json image ls >"$T/out" || say "image ls"
python3 - "$T/out" "$T/cache" <<'PY' || say "image ls --json: $(cat "$T/out")"
import json, sys
d = {i["name"]: i for i in json.load(open(sys.argv[1]))["images"]}
assert d["good"] == {"name": "good", "format": "raw", "cached": True,
                     "path": sys.argv[2] + "/good.raw", "size": 5 << 20}, d["good"]
assert d["bad"]["cached"] is False and d["bad"]["size"] == 0
PY
$L image rm good >"$T/out" 2>&1 || say "image rm"
[ -e "$T/cache/good.raw" ] && say "image rm left the file"
$L image pull nosuch >"$T/out" 2>&1
[ $? = 2 ] || say "pull of an unknown image: not exit 2"
grep -v "^GET /" "$T/log" && say "the server saw something else"
[ -n "${KEEPLOG:-}" ] && cat "$T/log"
[ $fail = 0 ] && echo "fetch: pull, mismatch, 404, drop + Range, partial + Range (aligned, unaligned, whole, ignored), 500, concurrent, ls, rm"
exit $fail

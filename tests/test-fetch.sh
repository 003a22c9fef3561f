#!/bin/bash
# image pull against a real HTTP server on 127.0.0.1 (tests/httpd.py, port
# picked at run time): a good pull, a checksum mismatch, a 404, a server that
# drops the connection halfway (finished through a Range request, which the
# server's log must show), a partial file left in the cache and completed
# (also one of an unaligned length, and one whose server ignores Range and
# sends the whole file again), a 500 retried, two overlapping pulls of one
# image (the server sends slowly so they do overlap), image rm during a pull,
# a .part replaced during a pull, a cached file replaced or made stale by a
# new sum in the catalog, local files (sums from SHA256SUMS, a directory), an
# empty file, the progress bar's terminal rule, catalog names and urls,
# image ls and rm.
# Usage: test-fetch.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
srv=""
cleanup() { [ -n "$srv" ] && kill $srv 2>/dev/null; }
mkdir -p "$T/www" "$T/cache"
head -c $((5 << 20)) /dev/urandom >"$T/www/good.bin"
head -c $((8 << 20)) /dev/urandom >"$T/www/big.bin"
cp "$T/www/big.bin" "$T/www/mid.bin"
cp "$T/www/big.bin" "$T/www/swap.bin"
head -c $((1 << 20)) /dev/urandom >"$T/www/ver.bin"
: >"$T/www/empty.bin"
SV1=$(sha256sum <"$T/www/ver.bin" | cut -d' ' -f1)
SE=$(sha256sum </dev/null | cut -d' ' -f1)
cp "$T/www/good.bin" "$T/www/partial.bin"
cp "$T/www/good.bin" "$T/www/odd.bin"
cp "$T/www/good.bin" "$T/www/whole.bin"
S=$(sha256sum <"$T/www/good.bin" | cut -d' ' -f1)
SB=$(sha256sum <"$T/www/big.bin" | cut -d' ' -f1)
python3 "$SRC/tests/httpd.py" "$T/www" "$T/port" "$T/log" 2>"$T/httpd.err" &
srv=$!
for _ in $(seq 50); do [ -s "$T/port" ] && break; sleep 0.1; done
P=$(cat "$T/port")
U=http://127.0.0.1:$P
WRONG=$(printf '%064d' 0)
S512=$(sha512sum <"$T/www/good.bin" | cut -d' ' -f1)
WRONG512=$(printf '%0128d' 0)
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
  big: {format: qcow2, url: "$U/slow/big.bin", sha256: $SB}
  mid: {format: raw, url: "$U/slow/mid.bin", sha256: $SB}
  swap: {format: raw, url: "$U/slow/swap.bin", sha256: $SB}
  ver: {format: raw, url: "$U/ver.bin", sha256: $SV1}
  empty: {format: raw, url: "$U/empty.bin", sha256: $SE}
  s512: {format: raw, url: "$U/good.bin", sha512: $S512}
  bad512: {format: raw, url: "$U/good.bin", sha512: $WRONG512}
YAML
L="$BIN --catalog $T/catalog.yaml --cache-dir $T/cache --state-dir $T/state"
sum() { sha256sum <"$1" | cut -d' ' -f1; }
gets() { grep -c "^GET $1 " "$T/log"; }
# FILE is one JSON document, read by a real parser (bytes that are not UTF-8 fail too)
isjson() { python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$1"; }
# until a pull has opened FILE.part (it holds FILE.lock from then on)
await_part() { for _ in $(seq 200); do [ -e "$1.part" ] && return 0; sleep 0.05; done; return 1; }

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

# a publisher with only SHA512SUMS (Debian's cloud images): sha512 alone is trusted too
$L image pull s512 >"$T/out" 2>"$T/err" || say "sha512 pull exited $?: $(cat "$T/err")"
[ "$(sum "$T/cache/s512.raw")" = "$S" ] || say "sha512 pull: wrong bytes"
grep -q "pulled, sha512 verified" "$T/out" || say "sha512 pull: $(cat "$T/out")"
$L image pull s512 >"$T/out" 2>&1 && grep -q "already cached" "$T/out" || say "second sha512 pull: $(cat "$T/out")"
$L image pull bad512 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "sha512 mismatch exited $rc"
grep -q "sha512 $S512, but the catalog expects $WRONG512: refused" "$T/err" || say "sha512 mismatch message: $(cat "$T/err")"
[ -e "$T/cache/bad512.raw" ] || [ -e "$T/cache/bad512.raw.part" ] && say "sha512 mismatch left a file"

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

# two pulls of one image, the second started while the first is downloading:
# the second waits for the first and finds it done
$L image pull big >"$T/o1" 2>"$T/e1" &
p1=$!
await_part "$T/cache/big.qcow2" || say "concurrent pulls: the first never started"
[ -e "$T/cache/big.qcow2" ] && say "concurrent pulls: the first finished before the second started"
$L image pull big >"$T/o2" 2>"$T/e2" &
p2=$!
wait $p1 || say "concurrent pull 1: $(cat "$T/e1")"
wait $p2 || say "concurrent pull 2: $(cat "$T/e2")"
[ "$(sum "$T/cache/big.qcow2")" = "$SB" ] || say "concurrent pulls corrupted the image"
[ "$(gets /slow/big.bin)" = 1 ] || say "concurrent pulls: $(gets /slow/big.bin) downloads, not 1"
grep -q "already cached" "$T/o2" || say "concurrent pull 2: $(cat "$T/o2")"

# image rm while a pull runs: refused, and the pull finishes intact
$L image pull mid >"$T/o1" 2>"$T/e1" &
p1=$!
await_part "$T/cache/mid.raw" || say "rm during pull: the pull never started"
$L image rm mid >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "rm during a pull exited $rc: $(cat "$T/out" "$T/err")"
grep -q "image mid is being pulled by another run: not removed" "$T/err" || say "rm during a pull: $(cat "$T/err")"
wait $p1 || say "pull during rm: $(cat "$T/e1")"
[ "$(sum "$T/cache/mid.raw")" = "$SB" ] || say "rm during a pull: wrong bytes"
$L image rm mid >"$T/out" 2>&1 || say "rm after the pull: $(cat "$T/out")"
ls "$T/cache" | grep -q '^mid\.raw\(\.part\|\.sha256\)\?$' && say "rm after the pull left $(ls "$T/cache" | grep mid)"

# a .part that is not the pull's own by the end is neither used nor deleted
$L image pull swap >"$T/o1" 2>"$T/e1" &
p1=$!
await_part "$T/cache/swap.raw" || say "swapped .part: the pull never started"
rm -f "$T/cache/swap.raw.part"
echo junk >"$T/cache/swap.raw.part"
wait $p1
rc=$?
[ $rc = 1 ] || say "pull whose .part was replaced exited $rc: $(cat "$T/o1" "$T/e1")"
grep -q "swap.raw.part' was removed or replaced during the download: not used" "$T/e1" || say "swapped .part: $(cat "$T/e1")"
[ -e "$T/cache/swap.raw" ] && say "swapped .part: renamed into place"
[ "$(cat "$T/cache/swap.raw.part")" = junk ] || say "swapped .part: the other file was touched"

# the cache records what it verified: a file replaced in the cache is not cached
[ "$(cut -d' ' -f1 "$T/cache/good.raw.sha256")" = "$S" ] || say "no record of good's sum"
n=$(gets /good.bin)
head -c $((5 << 20)) /dev/urandom >"$T/cache/good.raw"
$L --json image ls >"$T/ls.json" && isjson "$T/ls.json" &&
	grep -q '"name":"good","format":"raw","cached":false' "$T/ls.json" || say "a replaced file is listed as cached: $(cat "$T/ls.json")"
$L image pull good >"$T/out" 2>"$T/err" || say "pull over a replaced file: $(cat "$T/err")"
grep -q "pulled, sha256 verified" "$T/out" || say "pull over a replaced file: $(cat "$T/out")"
[ "$(sum "$T/cache/good.raw")" = "$S" ] || say "pull over a replaced file: wrong bytes"
[ "$(gets /good.bin)" = $((n + 1)) ] || say "pull over a replaced file: not downloaded again"
# a verified file whose record is lost (a run stopped after the rename) is hashed, not downloaded
rm "$T/cache/good.raw.sha256"
$L image pull good >"$T/out" 2>&1 && grep -q "already cached" "$T/out" || say "pull without a record: $(cat "$T/out")"
[ "$(gets /good.bin)" = $((n + 1)) ] || say "pull without a record: downloaded again"
[ -s "$T/cache/good.raw.sha256" ] || say "pull without a record: not recorded again"

# a new version in the catalog (a new sum) is pulled again
$L image pull ver >"$T/out" 2>"$T/err" || say "pull ver: $(cat "$T/err")"
head -c $((1 << 20)) /dev/urandom >"$T/www/ver.bin"
SV2=$(sum "$T/www/ver.bin")
printf 'images:\n  ver: {format: raw, url: "%s/ver.bin", sha256: %s}\n' "$U" "$SV2" >"$T/catalog-v2.yaml"
L2="$BIN --catalog $T/catalog-v2.yaml --cache-dir $T/cache --state-dir $T/state"
$L2 --json image ls >"$T/ls.json" && isjson "$T/ls.json" && grep -q '"cached":false' "$T/ls.json" ||
	say "a new sum: still listed as cached: $(cat "$T/ls.json")"
$L2 image pull ver >"$T/out" 2>"$T/err" || say "pull of a new version: $(cat "$T/err")"
grep -q "pulled, sha256 verified" "$T/out" || say "pull of a new version: $(cat "$T/out")"
[ "$(sum "$T/cache/ver.raw")" = "$SV2" ] || say "pull of a new version: old bytes kept"

# an empty file is a file like any other
$L image pull empty >"$T/out" 2>"$T/err" || say "pull of an empty file: $(cat "$T/err")"
[ -f "$T/cache/empty.raw" ] && [ ! -s "$T/cache/empty.raw" ] || say "pull of an empty file: no empty file"

# local files: sums from the SHA256SUMS beside them (what build-tiny.sh writes),
# a file with no sum anywhere copied again once it changes, a directory refused
mkdir -p "$T/loc/t" "$T/loc/dir" "$T/loc/c2"
echo kernel >"$T/loc/t/vmlinuz"
echo initrd >"$T/loc/t/initrd.img"
(cd "$T/loc/t" && sha256sum vmlinuz initrd.img >SHA256SUMS)
echo plain >"$T/loc/plain.bin"
cat >"$T/loc/catalog.yaml" <<YAML
images:
  t: {format: kernel, kernel: {url: t/vmlinuz}, initrd: {url: "file://$T/loc/t/initrd.img"}}
  plain: {format: raw, url: plain.bin}
  dir: {format: raw, url: "file://$T/loc/dir"}
YAML
LL="$BIN --catalog $T/loc/catalog.yaml --cache-dir $T/loc/cache --state-dir $T/state"
$LL image pull t >"$T/out" 2>"$T/err" || say "local pull: $(cat "$T/err")"
grep -q "t: pulled, sha256 verified" "$T/out" || say "local pull with SHA256SUMS: $(cat "$T/out")"
$LL image pull t >"$T/out" 2>&1 && grep -q "already cached" "$T/out" || say "second local pull: $(cat "$T/out")"
echo rebuilt >"$T/loc/t/vmlinuz"
(cd "$T/loc/t" && sha256sum vmlinuz initrd.img >SHA256SUMS)
$LL image pull t >"$T/out" 2>"$T/err" && grep -q "pulled, sha256 verified" "$T/out" || say "local pull after a rebuild: $(cat "$T/out" "$T/err")"
[ "$(cat "$T/loc/cache/t.kernel")" = rebuilt ] || say "local pull after a rebuild: old kernel kept"
echo tampered >"$T/loc/t/vmlinuz"
rm -f "$T/loc/cache/t.kernel"
$LL image pull t >"$T/out" 2>"$T/err"
[ $? = 1 ] && grep -q "sha256 $(sum "$T/loc/t/vmlinuz"), but the catalog expects" "$T/err" || say "local file against SHA256SUMS: $(cat "$T/out" "$T/err")"
$LL image pull plain >"$T/out" 2>"$T/err" && grep -q "no sha256 is known" "$T/out" || say "local pull without a sum: $(cat "$T/out" "$T/err")"
sleep 0.01
echo plain2 >"$T/loc/plain.bin"
$LL --json image ls >"$T/ls.json" && isjson "$T/ls.json" &&
	grep -q '"name":"plain","format":"raw","cached":false' "$T/ls.json" || say "a changed local source: still listed as cached: $(cat "$T/ls.json")"
$LL image pull plain >"$T/out" 2>&1 && [ "$(cat "$T/loc/cache/plain.raw")" = plain2 ] || say "a changed local source: not copied again: $(cat "$T/out")"
mv "$T/loc/plain.bin" "$T/loc/plain.gone"
$LL image pull plain >"$T/out" 2>&1 && grep -q "already cached" "$T/out" || say "a local source gone: the copy no longer counts: $(cat "$T/out")"
$LL image pull dir >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] && grep -q "image dir: '$T/loc/dir' is not a regular file" "$T/err" || say "a directory as the source exited $rc: $(cat "$T/out" "$T/err")"
[ -e "$T/loc/cache/dir.raw" ] && say "a directory as the source: pulled"
# the shipped catalog's tiny, when built, is verified against its SHA256SUMS
if [ -s "$SRC/images/tiny/SHA256SUMS" ]; then
	$BIN --catalog "$SRC/images/catalog.yaml" --cache-dir "$T/tiny-cache" --state-dir "$T/state" image pull tiny >"$T/out" 2>"$T/err" || say "pull tiny: $(cat "$T/err")"
	grep -q "tiny: pulled, sha256 verified" "$T/out" || say "pull tiny: $(cat "$T/out")"
fi

# the bar is drawn on stderr, and only when stdout is a terminal too (README.md, "Images")
python3 - "$L" "$T/cache" <<'PY' || say "progress bar"
import os, pty, shlex, subprocess, sys
cmd = shlex.split(sys.argv[1]) + ["image", "pull", "mid"]
def run(out_tty):
    subprocess.run(["rm", "-f", sys.argv[2] + "/mid.raw", sys.argv[2] + "/mid.raw.sha256"])
    m, s = pty.openpty()
    om, os_ = pty.openpty()
    out = os_ if out_tty else subprocess.DEVNULL
    subprocess.run(cmd, stdout=out, stderr=s, check=True)
    os.close(s); os.close(os_); os.close(om)
    data = b""
    try:
        while True:
            b = os.read(m, 65536)
            if not b:
                break
            data += b
    except OSError:
        pass
    os.close(m)
    return data.decode()
err = run(False)
assert "MiB" not in err, "a bar although stdout is no terminal: %r" % err
err = run(True)
assert "MiB" in err, "no bar on a terminal: %r" % err
# redrawn at most ten times a second, and 100% once
assert err.count("100%") == 1, "100%% drawn %d times: %r" % (err.count("100%"), err)
PY

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
[ -s "$T/httpd.err" ] && say "the server failed: $(cat "$T/httpd.err")"

# catalog names and urls: each refused with its line and column
$BIN --catalog "$SRC/tests/fixtures/catalog-invalid.yaml" --cache-dir "$T/cache" --state-dir "$T/state" image ls >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 2 ] || say "invalid catalog exited $rc"
F=$SRC/tests/fixtures/catalog-invalid.yaml
NAMERULE="a name is letters, digits, '-', '_' and '.', and does not start with '.'"
for want in "$F:3:3: image \"../escaped\": $NAMERULE" "$F:4:3: image \"\": $NAMERULE" \
	"$F:5:3: image \".hidden\": $NAMERULE" "$F:6:29: image \"empty\": \"url\" must not be empty" \
	"$F:7:33: image \"emptyfile\": \"url\" must not be empty" "$F:10:19: image \"k\": \"url\" must not be empty" \
	"$F:11:5: image \"k\": unknown key \"redy\" (did you mean \"ready\"?)" \
	"$F:12:5: image \"k\": unknown key \"dsk\" (did you mean \"disk\"?)"; do
	grep -qxF "$want" "$T/err" || say "invalid catalog: no line '$want' in $(cat "$T/err")"
done
[ -e "$T/escaped.raw" ] && say "a name escaped the cache"
$BIN --catalog "$SRC/tests/fixtures/catalog-names.yaml" --cache-dir "$T/cache" --state-dir "$T/state" image ls >"$T/out" 2>&1 || say "valid names refused: $(cat "$T/out")"
[ -n "${KEEPLOG:-}" ] && cat "$T/log"
[ $fail = 0 ] && echo "fetch: pull, mismatch, 404, drop + Range, partial + Range (aligned, unaligned, whole, ignored), 500, concurrent, rm during pull, swapped .part, records, local + SHA256SUMS, empty, progress, catalog names, ls, rm"
exit $fail

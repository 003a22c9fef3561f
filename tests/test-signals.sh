#!/bin/bash
# SIGINT and SIGTERM on a real libvirtd: up stops starting nodes, finishes
# the one in flight and exits 130 (143 for SIGTERM); up then completes the
# lab; a second SIGINT during --wait exits at once; down cleans everything.
# Usage: test-signals.sh BIN   (as root)
set -u
. "$(dirname "$0")/lib.sh"
need_qemu_system
LAB=sig-$$
POOL=labctl-$LAB
cleanup() {
	down_labs_and_pool "$POOL" "$LAB"
}
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {kind: kvm, image: tiny, memory: 256MiB, disk: 64MiB}
nodes:
  n: {replicas: 6}
YAML
domains() { virsh -c qemu:///system list --all --name | grep -c "^$LAB-"; }
# wait until at least $1 domains of the lab exist (at most 60 s)
until_domains() { for _ in $(seq 600); do [ "$(domains)" -ge "$1" ] && return 0; sleep 0.1; done; return 1; }

$L up -j 1 "$T/lab.yaml" >"$T/out" 2>"$T/err" &
pid=$!
until_domains 1 || say "up made no domain"
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || say "SIGINT: exit $rc, want 130: $(cat "$T/err")"
grep -q "up interrupted" "$T/err" || say "SIGINT: message: $(cat "$T/err")"
n=$(domains)
[ "$n" -ge 1 ] && [ "$n" -lt 6 ] || say "SIGINT: $n domains, want some but not all"
$L up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up after SIGINT exited $?: $(cat "$T/err")"
[ "$(domains)" = 6 ] || say "up after SIGINT: $(domains) domains"
$L -q down "$LAB" || say "down"

$L up -j 1 --wait=120 "$T/lab.yaml" >"$T/out" 2>"$T/err" &
pid=$!
until_domains 2 || say "up --wait made no domains"
kill -TERM $pid
wait $pid
rc=$?
[ $rc = 143 ] || say "SIGTERM: exit $rc, want 143: $(cat "$T/err")"
$L up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up after SIGTERM exited $?: $(cat "$T/err")"
[ "$(domains)" = 6 ] || say "up after SIGTERM: $(domains) domains"

# SIGINT during down: the removals in flight finish, no new step starts
# (networks, then volumes), exit 130, and a second down completes
$L down "$LAB" >"$T/out" 2>"$T/err" &
pid=$!
# it lists the domains at once, and stopping each takes a few hundred ms
sleep 0.15
kill -INT $pid
wait $pid
rc=$?
[ $rc = 130 ] || say "SIGINT during down: exit $rc, want 130: $(cat "$T/err")"
grep -q "down interrupted" "$T/err" || say "SIGINT during down: message: $(cat "$T/err")"
[ "$(virsh -c qemu:///system vol-list "$POOL" 2>/dev/null | grep -c "$LAB-")" = 6 ] ||
	say "SIGINT during down: the volumes went too (down did not stop)"
$L down "$LAB" >"$T/out" 2>"$T/err" || say "down after SIGINT exited $?: $(cat "$T/err")"
[ "$(domains)" = 0 ] || say "down after SIGINT left $(domains) domains"
$L up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up after interrupted down exited $?: $(cat "$T/err")"
[ "$(domains)" = 6 ] || say "up after interrupted down: $(domains) domains"
# from nothing again: the domains appearing show this up has its handlers in
# place (a background job of a script starts with SIGINT ignored)
$L -q down "$LAB" || say "down before the double SIGINT"

$L up --wait=300 "$T/lab.yaml" >"$T/out" 2>"$T/err" &
pid=$!
until_domains 6 || say "up --wait: not all domains"
t0=$(date +%s%N)
kill -INT $pid
sleep 0.05
kill -INT $pid 2>/dev/null
wait $pid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
[ $rc = 130 ] || say "double SIGINT: exit $rc"
[ $ms -lt 2000 ] || say "double SIGINT took ${ms} ms"

$L -q down "$LAB" || say "final down"

# SIGINT during a download: the transfer aborts at once, keeping its .part
# for the next pull; a server that sends 6 MiB and then stalls holds it
python3 - "$T/port" <<'PY' &
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(4)
open(sys.argv[1], "w").write(str(s.getsockname()[1]))
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 67108864\r\n\r\n" + b"x" * (6 << 20))
    time.sleep(120)
PY
srv=$!
for _ in $(seq 100); do [ -s "$T/port" ] && break; sleep 0.05; done
printf 'images:\n  slow: {url: "http://127.0.0.1:%s/slow.img", sha256: "%064d", format: raw}\n' \
	"$(cat "$T/port")" 0 >"$T/catalog.yaml"
$BIN --catalog "$T/catalog.yaml" --state-dir "$T/state" --cache-dir "$T/pcache" image pull slow \
	>"$T/out" 2>"$T/err" &
pid=$!
for _ in $(seq 200); do [ "$(stat -c %s "$T"/pcache/slow*.part 2>/dev/null || echo 0)" -ge 4194304 ] && break; sleep 0.05; done
t0=$(date +%s%N)
kill -INT $pid
wait $pid
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
kill $srv 2>/dev/null
[ $rc = 130 ] || say "SIGINT during a pull: exit $rc: $(cat "$T/err")"
[ $ms -lt 3000 ] || say "SIGINT during a pull took ${ms} ms"
[ "$(stat -c %s "$T"/pcache/slow*.part 2>/dev/null || echo 0)" -ge 4194304 ] ||
	say "SIGINT during a pull: .part not kept: $(ls -l "$T/pcache" 2>&1)"

[ "$(domains)" = 0 ] || say "down left domains"
[ -e "$T/state/labs/$LAB" ] && say "down left the journal"
[ $fail = 0 ] && echo "signals: SIGINT and SIGTERM during up and up completing after, SIGINT during down and down completing after, double SIGINT, SIGINT during a pull keeping its .part"
exit $fail

#!/bin/bash
# Labs people can use, end to end on qemu:///system with the debian image:
# a kvm node on two networks and a generic node come up with --wait (cloud-
# init finished and sshd answering at each planned address); labctl ssh
# runs commands as the lab's user (hostname, the user's cloud_init runcmd
# marker, /dev/kvm in the kvm node); Ansible's own tools read labctl's
# inventory and ping every node; labctl console shows a node's console;
# status knows every NIC's address; down leaves no seed, key or known_hosts.
# Usage: test-access.sh BIN   (as root; needs images/debian: make image-debian)
set -u
. "$(dirname "$0")/lib.sh"
need_root "qemu:///system"
[ -s "$SRC/images/tiny/SHA256SUMS" ] || { echo "access: images/tiny is missing (make tiny)" >&2; exit 1; }
[ -s "$SRC/images/debian/SHA256SUMS" ] || { echo "access: images/debian is missing (make image-debian)" >&2; exit 1; }
need_qemu_system
LAB=acc-$$
POOL=labctl-$LAB
cleanup() {
	down_labs_and_pool "$POOL" "$LAB"
}
MGMT=$("$SRC/tests/free-subnet.py") || exit 1
STORE=$("$SRC/tests/free-subnet.py" "$MGMT") || exit 1
cat >"$T/user.yaml" <<'YAML'
runcmd:
  - [touch, /var/tmp/labctl-marker]
YAML
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {image: debian, memory: 1GiB, vcpus: 1, disk: 4GiB, cloud_init: user.yaml}
networks:
  mgmt: {mode: nat, subnet: $MGMT}
  store: {mode: isolated, subnet: $STORE}
nodes:
  kvm1: {kind: kvm, networks: [mgmt, store]}
  gen1: {kind: generic, nested: false, networks: [mgmt]}
YAML
t0=$(date +%s)
$L --json up "$T/lab.yaml" --wait=600 >"$T/up.json" 2>"$T/err" || say "up --wait exited $?: $(cat "$T/err") $(cat "$T/up.json")"
t1=$(date +%s)
python3 - "$T/up.json" <<'PY' || say "up --json: $(cat "$T/up.json")"
import json, sys
d = json.load(open(sys.argv[1]))
for n in d["nodes"]:
    assert n["booted"] and n["address"], n
PY
for n in kvm1 gen1; do
	out=$($L ssh "$LAB" "$n" -- hostname 2>"$T/err")
	[ "$out" = "$n" ] || say "ssh $n hostname: '$out' $(cat "$T/err")"
	$L ssh "$LAB" "$n" -- test -f /var/tmp/labctl-marker || say "ssh $n: no runcmd marker"
done
$L ssh "$LAB" kvm1 -- test -c /dev/kvm || say "kvm1 has no /dev/kvm"
$L ssh "$LAB" kvm1 -- sudo -n true || say "kvm1: the lab's user has no passwordless sudo"
# a real hypervisor running a real guest two levels down: tiny as an L2,
# started by the kvm node's own QEMU through its /dev/kvm
$L ssh "$LAB" kvm1 -- 'cat >/tmp/vmlinuz' <"$SRC/images/tiny/vmlinuz" || say "copy tiny's kernel into kvm1"
$L ssh "$LAB" kvm1 -- 'cat >/tmp/initrd.img' <"$SRC/images/tiny/initrd.img" || say "copy tiny's initrd into kvm1"
$L ssh "$LAB" kvm1 -- "sudo -n sh -c 'qemu-system-x86_64 -accel kvm -m 256 -display none -no-reboot \
	-kernel /tmp/vmlinuz -initrd /tmp/initrd.img -serial file:/tmp/l2.log \
	-append \"console=ttyS0 quiet panic=-1 labctl.node=l2\" -daemonize -pidfile /tmp/l2.pid &&
	for i in \$(seq 120); do grep -q LABCTL-BOOT-OK /tmp/l2.log && break; sleep 1; done;
	kill \$(cat /tmp/l2.pid); grep -a LABCTL-BOOT-OK /tmp/l2.log'" >"$T/l2" 2>&1
grep -q 'LABCTL-BOOT-OK node=l2 ' "$T/l2" || say "tiny did not boot as an L2 in kvm1: $(tail -c 400 "$T/l2")"
# Ansible reads the inventory (YAML and INI) and reaches every node
$L inventory "$LAB" >"$T/inv.yaml" || say "inventory exited $?"
ansible-inventory -i "$T/inv.yaml" --list >"$T/inv.json" 2>"$T/err" || say "ansible-inventory: $(cat "$T/err")"
python3 - "$T/inv.json" "$LAB" <<'PY' || say "ansible-inventory --list: $(cat "$T/inv.json")"
import json, sys
d = json.load(open(sys.argv[1]))
lab = sys.argv[2].replace("-", "_")
assert sorted(d[lab]["hosts"]) == ["gen1", "kvm1"], d
assert d["kvm"]["hosts"] == ["kvm1"] and d["generic"]["hosts"] == ["gen1"], d
hv = d["_meta"]["hostvars"]
for h in ("kvm1", "gen1"):
    assert hv[h]["ansible_user"] == "labctl" and hv[h]["ansible_host"], hv[h]
    assert hv[h]["labctl_kind"] in ("kvm", "generic")
PY
ANSIBLE_HOST_KEY_CHECKING=False ansible all -i "$T/inv.yaml" -m ping >"$T/ping" 2>&1 || say "ansible ping: $(cat "$T/ping")"
[ "$(grep -c SUCCESS "$T/ping")" = 2 ] || say "ansible ping: not 2 successes: $(cat "$T/ping")"
$L inventory "$LAB" --format ini >"$T/inv.ini" || say "inventory --format ini exited $?"
ansible all -i "$T/inv.ini" -m ping >"$T/ping" 2>&1 || say "ansible ping (ini): $(cat "$T/ping")"
# ssh_config works without labctl
ssh -F "$T/state/labs/$LAB/ssh_config" kvm1 true || say "ssh -F ssh_config kvm1 failed"
# the console: type a line, see the login prompt answer
{ sleep 2; printf '\n'; sleep 3; } | timeout 10 $L console "$LAB" gen1 >"$T/console" 2>/dev/null
grep -q 'login:' "$T/console" || say "console: no login prompt: $(tail -c 300 "$T/console")"
# status knows each NIC's address
$L status "$LAB" --json >"$T/st.json" || say "status exited $?"
python3 - "$T/st.json" <<'PY' || say "status --json addresses: $(cat "$T/st.json")"
import json, sys
d = json.load(open(sys.argv[1]))
nodes = {n["name"]: n for n in d["labs"][0]["nodes"]}
assert {a["network"] for a in nodes["kvm1"]["addresses"] if a["ip"]} == {"mgmt", "store"}, nodes
assert [a["network"] for a in nodes["gen1"]["addresses"] if a["ip"]] == ["mgmt"], nodes
PY
$L -q down "$LAB" || say "down exited $?"
ls "$T/state/labs/$LAB" >/dev/null 2>&1 && say "down left $T/state/labs/$LAB: $(ls "$T/state/labs/$LAB")"
virsh -q -c qemu:///system vol-list "$POOL" 2>/dev/null | grep -q "$LAB" && say "down left volumes: $(virsh -q -c qemu:///system vol-list "$POOL")"
[ $fail = 0 ] && echo "access: 2 debian nodes up --wait in $((t1 - t0)) s; ssh, runcmd, /dev/kvm, tiny as an L2 in kvm1, ansible ping (yaml, ini), console, status addresses, down clean"
exit $fail

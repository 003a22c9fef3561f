#!/bin/bash
# End to end on a real libvirtd with QEMU (qemu:///system, started when it
# is not running): a lab of tiny nodes comes up with --wait, each boot line
# shows the nested flag, the nested proof (l2=ok: the L1 ran an L2; l2=none
# without the flag; a contradiction fails up --wait, naming the node) and
# the overlay's disk bytes (virtio and, for the xenserver node, SATA), each
# volume is a qcow2 overlay on the cached base, the domain type follows the
# accel up chose, a second up changes
# nothing, a stopped node is started again, a changed topology is reported
# and --force redefines it, a failing node stops up with its name and
# libvirt's message and down still cleans everything, recreate works, and
# down leaves no domain, network, volume, lease or journal of the lab.
# Usage: test-e2e.sh BIN   (as root; needs images/tiny: make tiny)
set -u
. "$(dirname "$0")/lib.sh"
need_qemu_system
LAB=e2e-$$
POOL=labctl-$LAB
cleanup() {
	down_labs_and_pool "$POOL" "$LAB" "$LAB-p"
}
SUBNET=$("$SRC/tests/free-subnet.py") || exit 1
topo() { # write the lab's topology; $1 goes into a comment, $2 into node plain
	cat >"$T/lab.yaml" <<YAML
# $1
name: $LAB
pool: $POOL
defaults: {image: tiny, memory: 256MiB, disk: 64MiB}
networks:
  mgmt: {mode: nat, subnet: $SUBNET}
nodes:
  hv: {kind: kvm, networks: [mgmt]}
  xs: {kind: xenserver, networks: [mgmt]}
  plain: {kind: generic, nested: false, networks: [mgmt]${2:-}}
YAML
}
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); $1" || say "$2: $(cat "$T/out") $(cat "$T/err")"; }
ids() { for n in hv xs plain; do virsh -c qemu:///system domid "$LAB-$n" 2>/dev/null | head -n 1; done | tr '\n' ' '; }

topo v1
$L --json up "$T/lab.yaml" --wait=240 >"$T/out" 2>"$T/err" || say "up --wait exited $?"
json "
n = {x['name']: x for x in d['nodes']}
assert d['accel'] in ('kvm', 'tcg')
for name, virt in (('hv', 'svm|vmx'), ('xs', 'svm|vmx'), ('plain', 'none')):
    x = n[name]
    assert x['action'] == 'created' and x['booted'], x
    line = x['boot_line']
    assert line.startswith('LABCTL-BOOT-OK node=%s virt=' % name), line
    assert line.split('virt=')[1].split()[0] in virt.split('|'), line
    assert line.endswith('disk=LABCTL-TINY-DISK'), line
" "up --wait: boot lines"
# each disk is a qcow2 overlay on the cached base, not a copy; xs boots from SATA
for n in hv xs plain; do
	virsh -c qemu:///system vol-dumpxml --pool "$POOL" "$LAB-$n.qcow2" >"$T/vol.xml" 2>&1
	python3 -c "
import sys, xml.etree.ElementTree as ET
v = ET.parse('$T/vol.xml').getroot()
assert v.find('target/format').get('type') == 'qcow2', 'not qcow2'
assert v.find('backingStore/path').text == '$T/cache/tiny.qcow2', 'backing store'
assert int(v.find('allocation').text) < 4 << 20, 'allocation'
" || say "$n's volume is not an overlay on the cached base: $(cat "$T/vol.xml")"
done
virsh -c qemu:///system dumpxml "$LAB-xs" | grep -q "<target dev='sda' bus='sata'/>" || say "xs has no SATA disk"
accel=$(python3 -c "import json; print(json.load(open('$T/out'))['accel'])")
want=$([ "$accel" = tcg ] && echo qemu || echo kvm)
virsh -c qemu:///system dumpxml "$LAB-hv" | grep -q "<domain type='$want'" || say "accel $accel but hv is not of type $want"

# the nested proof: each L1 with nested (hv, xs: the default of their kinds)
# ran an L2 through /dev/kvm; plain (nested: false) has no flag and tried none
json "
n = {x['name']: x for x in d['nodes']}
for name, l2 in (('hv', 'ok'), ('xs', 'ok'), ('plain', 'none')):
    assert n[name]['l2'] == l2, n[name]
    assert ' l2=%s ' % l2 in n[name]['boot_line'], n[name]
    assert 'proof_error' not in n[name], n[name]
" "up --wait: l2 proofs"
grep -q "^labctl-l2: ok in " "$T/state/labs/$LAB/hv.log" || say "hv's console has no probe timing: $(cat "$T/state/labs/$LAB/hv.log")"
$L --json status "$LAB" >"$T/out" 2>"$T/err" || say "status exited $?"
json "
l2 = {x['name']: x['l2'] for x in d['labs'][0]['nodes']}
assert l2 == {'hv': 'ok', 'plain': 'none', 'xs': 'ok'}, l2
" "status: l2 per node"

before=$(ids)
$L --json up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "second up exited $?"
json "assert all(x['action'] == 'unchanged' for x in d['nodes']), d" "second up changed something"
[ "$(ids)" = "$before" ] || say "second up replaced domains: $before -> $(ids)"
$L --json status "$LAB" >"$T/out" 2>"$T/err" || say "status exited $?"
json "
l = d['labs'][0]
assert l['name'] == '$LAB' and [x['state'] for x in l['nodes']] == ['running'] * 3, l
" "status"

# up starts nodes paused and resumes them together; a node left paused (an
# up stopped by a second SIGINT, or virsh suspend) is resumed like a stopped one
virsh -q -c qemu:///system destroy "$LAB-xs" >/dev/null
virsh -q -c qemu:///system suspend "$LAB-hv" >/dev/null
$L --json status "$LAB" >"$T/out" 2>"$T/err" || say "status exited $?"
json "
assert [x['state'] for x in d['labs'][0]['nodes']] == ['paused', 'running', 'shut off'], d
" "status of a paused and a stopped node"
$L --json up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up after a stop exited $?"
json "
a = {x['name']: x['action'] for x in d['nodes']}
assert a == {'hv': 'started', 'plain': 'unchanged', 'xs': 'started'}, a
" "up after a stop"
for n in hv xs plain; do
	st=$(virsh -c qemu:///system domstate "$LAB-$n" | head -n 1)
	[ "$st" = running ] || say "after up, $n is $st"
done

# a comment changes the file but no node's XML; more memory changes one node
topo v2
$L --json up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up after a comment changed exited $?"
json "assert all(x['action'] == 'unchanged' for x in d['nodes']), d" "a comment changed nodes"
topo v2 ", memory: 320MiB"
$L --json up "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up of a changed topology exited $?"
json "assert {x['name']: x['action'] for x in d['nodes']} == {'hv': 'unchanged', 'xs': 'unchanged', 'plain': 'changed'}, d" "changed node not reported"
$L --json up --force "$T/lab.yaml" >"$T/out" 2>"$T/err" || say "up --force exited $?"
json "assert {x['name']: x['action'] for x in d['nodes']} == {'hv': 'unchanged', 'xs': 'unchanged', 'plain': 'redefined'}, d" "up --force"

# a node libvirt refuses to start: up names it and libvirt's reason
cat >>"$T/lab.yaml" <<YAML
  broken:
    kind: kvm
    xml: [{set: /domain/devices/emulator, value: /nonexistent/qemu}]
YAML
$L up "$T/lab.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "up with a broken node exited $rc"
grep -q "node broken: " "$T/err" && grep -q "nonexistent/qemu" "$T/err" || say "broken node's error: $(cat "$T/err")"

$L recreate "$T/lab.yaml" >"$T/out" 2>"$T/err" && say "recreate with the broken node succeeded"
topo v3
$L --json recreate "$T/lab.yaml" --wait=240 >"$T/out" 2>"$T/err" || say "recreate exited $?: $(cat "$T/err")"
json "assert all(x['action'] == 'created' and x['booted'] for x in d['nodes']), d" "recreate"

$L down "$LAB" >"$T/out" 2>"$T/err" || say "down exited $?"
left=$(virsh -c qemu:///system list --all --name | grep -c "^$LAB-")
[ "$left" = 0 ] || say "down left $left domains"
virsh -c qemu:///system net-list --all --name | grep -q "^$LAB-" && say "down left a network"
virsh -c qemu:///system vol-list "$POOL" 2>/dev/null | grep -q "$LAB-" && say "down left volumes"
[ -e "$T/state/labs/$LAB" ] && say "down left the journal"
ls "$T/state/leases" 2>/dev/null | grep -q lease && say "down left leases"
$L down "$LAB" >"$T/out" 2>"$T/err" || say "second down exited $?"
# a proof that contradicts nested: fails up --wait naming the node, and the
# lab stays up: hidden's template loses the flag through an xml: tweak while
# nested: true (l2=none), forced's gains it while nested: false (l2=ok)
LAB2=$LAB-p
cat >"$T/proof.yaml" <<YAML
name: $LAB2
pool: $POOL
defaults: {image: tiny, memory: 256MiB, disk: 64MiB}
nodes:
  hidden:
    kind: kvm
    xml: [{set: "/domain/cpu/feature[@name='svm' or @name='vmx']/@policy", value: disable}]
  forced:
    kind: generic
    nested: false
    xml: [{set: "/domain/cpu/feature[@name='svm' or @name='vmx']/@policy", value: require}]
YAML
$L --json up "$T/proof.yaml" --wait=240 >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "up --wait of contradicting proofs exited $rc"
grep -q "node hidden: nested: true wants l2=ok, got l2=none" "$T/err" || say "hidden not named: $(cat "$T/err")"
grep -q "node forced: nested: false wants l2=none, got l2=ok" "$T/err" || say "forced not named: $(cat "$T/err")"
json "
n = {x['name']: x for x in d['nodes']}
assert n['hidden']['booted'] and n['hidden']['l2'] == 'none', n
assert n['forced']['booted'] and n['forced']['l2'] == 'ok', n
assert 'node hidden: ' in n['hidden']['proof_error'], n
" "up --wait --json of contradicting proofs"
for n in hidden forced; do
	st=$(virsh -c qemu:///system domstate "$LAB2-$n" | head -n 1)
	[ "$st" = running ] || say "after a failed proof, $n is $st (the lab should stay up)"
done
$L down "$LAB2" >"$T/out" 2>"$T/err" || say "down $LAB2 exited $?"

[ $fail = 0 ] && echo "e2e: lab up --wait, reconcile, change, failure, recreate and down on qemu:///system"
exit $fail

#!/bin/bash
# Every kind on a real libvirtd (qemu:///system): one node of each kind
# (kvm, xen, hyperv, esxi, xenserver, generic) comes up and prints its boot
# line, hyperv with what this host does not offer dropped (and said); a host
# without swtpm (a capabilities fixture) stops up before anything is
# defined, naming the node; a node whose disk does not exist fails while the
# others run, with the exact summary and exit 1, is redefined once the
# topology is fixed, and with --rollback takes the lab down.
# Usage: test-kinds.sh BIN   (as root; needs images/tiny, swtpm and ovmf)
set -u
BIN=$(realpath "$1")
SRC=$(realpath "${LABCTL_SRCDIR:-.}")
if [ "$(id -u)" != 0 ]; then
	echo "kinds: skipped (needs root for qemu:///system)"
	exit 0
fi
"$SRC/tests/start-libvirt.sh" || exit 1
T=$(mktemp -d)
chmod 755 "$T" # QEMU runs as libvirt-qemu and must reach the cache and pool below
LAB=kinds-$$
POOL=labctl-$LAB
fail=0
cleanup() {
	down_labs_and_pool "$POOL" "$LAB" "$LAB-f" "$LAB-n"
	rm -rf "$T"
}
trap cleanup EXIT
L="$BIN -c qemu:///system --templates $SRC/templates --catalog $SRC/images/catalog.yaml --state-dir $T/state --cache-dir $T/cache"
say() { echo "FAIL $*" >&2; fail=1; }
json() { python3 -c "import json,sys; d=json.load(open('$T/out')); $1" || say "$2: $(cat "$T/out") $(cat "$T/err")"; }
nothing_of() { # LAB: no domain, network or volume of it
	virsh -c qemu:///system list --all --name | grep -q "^$1-" && say "$2: a domain of $1 is defined"
	virsh -c qemu:///system net-list --all --name | grep -q "^$1-" && say "$2: a network of $1 is defined"
	virsh -c qemu:///system vol-list "$POOL" 2>/dev/null | grep -q " $1-[a-z]*\.qcow2" && say "$2: a volume of $1 is left"
}

# ---- one node of every kind, each waited for until its boot line ----
cat >"$T/kinds.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {image: tiny, memory: 256MiB, disk: 64MiB}
nodes:
  kvm: {kind: kvm}
  xen: {kind: xen}
  hyperv: {kind: hyperv}
  esxi: {kind: esxi}
  xenserver: {kind: xenserver}
  generic: {kind: generic}
YAML
# UEFI with SMM under TCG takes hyperv minutes on a loaded 2-core machine
$L --json up "$T/kinds.yaml" --wait=900 >"$T/out" 2>"$T/err" || say "up of every kind exited $?: $(cat "$T/err")"
json "
n = {x['name']: x for x in d['nodes']}
assert sorted(n) == ['esxi', 'generic', 'hyperv', 'kvm', 'xen', 'xenserver'], n
for name, x in n.items():
    assert x['action'] == 'created' and x['booted'], x
    assert x['boot_line'].startswith('LABCTL-BOOT-OK node=%s ' % name), x
    assert x['boot_line'].endswith('disk=LABCTL-TINY-DISK'), x
    assert x['error'] is None if 'error' in x else True
if d['accel'] == 'tcg':
    # QEMU under TCG refuses vpindex; what needs it goes with it
    assert n['hyperv']['dropped'] == ['hyperv.vpindex', 'hyperv.synic', 'hyperv.stimer',
                                      'hyperv.tlbflush', 'hyperv.ipi'], n['hyperv']
for name in ('kvm', 'xen', 'esxi', 'xenserver', 'generic'):
    assert n[name]['dropped'] == [], n[name]
" "every kind boots"
grep -q "^labctl: node hyperv: dropped " "$T/err" && say "--json run printed the drop on stderr: $(cat "$T/err")"
virsh -c qemu:///system dumpxml "$LAB-hyperv" >"$T/hv.xml"
grep -q "<tpm model='tpm-crb'>" "$T/hv.xml" && grep -q "secure='yes'" "$T/hv.xml" ||
	say "hyperv lost a need: $(cat "$T/hv.xml")"
grep -q "<relaxed state='on'/>" "$T/hv.xml" || say "hyperv lost relaxed"
$L down "$LAB" >/dev/null 2>&1 || say "down of every kind exited $?"

# ---- a host without swtpm: up fails before anything is defined, naming the node ----
cat >"$T/needs.yaml" <<YAML
name: $LAB-n
pool: $POOL
defaults: {image: tiny, memory: 128MiB, disk: 64MiB}
nodes:
  plain: {kind: generic}
  win: {kind: hyperv}
YAML
LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-no-tpm.xml" $L up "$T/needs.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 3 ] || say "up without swtpm exited $rc, want 3"
grep -qx "labctl: node win (kind hyperv) needs a TPM 2.0 emulator backend (swtpm), which this host lacks: install swtpm and swtpm-tools (apt-get install swtpm swtpm-tools); libvirt sees them without a restart" "$T/err" ||
	say "up without swtpm: $(cat "$T/err")"
nothing_of "$LAB-n" "up without swtpm"

# ---- a node that cannot start: the others run, the summary is exact, exit 1 ----
failing() { # $1: the bad node's extra keys
	cat >"$T/fail.yaml" <<YAML
name: $LAB-f
pool: $POOL
defaults: {image: tiny, memory: 128MiB, disk: 64MiB}
nodes:
  a: {kind: kvm}
  b: {kind: generic}
  bad:
    kind: generic$1
YAML
}
failing "
    xml:
      - append: /domain/devices
        fragment: \"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/nonexistent/$LAB.qcow2'/><target dev='vdz' bus='virtio'/></disk>\""
$L up "$T/fail.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "up with a failing node exited $rc, want 1"
grep -Eqx "lab $LAB-f: 2 created, 0 started, 0 unchanged, 0 changed, 0 redefined, 1 failed; 0 networks set up, 3 volumes created, 0 IOMMU groups leased; accel (tcg|kvm); [0-9.]+s" "$T/out" ||
	say "summary of a failed up: $(cat "$T/out")"
grep -Eq "^failed: node bad: cannot start domain: .*/nonexistent/$LAB.qcow2" "$T/out" || say "failed node's error not in the summary: $(cat "$T/out")"
grep -Eq "^bad +$LAB-f-bad +failed" "$T/out" || say "bad's line: $(cat "$T/out")"
grep -Eqx "labctl: 1 of 3 nodes failed: node bad: cannot start domain: .*/nonexistent/$LAB.qcow2.*" "$T/err" || say "failed up's error: $(cat "$T/err")"
for n in a b; do
	st=$(virsh -c qemu:///system domstate "$LAB-f-$n" | head -n 1)
	[ "$st" = running ] || say "after a failed up, $n is $st"
done
# again, with --json: the failure in the one document
$L --json up "$T/fail.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "second up with a failing node exited $rc, want 1"
json "
n = {x['name']: x for x in d['nodes']}
assert n['bad']['action'] == 'failed', n['bad']
assert n['bad']['error'].startswith('node bad: cannot start domain: ') and '/nonexistent/$LAB.qcow2' in n['bad']['error'], n['bad']
assert n['a']['action'] == 'unchanged' and n['b']['action'] == 'unchanged', n
" "up --json with a failing node"
# the tweak removed: the node that never ran is redefined without --force
failing ""
$L --json up "$T/fail.yaml" >"$T/out" 2>"$T/err" || say "up after the fix exited $?: $(cat "$T/err")"
json "
n = {x['name']: x['action'] for x in d['nodes']}
assert n == {'a': 'unchanged', 'b': 'unchanged', 'bad': 'redefined'}, n
" "up after the fix converges"
st=$(virsh -c qemu:///system domstate "$LAB-f-bad" | head -n 1)
[ "$st" = running ] || say "after the fix, bad is $st"
$L down "$LAB-f" >/dev/null 2>&1 || say "down of the failing lab exited $?"

# ---- --rollback: all or nothing ----
failing "
    xml:
      - append: /domain/devices
        fragment: \"<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='/nonexistent/$LAB.qcow2'/><target dev='vdz' bus='virtio'/></disk>\""
$L up --rollback "$T/fail.yaml" >"$T/out" 2>"$T/err"
rc=$?
[ $rc = 1 ] || say "up --rollback exited $rc, want 1"
grep -Eqx "lab $LAB-f rolled back \(--rollback\): 3 domains, 0 networks, 3 volumes removed, 0 leases released" "$T/out" ||
	say "up --rollback summary: $(cat "$T/out")"
nothing_of "$LAB-f" "up --rollback"
[ -e "$T/state/labs/$LAB-f/journal" ] && say "up --rollback left the journal"

[ $fail = 0 ] && echo "kinds: every kind booted; needs checked before defining; a failing node reported, converged, rolled back"
exit $fail

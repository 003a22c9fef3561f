#!/bin/sh
# The command line as a user meets it: exit codes, silence, messages with
# file:line:col, render -o file names, --json. Usage: test-cli.sh BIN
set -u
. "$(dirname "$0")/lib.sh"

expect() { # NAME WANT_RC WANT_STDERR_SUBSTRING COMMAND...
	name=$1 want=$2 msg=$3
	shift 3
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if [ "$rc" != "$want" ]; then
		echo "FAIL $name: exit $rc, want $want; stderr: $(cat "$T/err")" >&2
		fail=1
	elif [ -n "$msg" ] && ! grep -qF -- "$msg" "$T/err"; then
		echo "FAIL $name: stderr lacks '$msg': $(cat "$T/err")" >&2
		fail=1
	elif [ -z "$msg" ] && [ -s "$T/err" ]; then
		echo "FAIL $name: unexpected stderr: $(cat "$T/err")" >&2
		fail=1
	fi
}

# -q: the shipped demo puts kind xen on tiny, which validate warns about
for f in "$SRC"/topologies/*.yaml; do
	expect "validate $(basename "$f")" 0 "" $L -q validate "$f"
	[ -s "$T/out" ] && { echo "FAIL validate $(basename "$f") printed something" >&2; fail=1; }
done
# a kind: xen node on an image that is not a Xen host: a warning, exit 0
expect "validate xen on tiny" 0 "$SRC/topologies/demo.yaml:6:10: warning: node \"xen1\": kind xen on image \"tiny\", which is not a Xen host (its catalog entry says hypervisor: kvm)" $L validate "$SRC/topologies/demo.yaml"
[ "$(wc -l <"$T/err")" = 1 ] || { echo "FAIL validate xen on tiny: want 1 line, got: $(cat "$T/err")" >&2; fail=1; }
printf 'name: x\nnodes:\n  x1: {kind: xen, image: debian-xen}\n' >"$T/xen.yaml"
expect "validate xen on debian-xen" 0 "" $L validate "$T/xen.yaml"
printf 'name: x\nnodes:\n  x1: {kind: xen, image: debian-xen, firmware: uefi}\n' >"$T/xen-uefi.yaml"
expect "validate debian-xen under uefi" 2 "$T/xen-uefi.yaml:3:48: node \"x1\": firmware uefi cannot boot image \"debian-xen\": its disk boots with BIOS" $L validate "$T/xen-uefi.yaml"

printf 'name: x\nnodes:\n  kvm1:\n    memroy: 4GiB\n    kind: kvm\n  b:\n    vcpus: 0\n' >"$T/bad.yaml"
expect "validate bad" 2 "$T/bad.yaml:4:5: node \"kvm1\": unknown key \"memroy\" (did you mean \"memory\"?)" $L validate "$T/bad.yaml"
[ "$(wc -l <"$T/err")" = 2 ] || { echo "FAIL validate bad: want 2 lines, got: $(cat "$T/err")" >&2; fail=1; }
expect "validate missing file" 2 "cannot open '$T/none.yaml'" $L validate "$T/none.yaml"
: >"$T/empty.yaml"
expect "validate empty" 2 "$T/empty.yaml:1:1: topology: the file is empty" $L validate "$T/empty.yaml"
printf 'name: x\nnodes: {a: *b}\n' >"$T/alias.yaml"
expect "validate alias" 2 "$T/alias.yaml:2:12: alias \"*b\" refers to no anchor" $L validate "$T/alias.yaml"
printf '\377\376garbage' >"$T/bin.yaml"
expect "validate binary" 2 "$T/bin.yaml:" $L validate "$T/bin.yaml"
expect "no command" 2 "usage: labctl" $L
expect "unknown command" 2 "unknown command 'frobnicate'" $L frobnicate
expect "validate usage" 2 "usage: labctl validate TOPOLOGY" $L validate
expect "missing templates" 1 "templates: cannot open directory '$T/none'" $BIN --templates "$T/none" --catalog "$SRC/images/catalog.yaml" validate "$SRC/topologies/demo.yaml"

# render -o writes LAB-NODE.xml and LAB-NET.network.xml, and nothing half-done on failure
expect "render -o" 0 "" $L -c test:///default render "$SRC/topologies/demo.yaml" -o "$T/r"
for f in demo-kvm1.xml demo-xen1.xml demo-plain.xml demo-mgmt.network.xml demo-kvm1.qcow2.volume.xml; do
	[ -s "$T/r/$f" ] || { echo "FAIL render -o: $f missing" >&2; fail=1; }
done
expect "render invalid" 2 "$T/bad.yaml:4:5" $L -c test:///default render "$T/bad.yaml" -o "$T/r2"
[ -e "$T/r2" ] && { echo "FAIL render invalid created $T/r2" >&2; fail=1; }
# an expiry past the year 9999 has no ISO 8601 date to carry in the metadata
# issue 15 #3: a ttl is at most 10 years, refused at parse time with its
# position (the render-time check for the year 9999 stays behind it)
printf 'name: x\nttl: 3000000d\nnodes: {a: {}}\n' >"$T/farttl.yaml"
expect "render ttl past 10 years" 2 "$T/farttl.yaml:2:6: topology: \"ttl\": bad duration \"3000000d\": longer than 10 years (3650d)" $L -c test:///default render "$T/farttl.yaml"
printf 'name: x\nttl: 99999999999d\nnodes: {a: {}}\n' >"$T/farttl.yaml"
expect "render ttl past time_t" 2 "$T/farttl.yaml:2:6: topology: \"ttl\": bad duration \"99999999999d\": longer than 10 years (3650d)" $L -c test:///default render "$T/farttl.yaml"
printf 'name: x\nttl: 3650d\nnodes: {a: {}}\n' >"$T/longttl.yaml"
expect "render ttl of 10 years" 0 "" $L -c test:///default render "$T/longttl.yaml"
grep -q 'expires="20[0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}Z"' "$T/out" || { echo "FAIL render ttl of 10 years: no ISO 8601 expiry" >&2; fail=1; }
expect "render stdout" 0 "" $L -c test:///default render "$SRC/topologies/demo.yaml"
grep -q '^<!-- demo-kvm1.xml -->$' "$T/out" || { echo "FAIL render stdout: no separator" >&2; fail=1; }
expect "render json" 0 "" $L -c test:///default --json render "$SRC/topologies/demo.yaml"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lab"]=="demo"; assert any(o["type"]=="domain" and o["name"]=="demo-kvm1" for o in d["objects"])' "$T/out" ||
	{ echo "FAIL render json: not the expected JSON" >&2; fail=1; }
# domain capabilities (issue 18): fixtures through LABCTL_TEST_DOMCAPS, on any driver
printf 'name: hv\nnodes:\n  h: {kind: hyperv}\n  k: {kind: kvm}\n' >"$T/hv.yaml"
expect "render hyperv tcg caps" 0 "labctl: node h: dropped hyperv.vpindex, hyperv.synic, hyperv.stimer, hyperv.tlbflush, hyperv.ipi: not offered by this host" \
	env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-tcg.xml" $L -c test:///default render "$T/hv.yaml"
[ "$(wc -l <"$T/err")" = 1 ] || { echo "FAIL render hyperv tcg caps: want 1 stderr line: $(cat "$T/err")" >&2; fail=1; }
grep -q vpindex "$T/out" && { echo "FAIL render hyperv tcg caps: vpindex rendered" >&2; fail=1; }
expect "render hyperv tcg caps json" 0 "" env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-tcg.xml" $L -c test:///default -q --json render "$T/hv.yaml"
python3 - "$T/out" <<'PY' || { echo "FAIL render --json dropped: $(cat "$T/out")" >&2; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
dom = {o["name"]: o for o in d["objects"] if o["type"] == "domain"}
assert dom["hv-h"]["dropped"] == ["hyperv.vpindex", "hyperv.synic", "hyperv.stimer", "hyperv.tlbflush", "hyperv.ipi"], dom["hv-h"]["dropped"]
assert dom["hv-k"]["dropped"] == []
assert all("dropped" not in o for o in d["objects"] if o["type"] != "domain")
PY
expect "render hyperv kvm caps" 0 "" env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-kvm.xml" $L -c test:///default render "$T/hv.yaml"
expect "render no caps" 0 "" $L -c test:///default render "$T/hv.yaml"
grep -q '<vpindex state="on"/>' "$T/out" || { echo "FAIL render no caps: vpindex filtered" >&2; fail=1; }
expect "render no caps -v" 0 "test:///default gives no domain capabilities for qemu, machine q35: this function is not supported by the connection driver: virConnectGetDomainCapabilities: no Hyper-V enlightenment or CPU feature is filtered, every need is taken as met" \
	$L -c test:///default -v render "$T/hv.yaml"
expect "render needs unmet" 0 "labctl: warning: node h (kind hyperv) needs a TPM 2.0 emulator backend (swtpm), which this host lacks: install swtpm and swtpm-tools" \
	env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-no-tpm.xml" $L -c test:///default render "$T/hv.yaml"
expect "up needs unmet" 3 "labctl: node h (kind hyperv) needs secure-boot EFI firmware (OVMF's secboot build), which this host lacks: install ovmf (apt-get install ovmf)" \
	env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-no-secboot.xml" $L -c test:///default up "$T/hv.yaml"
[ -s "$T/out" ] && { echo "FAIL up needs unmet printed: $(cat "$T/out")" >&2; fail=1; }
printf 'name: hv\ndefaults: {require: [hyperv.vpindex, cpu.avx2]}\nnodes:\n  h: {kind: hyperv}\n' >"$T/req.yaml"
expect "render require" 3 "labctl: node h: hyperv.vpindex is required (require:) but this host does not offer it under tcg (libvirt's domain capabilities for qemu, machine pc-q35-7.2)" \
	env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-tcg.xml" $L -c test:///default render "$T/req.yaml"
expect "up require" 3 "labctl: node h: hyperv.vpindex is required (require:)" \
	env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-tcg.xml" $L -c test:///default up "$T/req.yaml"
expect "up require kvm caps" 0 "" env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-kvm.xml" $L -c test:///default -q render "$T/req.yaml"
printf 'name: hv\nnodes:\n  h:\n    kind: hyperv\n    require: [hyperv.vpindx, tpm, cpu.]\n' >"$T/badreq.yaml"
expect "validate require" 2 "$T/badreq.yaml:5:15: node \"h\": \"require\": unknown Hyper-V enlightenment \"vpindx\"" $L validate "$T/badreq.yaml"
grep -qF "$T/badreq.yaml:5:30: node \"h\": \"require\": \"tpm\" must be hyperv.NAME or cpu.NAME" "$T/err" &&
	grep -qF "$T/badreq.yaml:5:35: node \"h\": \"require\": \"cpu.\" must be" "$T/err" ||
	{ echo "FAIL validate require: $(cat "$T/err")" >&2; fail=1; }
expect "up usage" 2 "usage: labctl up TOPOLOGY [-j N] [--wait[=SECS]] [--force] [--rollback]" $L up
expect "render no libvirt" 1 "cannot connect to libvirt at 'nosuch:///'" $L -c nosuch:/// render "$SRC/topologies/demo.yaml"

# host vfs, up and down against a fixture host (test:///default lives in one process)
V="$L -c test:///default --sysfs $SRC/tests/out/sysfs/host-shared"
expect "host vfs" 0 "" $V host vfs
grep -q '^0000:3b:02.0 .* host-shared .*IOMMU group 1 also holds 0000:3b:00.0' "$T/out" ||
	{ echo "FAIL host vfs: no host-shared line: $(cat "$T/out")" >&2; fail=1; }
expect "host vfs json" 0 "" $V --json host vfs
cp "$T/out" "$T/host-vfs.json"
python3 - "$T/out" <<'PY' || { echo "FAIL host vfs --json: $(cat "$T/out")" >&2; fail=1; }
import json, sys
d = json.load(open(sys.argv[1]))
keys = {"address", "pf", "pf_netdev", "index", "vendor", "device", "iommu_group", "numa_node",
        "state", "lab", "node", "reason"}
assert len(d["vfs"]) == 4 and all(keys <= set(v) for v in d["vfs"])
assert [v["state"] for v in d["vfs"]] == ["host-shared", "host-shared", "free", "free"]
assert d["vfs"][2]["pf_netdev"] == "enp59s0f0" and d["vfs"][2]["index"] == 2
PY
expect "host vfs without sysfs" 1 "PCI inventory: cannot open '$T/none/bus/pci/devices'" $L -c test:///default --sysfs "$T/none" host vfs
# --inventory libvirt: the same fixture host as libvirt's node devices, a
# test-driver host (mksysfs.py --nodedev), shows the same VFs as its sysfs
# tree; --sysfs points nowhere, so nothing comes from there
N="test://$SRC/tests/out/sysfs/host-shared.nodedev.xml"
expect "host vfs --inventory libvirt" 0 "" $L -c "$N" --inventory libvirt --sysfs "$T/none" --json host vfs
cmp -s "$T/out" "$T/host-vfs.json" || { echo "FAIL host vfs --inventory libvirt: $(diff "$T/out" "$T/host-vfs.json")" >&2; fail=1; }
expect "host vfs --inventory after the command" 0 "" $L -c "$N" --sysfs "$T/none" --json host vfs --inventory=libvirt
cmp -s "$T/out" "$T/host-vfs.json" || { echo "FAIL host vfs --inventory=libvirt after the command differs" >&2; fail=1; }
# a URI naming no host (test:///FILE) is this machine: sysfs unless told
expect "host vfs, local URI reads sysfs" 1 "PCI inventory: cannot open '$T/none/bus/pci/devices'" $L -c "$N" --sysfs "$T/none" host vfs
expect "host vfs --inventory sysfs" 1 "PCI inventory: cannot open '$T/none/bus/pci/devices'" $L -c "$N" --inventory sysfs --sysfs "$T/none" host vfs
expect "--inventory bad" 2 "labctl: --inventory: 'nodedev' is neither sysfs nor libvirt" $L --inventory nodedev host vfs
expect "--inventory no value" 2 "option '--inventory' needs a value" $L host vfs --inventory
expect "host vfs --inventory libvirt, unreachable" 1 "labctl: VF inventory from libvirt: cannot connect to libvirt at 'nosuch:///'" $L -c nosuch:/// --inventory libvirt host vfs
expect "host prepare --inventory libvirt" 2 "host prepare: it changes this machine through sysfs; --inventory libvirt does not apply" $L --inventory libvirt host prepare --dry-run
# host check reads the SR-IOV PFs and groups where host vfs would, and says ACS went unchecked
HG="$SRC/tests/out/hosts/intel-good"
expect "host check --inventory libvirt" 0 "" $L -c "$N" --inventory libvirt --sysfs "$HG/sys" --procfs "$HG/proc" --devfs "$HG/dev" host check
grep -q '^PASS  sriov .*0000:3b:00.0 enp59s0f0 4/8 VFs' "$T/out" &&
	grep -q '^WARN  acs .*not checked on 1 SR-IOV PF: the PCI inventory comes from libvirt' "$T/out" &&
	grep -q '^WARN  iommu-groups .*of 4 VFs, 2 share an IOMMU group with a host device' "$T/out" ||
	{ echo "FAIL host check --inventory libvirt: $(cat "$T/out")" >&2; fail=1; }
# host vfs --host NAME TOPOLOGY: that host's URI from hosts:, not -c's
printf 'name: h\nhosts: {b: "%s", c: "qemu+tcp://127.0.0.1:1/system"}\nnodes: {a: {}}\n' "$N" >"$T/hosts-vfs.yaml"
expect "host vfs --host" 0 "" $L -c nosuch:/// --inventory libvirt --sysfs "$T/none" --json host vfs --host b "$T/hosts-vfs.yaml"
cmp -s "$T/out" "$T/host-vfs.json" || { echo "FAIL host vfs --host b: $(cat "$T/out")" >&2; fail=1; }
# a URI naming a host is read through libvirt by default: c's daemon is not there
expect "host vfs --host, remote by default" 1 "labctl: VF inventory from libvirt: cannot connect to libvirt at 'qemu+tcp://127.0.0.1:1/system'" $L -c test:///default host vfs --host c "$T/hosts-vfs.yaml"
expect "host vfs --host unknown" 2 "labctl: host vfs: '$T/hosts-vfs.yaml' names no host 'd' (its hosts: b, c)" $L -c test:///default host vfs --host d "$T/hosts-vfs.yaml"
expect "host vfs --host without topology" 2 "host vfs: --host NAME and a TOPOLOGY go together" $L -c test:///default host vfs --host b
expect "host vfs topology without --host" 2 "host vfs: --host NAME and a TOPOLOGY go together" $L -c test:///default host vfs "$T/hosts-vfs.yaml"
expect "host vfs --host bad topology" 2 "$T/bad.yaml:4:5" $L -c test:///default host vfs --host b "$T/bad.yaml"
printf 'name: short\nvf_pools: {x: {match: ["8086:154c"]}}\nnodes:\n  a: {vfs: [{pool: x, count: 3}]}\n' >"$T/short.yaml"
expect "up shortage" 3 "pool x: node a needs 3 VFs; 2 free of 4 (2 share an IOMMU group with a host device)" $V up "$T/short.yaml"
[ -z "$(ls "$T/state/leases" 2>/dev/null | grep lease)" ] || { echo "FAIL up shortage left leases" >&2; fail=1; }
# issue 15 #2: a shortage writes nothing to the state dir, so status lists no lab
[ -e "$T/state/labs/short" ] && { echo "FAIL up shortage wrote a journal" >&2; fail=1; }
printf 'name: nomatch\nvf_pools: {p: {match: ["15b3:1018"], pf: [ens9]}}\nnodes:\n  a: {vfs: [{pool: p, count: 2}]}\n' >"$T/nomatch.yaml"
expect "pool matching no VF" 3 "no VF matches pool p: match 15b3:1018, pf ens9 found none on this host (node a needs 2)" $V up "$T/nomatch.yaml"
printf 'name: fits\nvf_pools: {x: {match: ["8086:154c"]}}\nnodes:\n  a: {vfs: [{pool: x, count: 2}]}\n' >"$T/fits.yaml"
expect "up" 0 "" $V up "$T/fits.yaml"
[ "$(ls "$T/state/leases" | grep -c lease)" = 2 ] || { echo "FAIL up: want 2 leases" >&2; fail=1; }
expect "down by topology" 0 "" $V down "$T/fits.yaml"
grep -q "2 leases released" "$T/out" || { echo "FAIL down: $(cat "$T/out")" >&2; fail=1; }
expect "down again" 0 "" $V down fits
expect "down nonsense" 2 "'$T/nope.yaml' is neither a lab name nor a readable topology file" $V down "$T/nope.yaml"

# host check: exit 3 on a FAIL, --json shape; host prepare on a writable fixture host
H="$SRC/tests/out/hosts"
hc() { echo -c test:///default --sysfs "$H/$1/sys" --procfs "$H/$1/proc" --devfs "$H/$1/dev"; }
# shellcheck disable=SC2046
expect "host check good" 0 "" $L $(hc intel-good) host check
# the fixture's dev/kvm belongs to whoever built it
own=$(stat -c %U:%G "$H/intel-good/dev/kvm")
grep -q "^PASS  kvm-device    /dev/kvm from kvm_intel, $own 0666$" "$T/out" || { echo "FAIL host check good: $(cat "$T/out")" >&2; fail=1; }
# shellcheck disable=SC2046
expect "host check, /dev/kvm 0600" 0 "" $L $(hc kvm600) --json host check
python3 -c "
import json, sys
c = {x['id']: x for x in json.load(open(sys.argv[1]))['checks']}
assert c['kvm-device']['result'] == 'WARN' and sys.argv[2] + ' 0600' in c['kvm-device']['detail'], c
" "$T/out" "$(stat -c %U:%G "$H/kvm600/dev/kvm")" || { echo "FAIL host check kvm600: $(cat "$T/out")" >&2; fail=1; }
# shellcheck disable=SC2046
expect "host check bad" 3 "host check: 2 checks failed" $L $(hc intel-bad) --json host check
python3 - "$T/out" <<'PY' || { echo "FAIL host check --json: $(cat "$T/out")" >&2; fail=1; }
import json, sys
c = {x["id"]: x for x in json.load(open(sys.argv[1]))["checks"]}
assert list(c) == ["cpu-virt", "kvm-device", "nested", "shadow-vmcs", "iommu", "acs", "sriov",
                   "iommu-groups", "ignore-msrs", "libvirt", "tpm-emulator", "efi-firmware",
                   "secure-boot"], list(c)
assert c["nested"]["result"] == "FAIL" and "kvm-intel nested=1" in c["nested"]["fix"]
assert c["libvirt"] == {"id": "libvirt", "result": "PASS", "detail": "test:///default answers", "fix": None}
# the test driver gives no domain capabilities: each need is taken as met
assert c["tpm-emulator"]["result"] == "PASS" and "(kinds hyperv): not known" in c["tpm-emulator"]["detail"], c
PY
# a host without swtpm still passes for the other kinds: a warning naming them
# shellcheck disable=SC2046
expect "host check no swtpm" 0 "" env LABCTL_TEST_DOMCAPS="$SRC/tests/fixtures/domcaps-no-tpm.xml" $L $(hc amd-good) host check
grep -qx "WARN  tpm-emulator  missing a TPM 2.0 emulator backend (swtpm): kinds hyperv cannot start" "$T/out" &&
	grep -q "fix: install swtpm and swtpm-tools (apt-get install swtpm swtpm-tools)" "$T/out" ||
	{ echo "FAIL host check no swtpm: $(cat "$T/out")" >&2; fail=1; }
cp -a "$H/intel-bad" "$T/host"
printf '2\n' >"$T/host/sys/devices/pci0000:d7/0000:d7:00.0/0000:d8:00.1/sriov_numvfs"
HP="$L --sysfs $T/host/sys --procfs $T/host/proc host prepare --modprobe-dir $T/modprobe"
expect "prepare dry-run" 0 "" $HP --dry-run --pf ens1f0=4 --pf ens1f1
grep -q "would write bus/pci/devices/0000:d8:00.1/sriov_numvfs: 0" "$T/out" || { echo "FAIL prepare dry-run: $(cat "$T/out")" >&2; fail=1; }
[ -e "$T/modprobe" ] && { echo "FAIL prepare dry-run wrote $T/modprobe" >&2; fail=1; }
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.0/sriov_numvfs")" = 0 ] || { echo "FAIL prepare dry-run changed a PF" >&2; fail=1; }
printf 'name: p\nvf_pools: {x: {pf: ["ens1f1#0-3"]}}\nnodes: {a: {}}\n' >"$T/prep.yaml"
expect "prepare" 0 "" $HP --pf ens1f0=4 "$T/prep.yaml"
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.0/sriov_numvfs")" = 4 ] || { echo "FAIL prepare: ens1f0 not 4" >&2; fail=1; }
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.1/sriov_numvfs")" = 8 ] || { echo "FAIL prepare: ens1f1 (from the topology) not 8" >&2; fail=1; }
grep -q "write bus/pci/devices/0000:d8:00.1/sriov_numvfs: 0" "$T/out" || { echo "FAIL prepare: ens1f1 not reset to 0 first: $(cat "$T/out")" >&2; fail=1; }
grep -qx "options kvm-intel nested=1 enable_shadow_vmcs=1" "$T/modprobe/labctl-kvm.conf" || { echo "FAIL prepare: modprobe.d" >&2; fail=1; }
expect "prepare again" 0 "" $HP --pf ens1f0=4
grep -q "ens1f0 (0000:d8:00.0): 4 VFs already" "$T/out" && grep -q "already as needed" "$T/out" || { echo "FAIL prepare again: $(cat "$T/out")" >&2; fail=1; }
expect "prepare too many" 2 "ens1f0 offers at most 8 VFs, not 9" $HP --pf ens1f0=9
expect "prepare unknown pf" 3 "no SR-IOV PF with netdev 'eth9'" $HP --pf eth9
# =0 removes the VFs (a bare name means all the PF offers)
expect "prepare =0" 0 "" $HP --pf ens1f0=0
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.0/sriov_numvfs")" = 0 ] || { echo "FAIL prepare =0: ens1f0 not 0: $(cat "$T/out")" >&2; fail=1; }
# a two-digit count down to one digit: the file holds 4, not 46
printf '16\n' >"$T/host/sys/bus/pci/devices/0000:d8:00.1/sriov_totalvfs"
printf '16\n' >"$T/host/sys/bus/pci/devices/0000:d8:00.1/sriov_numvfs"
expect "prepare 16 to 4" 0 "" $HP --pf ens1f1=4
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.1/sriov_numvfs")" = 4 ] || { echo "FAIL prepare 16 to 4: $(cat "$T/host/sys/bus/pci/devices/0000:d8:00.1/sriov_numvfs")" >&2; fail=1; }
for n in abc 4x -1 "" " 4" 4294967296; do
	expect "prepare --pf ens1f0='$n'" 2 "--pf 'ens1f0=$n': '$n' is not a VF count" $HP --pf "ens1f0=$n"
done
expect "prepare --pf twice" 2 "--pf 'ens1f0': given twice with different counts" $HP --pf ens1f0=2 --pf ens1f0=3
# a wrong PF changes nothing: no modprobe.d file, no count
HQ="$L --sysfs $T/host/sys --procfs $T/host/proc host prepare --modprobe-dir $T/modprobe2"
expect "prepare unknown pf, nothing done" 3 "no SR-IOV PF with netdev 'eth9'" $HQ --pf ens1f0=2 --pf eth9
expect "prepare too many, nothing done" 2 "ens1f1 offers at most 16 VFs, not 17" $HQ --pf ens1f0=2 --pf ens1f1=17
[ -e "$T/modprobe2" ] && { echo "FAIL prepare with a wrong PF wrote $T/modprobe2" >&2; fail=1; }
[ "$(cat "$T/host/sys/bus/pci/devices/0000:d8:00.0/sriov_numvfs")" = 0 ] || { echo "FAIL prepare with a wrong PF changed ens1f0" >&2; fail=1; }
# a Hygon CPU is AMD's: kvm-amd's options
expect "prepare hygon" 0 "" $L --sysfs "$H/hygon/sys" --procfs "$H/hygon/proc" host prepare --dry-run --modprobe-dir "$T/modprobe-hygon"
grep -qx "options kvm-amd nested=1" "$T/out" || { echo "FAIL prepare hygon: $(cat "$T/out")" >&2; fail=1; }
# roots that are not there are named, not reported as a host with nothing
expect "host check, no sysfs root" 1 "cannot use '$T/none' as the sysfs root" $L -c test:///default --sysfs "$T/none" host check
expect "host check, no procfs root" 1 "cannot use '$T/none' as the procfs root" $L -c test:///default --sysfs "$H/intel-good/sys" --procfs "$T/none" host check
expect "prepare, no procfs root" 1 "cannot use '$T/none' as the procfs root" $L --sysfs "$T/host/sys" --procfs "$T/none" host prepare --dry-run --modprobe-dir "$T/modprobe3"
# host vfs without libvirt: VFs its domains hold cannot be known, and it says so
expect "host vfs, libvirt unreachable" 0 "labctl: warning: libvirt at 'nosuch:///' cannot be asked" $L -c nosuch:/// --sysfs "$SRC/tests/out/sysfs/host-shared" --json host vfs
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["busy_known"] is False and len(d["vfs"]) == 4, d' "$T/out" ||
	{ echo "FAIL host vfs unreachable --json: $(cat "$T/out")" >&2; fail=1; }
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "busy_known" not in d, d' "$T/host-vfs.json" ||
	{ echo "FAIL host vfs --json with libvirt has busy_known" >&2; fail=1; }

# graph: DOT that Graphviz reads, with every node, network, planned VF under
# its PF and whole device of the lab
G="$L -c test:///default"
expect "graph cx5-vfs" 0 "" $G --sysfs "$SRC/tests/out/sysfs/isolated" graph "$SRC/topologies/cx5-vfs.yaml"
cp "$T/out" "$T/cx5.dot"
dot -Tcanon "$T/cx5.dot" >"$T/cx5.canon" 2>"$T/err" || { echo "FAIL graph: dot refuses it: $(cat "$T/err")" >&2; fail=1; }
for want in '"node:kvm1" -- "net:mgmt"' 'subgraph "cluster_0000:d8:00.0"' 'label="PF ens1f1 0000:d8:00.1"' \
	'"node:kvm1" -- "dev:0000:d8:00.2" [label="02:02:9d:f3:0a:0c\nVLAN 100"]'; do
	grep -qF -- "$want" "$T/cx5.dot" || { echo "FAIL graph cx5-vfs lacks: $want" >&2; fail=1; }
done
# the same VF edges as render's hostdev interfaces: four, one per planned VF
[ "$(grep -c -- '-- "dev:' "$T/cx5.dot")" = 4 ] || { echo "FAIL graph cx5-vfs: not 4 VF edges" >&2; fail=1; }
expect "graph kinds" 0 "" $G --catalog "$SRC/tests/fixtures/catalog.yaml" --sysfs "$SRC/tests/out/sysfs/kinds" graph "$SRC/tests/fixtures/kinds.yaml"
grep -qF '"dev:0000:3b:00.0" [shape=component' "$T/out" || { echo "FAIL graph kinds: no whole device" >&2; fail=1; }
dot -Tcanon "$T/out" >/dev/null 2>"$T/err" || { echo "FAIL graph kinds: dot refuses it: $(cat "$T/err")" >&2; fail=1; }
expect "graph short" 3 "no VF matches pool cx5: match 15b3:1018, pf ens1f0 ens1f1#0-3 found none on this host (node kvm1 needs 2)" $G --sysfs "$SRC/tests/out/sysfs/host-shared" graph "$SRC/topologies/cx5-vfs.yaml"
expect "graph usage" 2 "usage: labctl graph TOPOLOGY" $G graph

# issue 15 #6: relative path options are made absolute once, so no relative
# path reaches the XML (console log, kernel, backing store), and a relative
# cdrom is the topology's neighbour, absolute
mkdir -p "$T/rel/sub" && : >"$T/rel/sub/x.iso"
printf 'name: rel\nnodes:\n  a: {image: tiny, cdrom: x.iso}\n' >"$T/rel/sub/rel.yaml"
(cd "$T/rel" && $BIN -c test:///default --templates "$(realpath "$SRC")/templates" \
	--catalog "$(realpath "$SRC")/images/catalog.yaml" --state-dir st --cache-dir cache \
	render sub/rel.yaml >"$T/rel.out" 2>"$T/err") || { echo "FAIL relative options: $(cat "$T/err")" >&2; fail=1; }
for want in "<log file=\"$T/rel/st/labs/rel/a.log\"" "<kernel>$T/rel/cache/tiny.kernel</kernel>" \
	"<source file=\"$T/rel/sub/x.iso\"/>"; do
	grep -qF -- "$want" "$T/rel.out" || { echo "FAIL relative options: no $want" >&2; fail=1; }
done
grep -E '(file|<kernel>|<initrd>|<path>)[=>]"?[^/"]' "$T/rel.out" | grep -v "^ *<path>/" &&
	{ echo "FAIL relative options: a relative path in the XML" >&2; fail=1; }
# validate and up read cdrom and boot files; render and graph (previews) do not
printf 'name: rel\nnodes:\n  a: {cdrom: /nonexistent/x.iso, boot: {kernel: /nonexistent/k}}\n' >"$T/files.yaml"
expect "validate unreadable cdrom" 2 "$T/files.yaml:3:14: node \"a\": cdrom: cannot read '/nonexistent/x.iso': No such file or directory" $L validate "$T/files.yaml"
grep -qF "$T/files.yaml:3:49: node \"a\": boot kernel: cannot read '/nonexistent/k'" "$T/err" ||
	{ echo "FAIL validate unreadable kernel: $(cat "$T/err")" >&2; fail=1; }
expect "render unreadable cdrom" 0 "" $L -c test:///default render "$T/files.yaml"
printf 'name: net\nnetworks:\n  p: {mode: nat, subnet: 8.8.8.0/24}\n  l: {mode: isolated, subnet: 127.1.0.0/16}\n  k: {mode: isolated, subnet: 169.254.3.0/24}\nnodes: {a: {}}\n' >"$T/net.yaml"
expect "public subnet" 2 "$T/net.yaml:3:26: network \"p\": subnet \"8.8.8.0/24\" is not private: use a private range (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16)" $L validate "$T/net.yaml"
grep -qF "$T/net.yaml:4:31: network \"l\": subnet \"127.1.0.0/16\" is loopback" "$T/err" &&
	grep -qF "$T/net.yaml:5:31: network \"k\": subnet \"169.254.3.0/24\" is link-local" "$T/err" ||
	{ echo "FAIL loopback/link-local subnet: $(cat "$T/err")" >&2; fail=1; }

# issue 14: nodes placed on hosts. validate accepts a host other than the
# connection's; a nat or isolated network cannot span hosts (bridge may);
# up names a host it cannot reach; a host whose URI is the connection's is it.
printf 'name: h\nhosts: {b: "qemu+ssh://root@b/system", me: "test:///default"}\nnodes:\n  a: {host: b}\n  c: {host: me}\n' >"$T/hosts.yaml"
expect "host elsewhere" 0 "" $L -c test:///default validate "$T/hosts.yaml"
printf 'name: h\nhosts: {b: "qemu+ssh://root@b/system"}\nnetworks:\n  m: {mode: nat, subnet: 10.9.0.0/24}\n  s: {mode: isolated}\n  w: {mode: bridge, bridge: br0}\nnodes:\n  a: {host: b, networks: [m, s, w]}\n  c: {networks: [m, w]}\n  d: {host: b, networks: [s]}\n' >"$T/span.yaml"
expect "network spans hosts" 2 "$T/span.yaml:4:3: network \"m\": mode nat cannot span hosts (node \"a\" is on b, node \"c\" on the connection's host): the hosts' bridges are not joined; use mode: bridge on a bridge the hosts share, or place the nodes on one host" $L -c test:///default validate "$T/span.yaml"
[ "$(wc -l <"$T/err")" = 1 ] || { echo "FAIL network spans hosts: more than the nat network refused: $(cat "$T/err")" >&2; fail=1; }
printf 'name: h%s\nhosts: {b: "qemu+unix:///system?socket=%s/none"}\nnodes:\n  a: {host: b}\n  c: {}\n' $$ "$T" >"$T/unreach.yaml"
expect "host unreachable" 1 "node a: host b: cannot connect to libvirt at 'qemu+unix:///system?socket=$T/none'" $L -c test:///default --state-dir "$T/st-unreach" up "$T/unreach.yaml"
[ ! -e "$T/st-unreach/labs/h$$" ] || { echo "FAIL host unreachable: a journal was written" >&2; fail=1; }
printf 'name: me%s\nhosts: {me: "test:///default"}\nnodes:\n  a: {host: me}\n  c: {}\n' $$ >"$T/me.yaml"
expect "host is the connection" 0 "" $L -c test:///default -q --state-dir "$T/st-me" up "$T/me.yaml"
grep -qx "host me test:///default" "$T/st-me/labs/me$$/journal" || { echo "FAIL host is the connection: journal: $(cat "$T/st-me/labs/me$$/journal")" >&2; fail=1; }
expect "host is the connection, down" 0 "" $L -c test:///default -q --state-dir "$T/st-me" down "me$$"
# a lab whose journal names a host that is down: status says so and shows the rest
mkdir -p "$T/st-down/labs/gone$$"
printf 'node a generic\nhost b qemu+unix:///system?socket=%s/none\n' "$T" >"$T/st-down/labs/gone$$/journal"
expect "status, a host down" 0 "labctl: warning: host b: cannot connect to libvirt at 'qemu+unix:///system?socket=$T/none'" $L -c test:///default --state-dir "$T/st-down" --json status
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); n=d['labs'][0]['nodes'][0]; assert (n['name'], n['state'], n['host']) == ('a', 'missing', None), n" "$T/out" ||
	{ echo "FAIL status, a host down: $(cat "$T/out")" >&2; fail=1; }
expect "down, a host down" 1 "host b: cannot connect to libvirt" $L -c test:///default --state-dir "$T/st-down" down "gone$$"
expect "status -q, a host down" 0 "" $L -c test:///default --state-dir "$T/st-down" -q status
# inventory, console and ssh look on the journal's hosts too: one down is a warning, then theirs
expect "inventory, a host down" 1 "labctl: warning: host b: cannot connect to libvirt at 'qemu+unix:///system?socket=$T/none'" $L -c test:///default --state-dir "$T/st-down" inventory "gone$$"
grep -qF "; its nodes are left out" "$T/err" && grep -qF "labctl: no lab named 'gone$$'" "$T/err" ||
	{ echo "FAIL inventory, a host down: $(cat "$T/err")" >&2; fail=1; }
expect "console, a host down" 2 "labctl: warning: host b: cannot connect to libvirt at 'qemu+unix:///system?socket=$T/none'" $L -c test:///default --state-dir "$T/st-down" console "gone$$" a
grep -qF "; its nodes cannot be reached" "$T/err" && grep -qF "labctl: lab gone$$ has no node 'a'" "$T/err" ||
	{ echo "FAIL console, a host down: $(cat "$T/err")" >&2; fail=1; }
expect "ssh -q, a host down" 2 "labctl: lab gone$$ has no node 'a'" $L -c test:///default --state-dir "$T/st-down" -q ssh "gone$$" a
grep -qF "warning" "$T/err" && { echo "FAIL ssh -q, a host down: $(cat "$T/err")" >&2; fail=1; }
[ -e "$T/st-down/labs/gone$$/journal" ] || { echo "FAIL down, a host down: the journal went" >&2; fail=1; }

# issue 15 #4: a command that changes nothing stops on the first SIGTERM or
# SIGINT, even blocked reading a FIFO; a topology that expands past the
# value cap fails fast, before any tweak is evaluated
for sig in 15 2; do
	rm -f "$T/fifo" && mkfifo "$T/fifo"
	$L validate "$T/fifo" 2>"$T/err" &
	pid=$!
	sleep 0.3
	kill -$sig $pid
	(sleep 5 && kill -9 $pid 2>/dev/null) &
	watchdog=$!
	wait $pid
	rc=$?
	kill $watchdog 2>/dev/null
	[ $rc = $((128 + sig)) ] || { echo "FAIL validate FIFO: signal $sig gave exit $rc, want $((128 + sig)) (137: still running after 5s)" >&2; fail=1; }
done
python3 - "$T/bomb.yaml" "$T/bomb2.yaml" <<'PY'
import sys
tw = "{set: /domain/cpu/@mode, value: host-model}"
for path, n in ((sys.argv[1], 1100), (sys.argv[2], 200)):
    open(path, "w").write("name: bomb\ndefaults:\n  xml: [&t " + tw + ", " + ", ".join(["*t"] * (n - 1)) +
                          "]\nnodes:\n  a:\n    replicas: 1024\n")
PY
cpu() { # WANT_RC MAX_CPU_SECONDS COMMAND...: run, check exit and CPU time
	python3 - "$@" <<'PY'
import resource, subprocess, sys
want, limit, cmd = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3:]
rc = subprocess.call(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
used = ru.ru_utime + ru.ru_stime
if rc != want or used > limit:
    print("exit %d (want %d), %.2fs CPU (at most %.1f)" % (rc, want, used, limit))
    sys.exit(1)
PY
}
out=$(cpu 2 1.5 $L validate "$T/bomb.yaml") || { echo "FAIL alias bomb: $out" >&2; fail=1; }
out=$(cpu 0 2.5 $L validate "$T/bomb2.yaml") || { echo "FAIL 1024 replicas x 200 tweaks: $out" >&2; fail=1; }

# issue 15 #5: output that cannot be written is an error, as coreutils'
# close_stdout makes it: exit 1 naming the cause, for every command that prints
full() { # NAME COMMAND...
	name=$1
	shift
	"$@" >/dev/full 2>"$T/err"
	rc=$?
	if [ $rc != 1 ] || ! grep -qF "labctl: cannot write to standard output: " "$T/err"; then
		echo "FAIL $name >/dev/full: exit $rc, stderr: $(cat "$T/err")" >&2
		fail=1
	fi
}
full "render" $G render "$SRC/topologies/demo.yaml"
full "render --json" $G --json render "$SRC/topologies/demo.yaml"
full "graph" $G graph "$SRC/topologies/demo.yaml"
full "host vfs" $G --sysfs "$SRC/tests/out/sysfs/isolated" host vfs
full "host vfs --json" $G --json --sysfs "$SRC/tests/out/sysfs/isolated" host vfs
full "status" $G status
full "status --json" $G --json status
full "image ls" $L image ls
full "down" $G down nolab
full "up" $G up "$SRC/topologies/demo.yaml"
full "--help" $L --help
full "--version" $L --version
full "help up" $L help up
full "up --help" $L up --help
# a reader that went away is not reported, but the run is not a success either
$G render "$SRC/topologies/demo.yaml" 2>"$T/err" | true
[ -s "$T/err" ] && { echo "FAIL render | true: stderr: $(cat "$T/err")" >&2; fail=1; }

# help, usage errors and --json for every command of the table, read from --help
# itself, so a new command cannot skip these checks
expect "--version" 0 "" $L --version
grep -qE '^labctl [0-9]+\.[0-9]+\.[0-9]+$' "$T/out" || { echo "FAIL --version: $(cat "$T/out")" >&2; fail=1; }
$L --help >"$T/help" || { echo "FAIL --help exits non-zero" >&2; fail=1; }
cmds=$(sed -n '/^commands:/,/^$/p' "$T/help" | sed -n 's/^  \([a-z][a-z-]*\)\( .*\)\{0,1\}$/\1/p' | sort -u)
[ "$(echo "$cmds" | wc -l)" -ge 12 ] || { echo "FAIL --help lists too few commands: $cmds" >&2; fail=1; }
# FILE is one JSON document, read by a real parser (bytes that are not UTF-8 fail too)
isjson() { python3 -c 'import json,sys; json.loads(open(sys.argv[1],"rb").read().decode("utf-8"))' "$1" 2>/dev/null; }
# a usage error is found before libvirt is asked: a daemon that is down must not hide it
down_uri="qemu+unix:///system?socket=$T/none"
for c in $cmds; do
	expect "$c --help" 0 "" $L $c --help
	head -1 "$T/out" | grep -q "^usage: labctl \[GLOBAL OPTIONS\] $c\b" || { echo "FAIL $c --help: $(head -1 "$T/out")" >&2; fail=1; }
	grep -q -- '--help' "$T/out" || { echo "FAIL $c --help lists no options" >&2; fail=1; }
	cp "$T/out" "$T/help-$c"
	expect "help $c" 0 "" $L help $c
	cmp -s "$T/out" "$T/help-$c" || { echo "FAIL help $c differs from $c --help" >&2; fail=1; }
	expect "$c bad option" 2 "$c: unknown option '--no-such-option'" $L -c "$down_uri" $c --no-such-option
	grep -q "^usage: labctl $c" "$T/err" || { echo "FAIL $c bad option: no usage: $(cat "$T/err")" >&2; fail=1; }
	# with --json, a failure is a JSON document on stdout as well
	expect "$c --json bad option" 2 "labctl: $c: " $L -c "$down_uri" --json $c --no-such-option
	isjson "$T/out" && grep -q '"error":{"code":2,' "$T/out" || { echo "FAIL $c --json bad option: stdout $(cat "$T/out")" >&2; fail=1; }
done
# a usage error found before the command is known is a JSON document too under --json
expect "--json unknown command" 2 "unknown command 'frobnicate'" $L --json frobnicate
isjson "$T/out" && grep -q '"error":{"code":2,' "$T/out" || { echo "FAIL --json unknown command: stdout $(cat "$T/out")" >&2; fail=1; }
expect "--json unknown global option" 2 "unknown option '--frob'" $L --json --frob status
isjson "$T/out" && grep -q '"error":{"code":2,' "$T/out" || { echo "FAIL --json unknown global option: stdout $(cat "$T/out")" >&2; fail=1; }
expect "unknown command, no --json" 2 "unknown command 'frobnicate'" $L frobnicate
[ -s "$T/out" ] && { echo "FAIL unknown command without --json printed on stdout: $(cat "$T/out")" >&2; fail=1; }
expect "help unknown" 2 "help: no command named 'frobnicate'" $L help frobnicate
expect "graph --json" 2 "graph: there is no --json output" $L -c test:///default --json graph "$SRC/topologies/demo.yaml"
# global options after the command, and JSON of the commands that had none
expect "validate --json after" 0 "" $L -q validate "$SRC/topologies/demo.yaml" --json
isjson "$T/out" && grep -q '"valid":true' "$T/out" || { echo "FAIL validate --json: $(cat "$T/out")" >&2; fail=1; }
expect "kinds" 0 "" $L kinds
for k in kvm xen hyperv esxi xenserver generic nat isolated bridge; do
	grep -q "^  $k\$" "$T/out" || { echo "FAIL kinds lacks $k" >&2; fail=1; }
done
expect "kinds --json" 0 "" $L kinds --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "hyperv" in d["kinds"] and "nat" in d["networks"]' "$T/out" ||
	{ echo "FAIL kinds --json: $(cat "$T/out")" >&2; fail=1; }
# -v says more on stderr: stdout stays one JSON document
printf 'name: vj%s\nnodes:\n  a: {kind: generic, nested: false, memory: 128MiB}\n' $$ >"$T/vj.yaml"
expect "up -v --json" 0 "labctl: accel tcg: " $L -v --json -c test:///default --state-dir "$T/vjstate" up "$T/vj.yaml"
isjson "$T/out" || { echo "FAIL up -v --json: stdout is not one JSON document: $(cat "$T/out")" >&2; fail=1; }
expect "gc --json" 0 "" $L -c test:///default gc --json
isjson "$T/out" || { echo "FAIL gc --json: $(cat "$T/out")" >&2; fail=1; }
expect "down --json" 0 "" $L -c test:///default down nosuchlab --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lab"]=="nosuchlab" and d["domains"]==0' "$T/out" ||
	{ echo "FAIL down --json: $(cat "$T/out")" >&2; fail=1; }
expect "-c after the command" 1 "$down_uri" $L status -c "$down_uri"
expect "global option without value" 2 "option '--state-dir' needs a value" $L status --state-dir
expect "up missing value" 2 "a value is missing after option '--jobs'" $L -c "$down_uri" up --jobs
# image pull and rm say what they did in JSON too (a file: URL, no server needed)
printf 'labctl test image\n' >"$T/img.raw"
printf 'images:\n  one:\n    format: raw\n    url: file://%s\n    sha256: %s\n' "$T/img.raw" \
	"$(sha256sum "$T/img.raw" | cut -d' ' -f1)" >"$T/imgcat.yaml"
expect "image pull --json" 0 "" $L --catalog "$T/imgcat.yaml" --cache-dir "$T/imgcache" image pull one --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d=={"image":"one","fetched":1,"verified":True}, d' "$T/out" ||
	{ echo "FAIL image pull --json: $(cat "$T/out")" >&2; fail=1; }
expect "image rm --json" 0 "" $L --catalog "$T/imgcat.yaml" --cache-dir "$T/imgcache" image rm one --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["image"]=="one" and d["removed"]>=1, d' "$T/out" ||
	{ echo "FAIL image rm --json: $(cat "$T/out")" >&2; fail=1; }
expect "host prepare --json" 2 "host prepare: there is no --json output" $L --json host prepare --dry-run
expect "image ls --json" 0 "" $L --catalog "$T/imgcat.yaml" --cache-dir "$T/imgcache" image ls --json
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(i["name"], i["cached"]) for i in d["images"]]==[("one", False)], d' "$T/out" ||
	{ echo "FAIL image ls --json: $(cat "$T/out")" >&2; fail=1; }
# up and status in JSON; test:///default forgets its domains when labctl exits,
# so status finds the journal's node missing
printf 'name: js\nnodes:\n  a: {}\n' >"$T/js.yaml"
expect "up --json" 0 "" $V --json up "$T/js.yaml"
isjson "$T/out" && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lab"]=="js" and [(n["name"], n["domain"], n["action"], n["booted"]) for n in d["nodes"]]==[("a", "js-a", "created", False)] and d["seconds"]>=0, d' "$T/out" ||
	{ echo "FAIL up --json: $(cat "$T/out")" >&2; fail=1; }
expect "status --json" 0 "" $V --json status js
isjson "$T/out" && python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert [(l["name"], [(n["name"], n["domain"], n["state"], n["vfs"]) for n in l["nodes"]]) for l in d["labs"]]==[("js", [("a", "js-a", "missing", [])])], d' "$T/out" ||
	{ echo "FAIL status --json: $(cat "$T/out")" >&2; fail=1; }
expect "down js" 0 "" $V down js
expect "status --json, no labs" 0 "" "$BIN" -c test:///default --state-dir "$T/nolabs" --json status
isjson "$T/out" && python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"labs":[]}' "$T/out" ||
	{ echo "FAIL status --json without labs: $(cat "$T/out")" >&2; fail=1; }
# the writer escapes what it is given: a path with a quote, a tab and a byte
# that is not UTF-8 comes back in the error document, the byte as U+FFFD
bad=$(printf '%s/q"t\tx\377.yaml' "$T")
expect "--json error escaping" 2 "cannot open" $L --json validate "$bad"
isjson "$T/out" && python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["error"]["message"]; assert "/q\"t\tx\ufffd.yaml" in m, m' "$T/out" ||
	{ echo "FAIL --json error escaping: $(cat "$T/out")" >&2; fail=1; }

# snapshot: usage and names are checked before libvirt is asked (no daemon here)
expect "snapshot usage" 2 "usage: labctl snapshot save|revert|rm LAB NAME" $L -c qemu+unix:///nowhere snapshot save lab
expect "snapshot unknown verb" 2 "usage: labctl snapshot" $L -c qemu+unix:///nowhere snapshot frob lab x
expect "snapshot bad name" 2 "snapshot name 'a@b' is not valid" $L -c qemu+unix:///nowhere snapshot save lab a@b
expect "snapshot bad lab" 2 "'../x' is not a lab name" $L -c qemu+unix:///nowhere snapshot revert ../x base
expect "snapshot save --force" 2 "snapshot save: --force is revert's option" $L -c qemu+unix:///nowhere snapshot save lab x --force
expect "snapshot --unplug-timeout 0" 2 "--unplug-timeout wants seconds, more than 0 and at most 3600, not '0'" $L -c qemu+unix:///nowhere snapshot save lab x --unplug-timeout 0
expect "snapshot --unplug-timeout word" 2 "--unplug-timeout wants seconds, more than 0 and at most 3600, not '5s'" $L -c qemu+unix:///nowhere snapshot save lab x --unplug-timeout 5s
expect "snapshot revert --unplug-timeout" 2 "snapshot revert: --unplug-timeout is save's option" $L -c qemu+unix:///nowhere snapshot revert lab x --unplug-timeout 5
expect "snapshot ls, none" 0 "" $L --json snapshot ls
python3 -c 'import json,sys; assert json.load(open(sys.argv[1]))=={"snapshots":[]}' "$T/out" ||
	{ echo "FAIL snapshot ls --json without snapshots: $(cat "$T/out")" >&2; fail=1; }
expect "recreate --from-snapshot bad name" 2 "snapshot name 'x/y' is not valid" $L recreate "$SRC/topologies/demo.yaml" --from-snapshot x/y
expect "recreate --from-snapshot no value" 2 "a value is missing after option '--from-snapshot'" $L recreate "$SRC/topologies/demo.yaml" --from-snapshot
# on the test driver a lab with no snapshot: revert names none, rm too; recreate falls back to down and up
printf 'name: sn\nnodes:\n  a: {}\n' >"$T/sn.yaml"
expect "snapshot revert unknown" 2 "lab sn has no snapshot 'base' (it has none)" $V snapshot revert sn base
expect "snapshot rm unknown" 2 "lab sn has no snapshot 'base' (it has none)" $V snapshot rm sn base
expect "recreate --from-snapshot missing" 0 "recreate: not from snapshot 'base' (lab sn has no snapshot 'base'): down and up" $V recreate "$T/sn.yaml" --from-snapshot base
expect "down sn" 0 "" $V down sn
# a running node with a VF (a test-driver host from a fixture): its VF is unplugged before anything
# pauses; the test driver has no hot-plug, so that fails, naming the node and the VF, and nothing pauses
expect "snapshot save with a VF" 1 "node a: cannot unplug 0000:d8:00.2 before the save: domain vfl-a: cannot detach a device" \
	$L -c "test://$SRC/tests/fixtures/snapshot-vf-host.xml" snapshot save vfl s1 --unplug-timeout 0.5
[ -e "$T/state/snapshots/vfl/s1" ] && { echo "FAIL snapshot save with a VF left snapshots/vfl/s1" >&2; fail=1; }
# a lab whose journal puts nodes on another host (that fixture, as host b): refused, naming the node
mkdir -p "$T/rhstate/labs/vfl"
printf 'node a generic\nhost b test://%s/tests/fixtures/snapshot-vf-host.xml\n' "$SRC" >"$T/rhstate/labs/vfl/journal"
expect "snapshot save with a node on another host" 2 "node a is on host b: lab snapshots are not yet on remote hosts; nothing was paused" \
	"$BIN" -c test:///default --state-dir "$T/rhstate" snapshot save vfl s1

[ $fail = 0 ] && echo "cli: all passed"
exit $fail

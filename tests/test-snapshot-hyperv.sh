#!/bin/bash
# A hyperv node (UEFI NVRAM, a swtpm TPM) through a snapshot on
# qemu:///system: save keeps a copy of its NVRAM and of its swtpm state
# directory; with the node stopped and both damaged, revert brings them back
# as they were saved and the node runs again from its memory image, with no
# new boot line.
# Usage: test-snapshot-hyperv.sh BIN   (as root; needs images/tiny, swtpm and ovmf)
set -u
. "$(dirname "$0")/lib.sh"
need_root "qemu:///system"
command -v swtpm >/dev/null || skip "no swtpm: kind hyperv cannot start (tests/install-deps.sh installs it)"
ls /usr/share/OVMF/OVMF_CODE*secboot*.fd >/dev/null 2>&1 || skip "no OVMF: kind hyperv cannot start (tests/install-deps.sh installs it)"
need_qemu_system
LAB=snh-$$
POOL=labctl-$LAB
V="virsh -q -c qemu:///system"
cleanup() {
	down_labs_and_pool "$POOL" "$LAB"
}
cat >"$T/lab.yaml" <<YAML
name: $LAB
pool: $POOL
defaults: {image: tiny, memory: 256MiB, disk: 64MiB}
nodes:
  hv: {kind: hyperv}
YAML
# UEFI with SMM under TCG takes hyperv minutes on a loaded 2-core machine
$L up "$T/lab.yaml" --wait=900 >"$T/out" 2>&1 || say "up --wait: $(cat "$T/out")"
D=$LAB-hv
uuid=$($V domuuid "$D")
TPM=/var/lib/libvirt/swtpm/$uuid
NV=$($V dumpxml "$D" | sed -n 's:.*<nvram[^>]*>\(.*\)</nvram>.*:\1:p')
[ -d "$TPM" ] || say "no swtpm state directory $TPM"
[ -n "$NV" ] && [ -f "$NV" ] || say "no NVRAM file ($NV)"

$L snapshot save "$LAB" s >"$T/out" 2>&1 || say "save: $(cat "$T/out")"
S=$T/state/snapshots/$LAB/s
grep -q "^tpm hv $TPM\$" "$S/manifest" || say "the manifest has no tpm line: $(cat "$S/manifest")"
[ -d "$S/hv.tpm" ] && [ -n "$(find "$S/hv.tpm" -type f)" ] || say "save kept no TPM state: $(ls -a "$S")"
[ -f "$S/hv.nvram" ] || say "save kept no NVRAM: $(ls -a "$S")"
# the saved copies are the state as it was while the node was saved
(cd "$S/hv.tpm" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$T/tpm-saved"
sleep 2
$V domstate "$D" | grep -q running || say "after save: hv is $($V domstate "$D")"
grep -q LABCTL-BOOT-OK "$T/state/labs/$LAB/hv.log" && say "hv booted again after save"

# the node stops, and its TPM state and NVRAM are damaged: revert puts them back
$V destroy "$D" >/dev/null 2>&1
find "$TPM" -type f | while read -r f; do echo damaged >"$f"; done
echo damaged >"$NV"
$L snapshot revert "$LAB" s >"$T/out" 2>&1 || say "revert: $(cat "$T/out")"
sleep 2
$V domstate "$D" | grep -q running || say "after revert: hv is $($V domstate "$D")"
grep -q LABCTL-BOOT-OK "$T/state/labs/$LAB/hv.log" && say "hv booted again after revert: $(tail -c 300 "$T/state/labs/$LAB/hv.log")"
(cd "$TPM" && find . -type f -print0 | sort -z | xargs -0 md5sum) >"$T/tpm-back"
grep -q damaged -r "$TPM" && say "revert left the damaged TPM state"
diff "$T/tpm-saved" "$T/tpm-back" >/dev/null || say "TPM state after revert differs from the saved one: $(diff "$T/tpm-saved" "$T/tpm-back")"
cmp -s "$S/hv.nvram" "$NV" || say "the NVRAM after revert is not the saved one"
$L down "$LAB" >"$T/out" 2>&1 || say "down: $(cat "$T/out")"
[ -e "$T/state/snapshots/$LAB" ] && say "down left snapshots/$LAB"
[ $fail = 0 ] && echo "snapshot-hyperv: all passed"
exit $fail

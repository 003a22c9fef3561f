#!/bin/sh
# The command line as a user meets it: exit codes, silence, messages with
# file:line:col, render -o file names, --json. Usage: test-cli.sh BIN
set -u
BIN=$(realpath "$1")
SRC=${LABCTL_SRCDIR:-.}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail=0
L="$BIN --templates $SRC/templates --catalog $SRC/images/catalog.yaml --state-dir $T/state --cache-dir $T/cache"

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

for f in "$SRC"/topologies/*.yaml; do
	expect "validate $(basename "$f")" 0 "" $L validate "$f"
	[ -s "$T/out" ] && { echo "FAIL validate $(basename "$f") printed something" >&2; fail=1; }
done

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
expect "render stdout" 0 "" $L -c test:///default render "$SRC/topologies/demo.yaml"
grep -q '^<!-- demo-kvm1.xml -->$' "$T/out" || { echo "FAIL render stdout: no separator" >&2; fail=1; }
expect "render json" 0 "" $L -c test:///default --json render "$SRC/topologies/demo.yaml"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["lab"]=="demo"; assert any(o["type"]=="domain" and o["name"]=="demo-kvm1" for o in d["objects"])' "$T/out" ||
	{ echo "FAIL render json: not the expected JSON" >&2; fail=1; }
expect "render no libvirt" 1 "cannot connect to libvirt at 'nosuch:///'" $L -c nosuch:/// render "$SRC/topologies/demo.yaml"

[ $fail = 0 ] && echo "cli: all passed"
exit $fail

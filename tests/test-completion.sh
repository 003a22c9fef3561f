#!/bin/bash
# completion/labctl.bash in bash, against the real binary: the file is
# sourced, COMP_WORDS/COMP_CWORD set as bash would split the line, _labctl
# called, COMPREPLY checked. Commands and global options come from --help
# (a stand-in binary whose --help lists one more command shows it is read,
# not written down), topology files for up/render/validate/graph/recreate,
# directories for -o and --state-dir, lab names from status --json (a lab
# made on test:///default leaves its journal in the state dir, which status
# reads) with python3 and with the sed fallback, image names, image and host
# subcommands, the options of up and host prepare, host vfs --host's topology
# and --inventory's two values.
# Usage: test-completion.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
# shellcheck source=../completion/labctl.bash
. "$SRC/completion/labctl.bash"
complete -p labctl >/dev/null || say "the file registers no completion for labctl"

# complete WORD... : the last word is the one being completed
complete_line() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_labctl
	printf '%s\n' "${COMPREPLY[@]+"${COMPREPLY[@]}"}" | sort >"$T/got"
}
want() { # NAME WANTED-LINES (sorted here)
	printf '%s\n' "$2" | sort >"$T/want"
	if cmp -s "$T/want" "$T/got"; then ok; else say "$1: got [$(tr '\n' ' ' <"$T/got")], want [$(tr '\n' ' ' <"$T/want")]"; fi
}
has() { # NAME WORD...
	local name=$1 w
	shift
	for w in "$@"; do grep -qxF -- "$w" "$T/got" || say "$name: no '$w' in [$(tr '\n' ' ' <"$T/got")]"; done
}
lacks() { # NAME WORD...
	local name=$1 w
	shift
	for w in "$@"; do grep -qxF -- "$w" "$T/got" && say "$name: '$w' should not be offered"; done
}

# the commands are --help's, read when completing
"$BIN" --help | awk '/^[a-z]/ { s = ($0 == "commands:") } s && /^  [a-z]/ { print $1 }' | sort -u >"$T/commands"
[ "$(wc -l <"$T/commands")" -ge 5 ] || say "cannot read the commands from --help"
complete_line "$BIN" ""
want "labctl <TAB>" "$(cat "$T/commands")"
complete_line "$BIN" "re"
want "labctl re<TAB>" "$(grep '^re' "$T/commands")"
# a binary with one more command: completion offers it with no edit
mkdir -p "$T/fake"
cat >"$T/fake/labctl" <<SH
#!/bin/sh
[ "\$1" = --help ] || exec "$BIN" "\$@"
"$BIN" --help | sed '/^commands:\$/a\\
  frobnicate TOPOLOGY            a command added later'
SH
chmod +x "$T/fake/labctl"
complete_line "$T/fake/labctl" ""
has "a new command in --help" frobnicate up down

# global options after -, from the usage line
complete_line "$BIN" "-"
has "labctl -<TAB>" -c --connect --version --sysfs --procfs --devfs --state-dir --cache-dir --templates --catalog --json -q -v
lacks "labctl -<TAB>" -o -j --wait --force
complete_line "$BIN" "--st"
want "labctl --st<TAB>" "--state-dir"
# options after a global option with its value still complete commands
complete_line "$BIN" --state-dir "$T" "st"
want "labctl --state-dir DIR st<TAB>" "status"

# topology files and directories, in a directory made for it
mkdir -p "$T/w/sub" "$T/w/other.d"
: >"$T/w/a.yaml"
: >"$T/w/b.yml"
: >"$T/w/notes.txt"
cd "$T/w" || exit 1
for c in up render validate graph recreate; do
	complete_line "$BIN" "$c" ""
	want "labctl $c <TAB>" "a.yaml
b.yml
other.d
sub"
done
complete_line "$BIN" down ""
has "labctl down <TAB> (a topology)" a.yaml b.yml
lacks "labctl down <TAB>" notes.txt
complete_line "$BIN" render a.yaml -o ""
want "labctl render a.yaml -o <TAB>" "other.d
sub"
# a command's options from its own --help, and the global ones
complete_line "$BIN" up a.yaml "--"
has "labctl up a.yaml --<TAB>" --force --jobs --wait --node --state-dir --json
lacks "labctl up a.yaml --<TAB>" --output --dry-run
# host vfs --host NAME TOPOLOGY: no guess at NAME, then the topology file
complete_line "$BIN" host vfs --host ""
want "labctl host vfs --host <TAB>" ""
complete_line "$BIN" host vfs --host b ""
want "labctl host vfs --host b <TAB>" "a.yaml
b.yml
other.d
sub"
complete_line "$BIN" host vfs "--"
has "labctl host vfs --<TAB>" --host --inventory
complete_line "$BIN" --inventory ""
want "labctl --inventory <TAB>" "libvirt
sysfs"
complete_line "$BIN" host vfs --inventory = ""
want "labctl host vfs --inventory=<TAB>" "libvirt
sysfs"
complete_line "$BIN" render a.yaml "-"
has "labctl render a.yaml -<TAB>" -o --output -c
lacks "labctl render a.yaml -<TAB>" -j --force
complete_line "$BIN" up --wait ""
want "labctl up --wait <TAB> (no value)" "a.yaml
b.yml
other.d
sub"
# --state-dir=<TAB>: bash splits at '=', the word being completed is after it
complete_line "$BIN" --state-dir = ""
want "labctl --state-dir=<TAB>" "other.d
sub"
cd "$SRC" || exit 1

# lab names from status --json: a lab made on test:///default keeps its journal
S="$T/state"
$L -c test:///default up "$SRC/topologies/demo.yaml" >"$T/out" 2>&1 || say "up on test:///default: $(cat "$T/out")"
"$BIN" -c test:///default --state-dir "$S" --json status >"$T/status.json" 2>&1
json_valid "$T/status.json" "status --json"
# -c test:///default as bash splits it: at each ':'
complete_line "$BIN" -c test : ///default --state-dir "$S" down ""
has "labctl -c test:///default --state-dir S down <TAB>" demo
lacks "labctl ... down <TAB>: node names" kvm1 plain xen1
complete_line "$BIN" -c test : ///default --state-dir "$S" status "d"
want "labctl ... status d<TAB>" "demo"
# global options after the command count too
complete_line "$BIN" status -c test : ///default --state-dir "$S" ""
want "labctl status -c test:///default --state-dir S <TAB>" "demo"
# node names of a lab
for c in ssh console; do
	complete_line "$BIN" -c test : ///default --state-dir "$S" $c ""
	want "labctl ... $c <TAB>" "demo"
	complete_line "$BIN" -c test : ///default --state-dir "$S" $c demo ""
	want "labctl ... $c demo <TAB>" "kvm1
plain
xen1"
done
complete_line "$BIN" -c test : ///default --state-dir "$S" down demo --node ""
want "labctl ... down demo --node <TAB>" "kvm1
plain
xen1"
complete_line "$BIN" -c test : ///default --state-dir "$S" inventory demo --format ""
want "labctl ... inventory demo --format <TAB>" "ini
yaml"
complete_line "$BIN" -c test : ///default --state-dir "$S" status demo ""
want "labctl ... status demo <TAB>" ""
# an empty state dir: no labs
complete_line "$BIN" -c test : ///default --state-dir "$T/empty" status ""
want "labctl ... status <TAB> with no labs" ""
# without python3: the sed fallback reads the same names
mkdir -p "$T/nopy"
for t in sed tr grep sort cat; do ln -s "$(command -v $t)" "$T/nopy/$t"; done
(
	PATH=$T/nopy
	command -v python3 >/dev/null && exit 1
	complete_line "$BIN" -c test : ///default --state-dir "$S" status ""
	cat "$T/got"
) >"$T/got.nopy" 2>"$T/err.nopy"
cp "$T/got.nopy" "$T/got"
want "labctl ... status <TAB> without python3" "demo"

# subcommands and image names
complete_line "$BIN" image ""
want "labctl image <TAB>" "ls
pull
rm"
complete_line "$BIN" host ""
want "labctl host <TAB>" "check
prepare
vfs"
# snapshot: its verbs, then the lab, then (revert, rm) the lab's snapshots from snapshot ls --json
complete_line "$BIN" snapshot ""
want "labctl snapshot <TAB>" "$(printf 'ls\nrevert\nrm\nsave')"
mkdir -p "$T/snapstate/snapshots/lab1/nightly" "$T/snapstate/snapshots/lab1/before-bug"
printf 'labctl 0.10.0\ntime 2026-12-03T13:00:00Z\n' >"$T/snapstate/snapshots/lab1/nightly/manifest"
printf 'labctl 0.10.0\ntime 2026-12-03T12:00:00Z\n' >"$T/snapstate/snapshots/lab1/before-bug/manifest"
complete_line "$BIN" --state-dir "$T/snapstate" snapshot revert lab1 ""
want "labctl snapshot revert LAB <TAB>" "$(printf 'before-bug\nnightly')"
complete_line "$BIN" --state-dir "$T/snapstate" snapshot rm lab1 n
want "labctl snapshot rm LAB n<TAB>" "nightly"
complete_line "$BIN" recreate --from-snapshot ""
want "labctl recreate --from-snapshot <TAB>" ""

complete_line "$BIN" --catalog "$SRC/images/catalog.yaml" --cache-dir "$T/cache" image pull ""
"$BIN" --catalog "$SRC/images/catalog.yaml" --cache-dir "$T/cache" --json image ls >"$T/images.json"
json_valid "$T/images.json" "image ls --json"
want "labctl image pull <TAB>" "$(python3 -c 'import json,sys; print("\n".join(i["name"] for i in json.load(open(sys.argv[1]))["images"]))' "$T/images.json")"
has "labctl image pull <TAB>" tiny
complete_line "$BIN" host prepare "--"
has "labctl host prepare --<TAB>" --dry-run --modprobe-dir --pf
complete_line "$BIN" help ""
want "labctl help <TAB>" "$(cat "$T/commands")"
complete_line "$BIN" host check ""
want "labctl host check <TAB>" ""

[ $fail = 0 ] && echo "completion: $pass checks of commands, options, files, lab and image names"
exit $fail

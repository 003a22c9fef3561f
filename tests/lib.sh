# Shared set-up of the test scripts, sourced (POSIX sh) as
#   . "$(dirname "$0")/lib.sh"
# by a script whose first argument is the labctl binary (usage: SCRIPT BIN ...).
# It gives:
#   BIN   the binary, absolute;  SRC  the source tree (LABCTL_SRCDIR, else .), absolute
#   T     a fresh temporary directory, removed at exit after the script's own
#         cleanup function (when it defines one) has run
#   L     labctl with the tree's templates and catalog and a state dir and cache
#         under T; need_qemu_system adds -c qemu:///system
#   fail  0, or 1 once a check failed (the script ends with exit $fail)
#   pass, nfail  counters for scripts that report how many checks passed
#   ok    count a check that passed;  say MSG...  report a failed one
#   skip REASON    print "SKIP: REASON" and exit 77 (tests/run-suite.sh counts it)
#   need_root REASON, need_qemu_system: skip unless the suite can run here
#   json_valid FILE [WHAT]: fail unless FILE holds one JSON document
#   down_labs_and_pool POOL LAB...: down the labs, remove their pool (a cleanup's body)
# A skip is never silent: run-suite.sh prints the reason, and under CI=true or
# LABCTL_NO_SKIP=1 counts it as a failure.

if [ $# -lt 1 ]; then
	echo "usage: $0 BIN" >&2
	exit 2
fi
BIN=$(realpath "$1")
SRC=$(realpath "${LABCTL_SRCDIR:-.}")
T=$(mktemp -d)
fail=0
pass=0
nfail=0

# a script that leaves more than files behind (labs, mounts, servers)
# defines its own cleanup after sourcing this
cleanup() { :; }
lc_exit() {
	cleanup
	rm -rf "$T"
}
trap lc_exit EXIT
# a signal runs the same clean-up (the EXIT trap alone does not in dash)
trap 'exit 130' INT
trap 'exit 143' TERM

# A cleanup's usual body: down each LAB, then remove their storage pool from qemu:///system.
down_labs_and_pool() { # POOL LAB...
	_pool=$1
	shift
	for _lab in "$@"; do $L -q down "$_lab" >/dev/null 2>&1; done
	virsh -q -c qemu:///system pool-destroy "$_pool" >/dev/null 2>&1
	virsh -q -c qemu:///system pool-undefine "$_pool" >/dev/null 2>&1
}

L="$BIN --templates $SRC/templates --catalog $SRC/images/catalog.yaml --state-dir $T/state --cache-dir $T/cache"

ok() { pass=$((pass + 1)); }
say() {
	echo "FAIL $*" >&2
	fail=1
	nfail=$((nfail + 1))
}

skip() {
	echo "SKIP: $*"
	exit 77
}

need_root() { # REASON
	[ "$(id -u)" = 0 ] || skip "needs root ($1)"
}

# The suite runs on the system libvirtd with QEMU: as root, with the daemons
# started when they are not running; QEMU runs as libvirt-qemu and must reach
# the cache and pools under T.
need_qemu_system() {
	need_root "qemu:///system"
	"$SRC/tests/start-libvirt.sh" || skip "libvirtd does not answer on qemu:///system"
	chmod 755 "$T"
	L="$BIN -c qemu:///system --templates $SRC/templates --catalog $SRC/images/catalog.yaml --state-dir $T/state --cache-dir $T/cache"
}

json_valid() { # FILE [WHAT]
	python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1" 2>"$T/json.err" ||
		say "${2:-$1}: not one JSON document: $(cat "$T/json.err"): $(head -c 300 "$1")"
}

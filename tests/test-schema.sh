#!/bin/sh
# Every template and every XML labctl renders for every example topology and
# fixture validates against the installed libvirt RelaxNG schemas.
# Usage: test-schema.sh BIN
set -u
. "$(dirname "$0")/lib.sh"
n=0
check() { # FILE TYPE
	n=$((n + 1))
	if ! virt-xml-validate "$1" "$2" >"$T/log" 2>&1; then
		echo "FAIL schema: $1 ($2): $(cat "$T/log")" >&2
		fail=1
	fi
}
for f in "$SRC"/templates/*.xml; do
	case $(basename "$f") in net-*) check "$f" network ;; *) check "$f" domain ;; esac
done
for topo in "$SRC"/topologies/*.yaml "$SRC"/tests/fixtures/kinds.yaml; do
	out="$T/$(basename "$topo" .yaml)"
	# every example's VFs come from the ConnectX-5 fixture host; kinds.yaml has its own
	SYSFS="$SRC/tests/out/sysfs/isolated"
	[ "$(basename "$topo")" = kinds.yaml ] && SYSFS="$SRC/tests/out/sysfs/kinds"
	if ! "$BIN" --templates "$SRC/templates" --catalog "$SRC/tests/fixtures/catalog.yaml" \
		--state-dir /var/lib/labctl --cache-dir /var/cache/labctl/images \
		--sysfs "$SYSFS" \
		-c test:///default render "$topo" -o "$out" 2>"$T/err"; then
		echo "FAIL render $topo: $(cat "$T/err")" >&2
		fail=1
		continue
	fi
	for f in "$out"/*.xml; do
		case $f in
		*.network.xml) check "$f" network ;;
		*.volume.xml) check "$f" storagevol ;;
		*) check "$f" domain ;;
		esac
	done
done
# the goldens hold KVM renders for Intel and AMD (vmx, evmcs), which test:/// cannot give
for f in "$SRC"/tests/golden/*.xml; do
	case $(basename "$f") in
	network-*) check "$f" network ;;
	volume-*) check "$f" storagevol ;;
	*) check "$f" domain ;;
	esac
done
[ $fail = 0 ] && echo "schema: $n documents valid"
exit $fail

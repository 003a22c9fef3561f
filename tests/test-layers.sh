#!/bin/sh
# check-layers must pass on the tree and fail on each kind of wrong include,
# planted in a copy of the tree (the real one is never touched).
# Usage: test-layers.sh BIN   (BIN is not used: run-suite.sh gives every script one)
set -u
. "$(dirname "$0")/lib.sh"
src=$SRC
check=$src/tests/check-layers.sh
tmp=$T
bad() { say "$*"; }

"$check" "$src/labctl" >/dev/null 2>&1 && ok || bad "the tree itself breaks its layers"

# plant FILE with one include line; check-layers must name FILE and fail
plant() { # file include-line
	rm -rf "$tmp/labctl"
	cp -r "$src/labctl" "$tmp/labctl"
	printf '%s\n' "$2" >"$tmp/labctl/$1"
	if out=$("$check" "$tmp/labctl" 2>&1); then
		bad "check-layers passed with $1: $2"
	elif ! printf '%s' "$out" | grep -q "labctl/$1:1:"; then
		bad "check-layers did not name $1: $out"
	else
		ok
	fi
}
plant util/bad.c '#include "model.h"'
plant util/bad.h '#include "cmd.h"'
plant bad.c '#include "cmd.h"'
plant bad.h '#include "cmd-up.h"'
plant bad.c '#include <libvirt/libvirt.h>'
plant cmd/bad.c '#include <curl/curl.h>'
plant util/bad.c '#include <gnutls/crypto.h>'
plant bad.c '#include "../cmd/cmd.h"'
plant util/bad.c '#include "util/../lab.h"'

echo "layers: $pass checks held, $nfail broke"
[ "$fail" = 0 ]

#!/bin/sh
# One TLS stack: labctl links libcurl's GnuTLS flavour, the TLS library
# libvirt loads too, never the OpenSSL one beside it. The binary's load list
# (ldd) must hold exactly one libcurl, libcurl-gnutls.so.4, and no libssl;
# libcrypto may come in only as what libvirt's and libcurl's SSH libraries
# (libssh, libssh2) are built on, never through labctl's own links. The check
# is also run on a program linked to the OpenSSL libcurl, which it must
# refuse, when that library is on the machine. Usage: test-links.sh BIN
set -u
BIN=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0
fail=0
ok() { pass=$((pass + 1)); }
bad() {
	echo "FAIL: $*" >&2
	fail=$((fail + 1))
}

# Print why BIN loads more than one TLS stack; silent when it loads one.
breaches() { # BIN
	ldd "$1" >"$T/ldd" || {
		echo "ldd failed on $1"
		return
	}
	curls=$(awk '$1 ~ /^libcurl/ { print $1 }' "$T/ldd" | sort -u | tr '\n' ' ')
	[ "$curls" = "libcurl-gnutls.so.4 " ] || echo "libcurl: want libcurl-gnutls.so.4 alone, loads: ${curls:-none}"
	awk '$1 ~ /^libssl\./ { print "loads OpenSSL'"'"'s TLS library " $1 }' "$T/ldd"
	# the binary's own links: no OpenSSL, no second libcurl
	objdump -p "$1" | awk '$1 == "NEEDED" && $2 ~ /^(libssl|libcrypto|libcurl\.so)/ { print "links " $2 " itself" }'
	# everything loaded that needs OpenSSL must be an SSH library
	awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' "$T/ldd" | while read -r name path; do
		if objdump -p "$path" 2>/dev/null | awk '$1 == "NEEDED" { print $2 }' | grep -Eq '^lib(ssl|crypto)\.so'; then
			case $name in
			libssh.so.* | libssh2.so.* | libssl.so.* | libcrypto.so.*) ;;
			*) echo "$name pulls in OpenSSL" ;;
			esac
		fi
	done
}

out=$(breaches "$BIN")
if [ -z "$out" ]; then ok; else bad "$BIN: $out"; fi

# The check must catch the OpenSSL flavour: a program linked to it.
openssl_curl=$(ldconfig -p | awk '$1 == "libcurl.so.4" { print $NF; exit }')
if [ -n "$openssl_curl" ]; then
	printf 'int curl_global_init(long);\nint main(void) { return curl_global_init(0); }\n' >"$T/p.c"
	if ! ${CC:-cc} -o "$T/p" "$T/p.c" "$openssl_curl" 2>"$T/cc.err"; then
		bad "cannot link a program to $openssl_curl: $(cat "$T/cc.err")"
	elif out=$(breaches "$T/p") && printf '%s' "$out" | grep -q "libcurl: want" &&
		printf '%s' "$out" | grep -q "libcurl.so.4 pulls in OpenSSL"; then
		ok
	else
		bad "the check passed a program linked to $openssl_curl: ${out:-no complaint}"
	fi
else
	echo "links: no OpenSSL libcurl here to check the check against"
fi

echo "links: $pass passed, $fail failed"
[ "$fail" = 0 ]

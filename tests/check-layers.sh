#!/bin/sh
# The layers of labctl/ hold: util/ includes only util/; only cmd/ includes
# cmd/'s headers; only virt-libvirt.c includes libvirt, only image-fetch.c
# curl, only util/sha256.c GnuTLS; no include climbs out with "../".
# Usage: check-layers.sh [SRCDIR] (default labctl). Prints each breach as FILE:LINE: why; exit 1 on any.
set -u
root=${1:-labctl}
fail=0
for f in $(find "$root" -name '*.[ch]' | sort); do
	rel=${f#"$root"/}
	case $rel in
	util/*) layer=util ;;
	cmd/*) layer=cmd ;;
	*) layer=core ;;
	esac
	base=$(basename "$f")
	grep -n '^[[:space:]]*#[[:space:]]*include' "$f" | while IFS= read -r line; do
		n=${line%%:*}
		inc=$(printf '%s\n' "$line" | sed -n 's/.*#[[:space:]]*include[[:space:]]*\(["<][^">]*[">]\).*/\1/p')
		case $inc in
		\<libvirt/*)
			[ "$base" = virt-libvirt.c ] || echo "$f:$n: only virt-libvirt.c may include libvirt ($inc)"
			continue
			;;
		\<curl/*)
			[ "$base" = image-fetch.c ] || echo "$f:$n: only image-fetch.c may include curl ($inc)"
			continue
			;;
		\<gnutls/*)
			[ "$rel" = util/sha256.c ] || echo "$f:$n: only util/sha256.c may include gnutls ($inc)"
			continue
			;;
		\<*) continue ;;
		esac
		name=$(printf '%s' "$inc" | tr -d '"')
		case $name in
		*..*)
			echo "$f:$n: an include may not climb out of its directory ($inc)"
			continue
			;;
		esac
		case $layer in
		util) [ -f "$root/util/$name" ] || echo "$f:$n: util/ may include only util/ ($inc)" ;;
		core)
			if [ -f "$root/cmd/$name" ]; then
				echo "$f:$n: only cmd/ may include cmd/'s headers ($inc)"
			elif [ ! -f "$root/$name" ] && [ ! -f "$root/util/$name" ]; then
				echo "$f:$n: no such header in labctl/ or util/ ($inc)"
			fi
			;;
		cmd)
			[ -f "$root/cmd/$name" ] || [ -f "$root/$name" ] || [ -f "$root/util/$name" ] ||
				echo "$f:$n: no such header ($inc)"
			;;
		esac
	done
done >"${TMPDIR:-/tmp}/check-layers.$$" 2>&1
if [ -s "${TMPDIR:-/tmp}/check-layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/check-layers.$$" >&2
	fail=1
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"
[ $fail = 0 ] && echo "check-layers: $root holds its layers"
exit $fail

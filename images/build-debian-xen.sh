#!/bin/sh
# Build the `debian-xen` image (issue 19): the `debian` image's builder with
# its xen variant (images/build-debian.sh, whose header says what differs;
# the Xen parts are in images/debian-xen-parts.sh). Debian 12 with Xen 4.17
# as a BIOS GRUB disk that boots Xen with Debian's kernel as dom0.
#
# Usage: images/build-debian-xen.sh [OUTDIR]   (default: images/debian-xen; as root)
exec "$(dirname "$0")/build-debian.sh" --variant=xen "$@"

#!/bin/sh
# Install the Debian packages labctl's build, tests and demo need, when
# missing (as root; apt-get). Used by `make demo` and .ci/run. libcurl's
# GnuTLS flavour, not the OpenSSL one: libvirt loads GnuTLS already, and
# installing libcurl4-gnutls-dev takes libcurl4-openssl-dev away. swtpm and
# ovmf are what kind hyperv needs (a TPM 2.0 emulator, secure-boot UEFI);
# mmdebstrap and e2fsprogs build the debian and debian-xen images.
set -eu
PKGS="build-essential pkg-config libvirt-dev libxml2-dev libyaml-dev libcurl4-gnutls-dev
libgnutls28-dev libcmocka-dev libisofs-dev genisoimage libxml2-utils libvirt-clients libvirt-daemon-system qemu-system-x86
qemu-utils dnsmasq-base python3 valgrind clang libclang-rt-14-dev tini graphviz mandoc
swtpm swtpm-tools ovmf mmdebstrap e2fsprogs"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
	echo "install-deps: missing packages:$missing (run as root to install them)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing

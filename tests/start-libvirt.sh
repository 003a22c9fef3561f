#!/bin/sh
# Make qemu:///system usable on a machine where nothing starts daemons (no
# systemd, no udev): start virtlogd and libvirtd when they are not running,
# and give /dev/kvm the owner and mode udev's rule would (root:kvm 0660).
# Without that, libvirt finds KVM "not available" to the qemu user on every
# call and probes QEMU again each time: a define then takes a minute.
set -eu
if [ -c /dev/kvm ] && getent group kvm >/dev/null &&
	[ "$(stat -c %G /dev/kvm)" != kvm ]; then
	chgrp kvm /dev/kvm
	chmod 0660 /dev/kvm
fi
pgrep -x virtlogd >/dev/null || virtlogd -d
pgrep -x libvirtd >/dev/null || libvirtd -d
i=0
until virsh -c qemu:///system uri >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "start-libvirt: libvirtd does not answer on qemu:///system" >&2; exit 1; }
	sleep 0.2
done

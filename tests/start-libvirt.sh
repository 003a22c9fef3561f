#!/bin/sh
# Make qemu:///system usable on a machine where nothing starts daemons (no
# systemd, no udev): start virtlogd and libvirtd when they are not running,
# and give /dev/kvm the owner and mode udev's rule would (root:kvm 0660).
# Without that, libvirt finds KVM "not available" to the qemu user on every
# call and probes QEMU again each time: a define then takes a minute.
#
# libvirtd runs under `tini -s`, a child subreaper. libvirt daemonizes QEMU,
# so a QEMU that exits is reaped by its nearest subreaper or else by PID 1,
# and virDomainDestroy polls until the pid is gone. Where PID 1 is not a
# prompt reaper (in these sandboxes it reaps after about 2 s) every destroy
# waits for it; under tini a destroy takes a few hundred milliseconds, as on
# a systemd host.
set -eu
if [ -c /dev/kvm ] && getent group kvm >/dev/null &&
	[ "$(stat -c %G /dev/kvm)" != kvm ]; then
	chgrp kvm /dev/kvm
	chmod 0660 /dev/kvm
fi
pgrep -x virtlogd >/dev/null || virtlogd -d
if ! pgrep -x libvirtd >/dev/null; then
	if command -v tini >/dev/null; then
		mkdir -p /var/log/libvirt
		setsid tini -s -- libvirtd </dev/null >>/var/log/libvirt/libvirtd-labctl.log 2>&1 &
	else
		libvirtd -d
	fi
fi
i=0
until virsh -c qemu:///system uri >/dev/null 2>&1; do
	i=$((i + 1))
	[ $i -lt 50 ] || { echo "start-libvirt: libvirtd does not answer on qemu:///system" >&2; exit 1; }
	sleep 0.2
done

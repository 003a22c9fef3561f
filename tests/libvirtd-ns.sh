#!/bin/sh
# A second libvirt host on this machine, for the several-hosts tests and
# bench: libvirtd and virtlogd in a private mount namespace (unshare -m)
# whose /run/libvirt, /var/lib/libvirt, /etc/libvirt, /var/log/libvirt and
# /var/cache/libvirt are DIR's subdirectories, so it shares no object, pool
# or socket with the system daemon. Reached as
#   qemu+unix:///system?socket=DIR/run/libvirt-sock
# (libvirt's remote protocol, as qemu+ssh:// uses it). Its pid files are
# DIR/run/libvirtd.pid and DIR/run/virtlogd.pid; stop kills those pids only.
# Usage: libvirtd-ns.sh start DIR | stop DIR   (as root)
set -eu
cmd=$1 dir=$2
case $cmd in
start)
	mkdir -p "$dir/run" "$dir/lib" "$dir/etc" "$dir/log" "$dir/cache"
	# the system's settings, none of its objects (domains, networks, pools)
	cp /etc/libvirt/*.conf "$dir/etc/"
	chmod 755 "$dir" "$dir/lib"
	unshare -m --propagation private sh -c '
		set -e
		mount --bind "$1/run" /run/libvirt
		mount --bind "$1/lib" /var/lib/libvirt
		mount --bind "$1/etc" /etc/libvirt
		mount --bind "$1/log" /var/log/libvirt
		mount --bind "$1/cache" /var/cache/libvirt
		virtlogd -d -p /run/libvirt/virtlogd.pid
		# under tini, as start-libvirt.sh runs the system one: QEMU is reaped at once
		setsid tini -s -- libvirtd -p /run/libvirt/libvirtd.pid </dev/null \
			>/var/log/libvirt/libvirtd.log 2>&1 &
	' sh "$dir"
	i=0
	until virsh -c "qemu+unix:///system?socket=$dir/run/libvirt-sock" uri >/dev/null 2>&1 &&
		[ -s "$dir/run/libvirtd.pid" ]; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			echo "libvirtd-ns: the second libvirtd does not answer: $(tail -5 "$dir/log/libvirtd.log")" >&2
			exit 1
		fi
		sleep 0.2
	done
	;;
stop)
	for d in libvirtd virtlogd; do
		[ -s "$dir/run/$d.pid" ] || continue
		pid=$(cat "$dir/run/$d.pid")
		kill "$pid" 2>/dev/null || true
		i=0
		while kill -0 "$pid" 2>/dev/null && [ $i -lt 50 ]; do
			i=$((i + 1))
			sleep 0.1
		done
		rm -f "$dir/run/$d.pid"
	done
	;;
*)
	echo "usage: $0 start DIR | stop DIR" >&2
	exit 2
	;;
esac

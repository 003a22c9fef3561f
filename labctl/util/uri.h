/* libvirt connection URIs, as far as labctl needs to read them. */
#ifndef LC_URI_H
#define LC_URI_H

#include <stdbool.h>

/*
 * The URI names no host (qemu:///system, qemu+unix:///system?socket=...,
 * test:///default): its daemon, or the test driver, runs on this machine,
 * whose /proc and /sys tell of it. False for NULL and for anything else
 * (qemu+ssh://root@b/system, qemu+tcp://b/system).
 */
bool lc_uri_is_local(const char *uri);

/*
 * Whether labctl may not take the daemon's files for its own (images,
 * console logs): the URI names a host (qemu+ssh://root@b/system) or a
 * transport (qemu+unix:///...), so it goes through libvirt's remote driver
 * to a daemon that may see another file system (a second daemon in a mount
 * namespace does, though its /sys is this machine's: lc_uri_is_local).
 */
bool lc_uri_remote(const char *uri);

#endif

/*
 * What the L0 host offers a lab: the CPU vendor and whether ordinary guests
 * run under KVM. libvirt's view (capabilities, domain capabilities) is
 * checked against the host's own: /dev/kvm can exist and libvirt can offer
 * the kvm domain type on a machine whose KVM runs no ordinary guest.
 */
#ifndef LC_HOSTFACTS_H
#define LC_HOSTFACTS_H

#include "cmd.h"
#include "render.h"

struct lc_virt;

int lc_host_facts_probe(const struct lc_opts *o, struct lc_virt *v, struct lc_host_facts *f,
			struct lc_err *err);

#endif

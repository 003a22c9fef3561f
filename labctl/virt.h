/*
 * The libvirt adapter's interface. Only virt-libvirt.c includes libvirt;
 * everything else talks to libvirt through these calls.
 */
#ifndef LC_VIRT_H
#define LC_VIRT_H

#include "err.h"
#include "render.h"

struct lc_virt;

/* Connect to uri (NULL: libvirt's default). NULL with err on failure. */
struct lc_virt *lc_virt_open(const char *uri, struct lc_err *err);
void lc_virt_close(struct lc_virt *v);
const char *lc_virt_uri(const struct lc_virt *v);

/* CPU vendor from the host capabilities; kvm when the connection offers it for x86_64. */
int lc_virt_host_facts(struct lc_virt *v, struct lc_host_facts *f, struct lc_err *err);

/* Define (not start) a domain / network from XML; errors carry libvirt's message. */
int lc_virt_define_domain(struct lc_virt *v, const char *xml, struct lc_err *err);
int lc_virt_define_network(struct lc_virt *v, const char *xml, struct lc_err *err);

#endif

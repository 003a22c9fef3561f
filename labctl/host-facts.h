/*
 * What the L0 host offers a lab: the CPU vendor and whether ordinary guests
 * run under KVM. libvirt's view (capabilities, domain capabilities) is
 * checked against the host's own: /dev/kvm can exist and libvirt can offer
 * the kvm domain type on a machine whose KVM runs no ordinary guest.
 */
#ifndef LC_HOSTFACTS_H
#define LC_HOSTFACTS_H

#include "opts.h"
#include "render.h"
#include "sysfs.h"

struct lc_virt;

/*
 * Refine libvirt's view (f->vendor, and f->kvm: libvirt offers the kvm
 * domain type) with the host's procfs and sysfs under root; sets
 * why_not_kvm when kvm ends up false. Pure but for reading root.
 */
void lc_host_facts_refine(const struct lc_sysroot *root, struct lc_host_facts *f);

/* libvirt's view of the host, refined with lc_host_facts_refine on o's roots. */
int lc_host_facts_probe(const struct lc_opts *o, struct lc_virt *v, struct lc_host_facts *f,
			struct lc_err *err);

/*
 * A host that is not this machine: libvirt's view alone, from its own
 * capabilities. Its /proc and /sys are out of reach, so a KVM that libvirt
 * offers but that runs no ordinary guest (kvm_pvm, no vmx/svm) is not seen.
 */
int lc_host_facts_probe_remote(struct lc_virt *v, struct lc_host_facts *f, struct lc_err *err);

struct lc_need_fact;
/*
 * What the kinds in templates need (a TPM emulator, EFI, secure boot) and
 * whether the host meets it, from the domain capabilities of the type the
 * kinds would get (kvm or qemu) and each template's machine: one fact per
 * need some kind has. Release with lc_need_facts_free.
 */
int lc_kind_needs(const char *templates, struct lc_virt *v, bool kvm, struct lc_need_fact **out,
		  size_t *n, struct lc_err *err);
void lc_need_facts_free(struct lc_need_fact *f, size_t n);

#endif

/*
 * What a host's libvirt offers a domain type, machine and arch (its domain
 * capabilities), and the decisions labctl takes from it: which Hyper-V
 * enlightenments and CPU features of a rendered domain to keep, and whether
 * the domain's needs (a TPM emulator, EFI firmware with secure boot) are met.
 * Pure: the capabilities come in as XML text, the domain as a tree.
 */
#ifndef LC_DOMCAPS_H
#define LC_DOMCAPS_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "err.h"
#include "strv.h"

struct lc_domcaps {
	char *domain;		  /* "kvm" or "qemu": the domain type they are for */
	char *machine;		  /* as libvirt resolved it: pc-q35-7.2 */
	bool hyperv_listed;	  /* <features><hyperv> is there: its list means something */
	struct lc_strv hyperv;	  /* enlightenments listed as supported */
	struct lc_strv cpu_lacks; /* host-model features libvirt marks policy='disable' */
	bool tpm_emulator;	  /* a TPM 2.0 emulator backend (swtpm) */
	bool efi;		  /* EFI firmware (OVMF) */
	bool efi_secure;	  /* ... with a secure-boot loader */
};

/* Parse libvirt's <domainCapabilities>; what names the source goes in errors. */
int lc_domcaps_parse(const char *what, const char *xml, size_t len, struct lc_domcaps *c,
		     struct lc_err *err);
void lc_domcaps_release(struct lc_domcaps *c);

/* A domain's needs: never dropped; missing ones stop up before anything is defined. */
enum lc_need {
	LC_NEED_TPM = 1 << 0,	      /* <tpm> with an emulator backend */
	LC_NEED_EFI = 1 << 1,	      /* <os firmware='efi'> or an EFI loader */
	LC_NEED_SECURE_BOOT = 1 << 2, /* ... with secure boot */
};
#define LC_NEED_ALL (LC_NEED_TPM | LC_NEED_EFI | LC_NEED_SECURE_BOOT)

/* The needs a domain's XML expresses (bits of enum lc_need). */
unsigned lc_domcaps_needs(xmlDocPtr dom);
/* Of needs, those c does not meet. */
unsigned lc_domcaps_missing(const struct lc_domcaps *c, unsigned needs);
/* The missing piece and its fix, for one need bit (static text). */
const char *lc_need_name(unsigned need);
const char *lc_need_fix(unsigned need);

/* The domain's <type machine= arch=>: q35, x86_64 when absent; borrowed from a static or dom. */
void lc_domcaps_key(xmlDocPtr dom, char **machine, char **arch);

/*
 * Remove from dom the Hyper-V enlightenments and required CPU features the
 * host does not offer under its accelerator (kvm: domain type kvm, else TCG),
 * with what depends on them. Each removal is added to dropped as
 * "hyperv.NAME" or "cpu.NAME" (the caller releases it). A feature
 * in require (those same names) that would be dropped fails instead:
 * LC_EXIT_RESOURCE naming it, dom unchanged. c NULL: nothing is filtered.
 */
int lc_domcaps_filter(xmlDocPtr dom, const struct lc_domcaps *c, bool kvm,
		      const char *const *require, size_t n_require, struct lc_strv *dropped,
		      struct lc_err *err);

/* Whether name is an enlightenment libvirt knows (for require: hyperv.NAME). */
bool lc_domcaps_hyperv_known(const char *name);

#endif

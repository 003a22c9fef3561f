/* Host facts: libvirt's view refined by a cheap look at the host; see host-facts.h. */

#include <string.h>

#include "buf.h"
#include "domcaps.h"
#include "fsutil.h"
#include "host-check.h"
#include "host-cpuinfo.h"
#include "host-facts.h"
#include "templates.h"
#include "sysfs.h"
#include "virt.h"

void lc_host_facts_refine(const struct lc_sysroot *root, struct lc_host_facts *f)
{
	f->why_not_kvm = f->kvm ? NULL : "libvirt offers no kvm domain type";
	char *cpuinfo = NULL;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_procfs_read(root, "cpuinfo", &cpuinfo, &ignore) == 0) {
		if (f->vendor == LC_VENDOR_UNKNOWN)
			f->vendor = lc_cpuinfo_vendor(cpuinfo);
		/* ordinary guests need VT-x or AMD-V under KVM */
		if (f->kvm && !lc_cpuinfo_has(cpuinfo, "flags", "vmx") &&
		    !lc_cpuinfo_has(cpuinfo, "flags", "svm")) {
			f->kvm = false;
			f->why_not_kvm = "the CPU shows no vmx or svm flag, so KVM cannot run "
					 "ordinary guests";
		}
	}
	free(cpuinfo);
	lc_err_release(&ignore);
	/* kvm_pvm serves /dev/kvm to PVM-aware guest kernels only */
	struct lc_sysdir d;
	if (f->kvm && lc_sysdir_open(root, "module/kvm_pvm", &d, &ignore) == 0) {
		lc_sysdir_close(&d);
		f->kvm = false;
		f->why_not_kvm = "/dev/kvm comes from kvm_pvm, which runs only PVM-aware guests";
	}
	lc_err_release(&ignore);
}

static const struct lc_domcaps *virt_domcaps(void *ctx, const char *type, const char *machine,
					     const char *arch, const char **why)
{
	return lc_virt_domcaps(ctx, type, machine, arch, why);
}

int lc_host_facts_probe(const struct lc_opts *o, struct lc_virt *v, struct lc_host_facts *f,
			struct lc_err *err)
{
	if (lc_virt_host_facts(v, f, err) < 0)
		return -1;
	struct lc_sysroot root = {o->sysfs, o->procfs, o->devfs};
	lc_host_facts_refine(&root, f);
	f->domcaps = virt_domcaps;
	f->domcaps_ctx = v;
	return 0;
}

int lc_host_facts_probe_remote(struct lc_virt *v, struct lc_host_facts *f, struct lc_err *err)
{
	if (lc_virt_host_facts(v, f, err) < 0)
		return -1;
	f->why_not_kvm = f->kvm ? NULL : "libvirt offers no kvm domain type";
	f->domcaps = virt_domcaps;
	f->domcaps_ctx = v;
	return 0;
}

int lc_kind_needs(const char *templates, struct lc_virt *v, bool kvm, struct lc_need_fact **out,
		  size_t *n, struct lc_err *err)
{
	*out = NULL;
	*n = 0;
	struct lc_strv kinds = LC_STRV_INIT;
	if (lc_template_kinds(templates, &kinds, err) < 0)
		return -1;
	struct lc_need_fact f[3] = {{.need = LC_NEED_TPM, .met = true},
				    {.need = LC_NEED_EFI, .met = true},
				    {.need = LC_NEED_SECURE_BOOT, .met = true}};
	struct lc_buf who[3] = {LC_BUF_INIT, LC_BUF_INIT, LC_BUF_INIT};
	for (size_t i = 0; i < kinds.n; i++) {
		char *path = lc_template_kind_path(templates, kinds.v[i]);
		struct lc_err ignore = LC_ERR_INIT;
		xmlDocPtr doc = lc_template_load(path, &ignore);
		lc_err_release(&ignore);
		free(path);
		if (!doc)
			continue; /* validate and up say what is wrong with it */
		unsigned needs = lc_domcaps_needs(doc);
		char *machine, *arch;
		lc_domcaps_key(doc, &machine, &arch);
		xmlFreeDoc(doc);
		const char *why = NULL;
		const struct lc_domcaps *c =
		    needs ? lc_virt_domcaps(v, kvm ? "kvm" : "qemu", machine, arch, &why) : NULL;
		free(machine);
		free(arch);
		for (size_t k = 0; k < 3; k++) {
			if (!(needs & f[k].need))
				continue;
			lc_buf_addf(&who[k], "%s%s", who[k].len ? ", " : "", kinds.v[i]);
			if (!c && !f[k].unknown)
				f[k].unknown = lc_strdup(why ? why : "no domain capabilities");
			else if (c)
				f[k].met &= k == 0   ? c->tpm_emulator
					    : k == 1 ? c->efi
						     : c->efi_secure;
		}
	}
	lc_strv_release(&kinds);
	for (size_t k = 0; k < 3; k++) {
		if (who[k].len) {
			*out = lc_realloc(*out, (*n + 1) * sizeof(**out));
			f[k].kinds = lc_strdup(lc_buf_str(&who[k]));
			(*out)[(*n)++] = f[k];
		} else {
			free(f[k].unknown);
		}
		lc_buf_release(&who[k]);
	}
	return 0;
}

void lc_need_facts_free(struct lc_need_fact *f, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(f[i].kinds);
		free(f[i].unknown);
	}
	free(f);
}

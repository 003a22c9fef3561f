/* Host facts: libvirt's view refined by a cheap look at the host; see host-facts.h. */

#include "host-cpuinfo.h"
#include "host-facts.h"
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

/* Host facts: libvirt's view refined by a cheap look at the host; see hostfacts.h. */
#include <string.h>

#include "hostfacts.h"
#include "sysfs.h"
#include "virt.h"

/* The first "flags" line of cpuinfo has word w. */
static bool cpu_flag(const char *cpuinfo, const char *w)
{
	const char *line = strstr(cpuinfo, "\nflags");
	if (!line)
		return false;
	const char *end = strchr(line + 1, '\n');
	size_t wl = strlen(w);
	for (const char *p = strstr(line, w); p && (!end || p < end); p = strstr(p + 1, w))
		if (p[-1] == ' ' && (p[wl] == ' ' || p[wl] == '\n' || p[wl] == '\0'))
			return true;
	return false;
}

void lc_host_facts_refine(const struct lc_sysroot *root, struct lc_host_facts *f)
{
	f->why_not_kvm = f->kvm ? NULL : "libvirt offers no kvm domain type";
	char *cpuinfo = NULL;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_procfs_read(root, "cpuinfo", &cpuinfo, &ignore) == 0) {
		if (f->vendor == LC_VENDOR_UNKNOWN && strstr(cpuinfo, "GenuineIntel"))
			f->vendor = LC_VENDOR_INTEL;
		else if (f->vendor == LC_VENDOR_UNKNOWN && strstr(cpuinfo, "AuthenticAMD"))
			f->vendor = LC_VENDOR_AMD;
		/* ordinary guests need VT-x or AMD-V under KVM */
		if (f->kvm && !cpu_flag(cpuinfo, "vmx") && !cpu_flag(cpuinfo, "svm")) {
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

int lc_host_facts_probe(const struct lc_opts *o, struct lc_virt *v, struct lc_host_facts *f,
			struct lc_err *err)
{
	if (lc_virt_host_facts(v, f, err) < 0)
		return -1;
	struct lc_sysroot root = {o->sysfs, o->procfs, o->devfs};
	lc_host_facts_refine(&root, f);
	return 0;
}

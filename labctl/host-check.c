/* Host pre-flight checks; see host-check.h. */
#include <ctype.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "host-cpuinfo.h"
#include "domcaps.h"
#include "host-check.h"
#include "pci-addr.h"
#include "pci.h"
#include "strv.h"

#define MODPROBE_PATH "/etc/modprobe.d/" LC_MODPROBE_FILE

struct host {
	const struct lc_sysroot *root;
	struct lc_sysdir sys;
	bool sys_ok;
	char *cpuinfo, *cmdline;
	enum lc_cpu_vendor vendor;
	struct lc_inventory own; /* read here, from sysfs */
	const struct lc_inventory *inv;
	bool inv_ok;
	bool inv_given;	       /* from libvirt: its functions are not below root */
	const char *inv_error; /* inv_given, and it could not be read: why */
};

const char *lc_verdict_name(enum lc_verdict v)
{
	return v == LC_PASS ? "PASS" : v == LC_WARN ? "WARN" : "FAIL";
}

static void add(struct lc_checks *c, const char *id, enum lc_verdict r, char *detail, char *fix)
{
	LC_GROW(c->v, c->cap, c->n + 1);
	c->v[c->n++] = (struct lc_check){id, r, detail, fix};
}

/* The inventory from libvirt could not be read: the check that needs it says so. */
static bool inv_unread(const struct host *h, struct lc_checks *c, const char *id)
{
	if (!h->inv_given || h->inv_ok)
		return false;
	add(c, id, LC_WARN,
	    lc_asprintf("not checked: %s", h->inv_error ? h->inv_error : "no PCI inventory"),
	    lc_strdup("make libvirt reachable (see libvirt), or use --inventory sysfs on the host "
		      "itself"));
	return true;
}

static bool cpu_has(const struct host *h, const char *key, const char *word)
{
	return lc_cpuinfo_has(h->cpuinfo, key, word);
}

/*
 * What the kernel command line last said of a switch: 1 when the last of
 * on/off among every name=a,b,c (in order, as the kernel applies them) is
 * on, 0 when off, -1 when neither appears. Quotes group words, as the
 * kernel's next_arg() reads them, and arguments after "--" are init's.
 */
static int cmdline_switch(const char *cmdline, const char *name, const char *on, const char *off)
{
	int state = -1;
	size_t nl = strlen(name);
	for (const char *p = cmdline; p && *p;) {
		while (isspace((unsigned char)*p))
			p++;
		const char *start = p;
		for (bool quoted = false; *p && (quoted || !isspace((unsigned char)*p)); p++)
			if (*p == '"')
				quoted = !quoted;
		size_t len = (size_t)(p - start);
		if (len == 2 && memcmp(start, "--", 2) == 0)
			break;
		/* the kernel's next_arg() takes "name=value" whole, quotes dropped */
		if (*start == '"') {
			start++;
			len--;
		}
		if (len <= nl || memcmp(start, name, nl) != 0 || start[nl] != '=')
			continue;
		struct lc_buf v = LC_BUF_INIT;
		for (const char *q = start + nl + 1; q < p; q++)
			if (*q != '"')
				lc_buf_addc(&v, *q);
		char *vals = lc_buf_detach(&v);
		for (char *tok = vals, *next; tok; tok = next) {
			next = strchr(tok, ',');
			if (next)
				*next++ = '\0';
			if (on && strcmp(tok, on) == 0)
				state = 1;
			else if (off && strcmp(tok, off) == 0)
				state = 0;
		}
		free(vals);
	}
	return state;
}

/* A module parameter as its file says it ("Y", "1"); -1 when the module or parameter is absent. */
static int param_text(const struct host *h, const char *module, const char *name, char *buf, int n)
{
	char path[128];
	snprintf(path, sizeof(path), "module/%s/parameters/%s", module, name);
	if (!h->sys_ok || lc_sysdir_read(&h->sys, path, buf, n) <= 0)
		return -1;
	return 0;
}

/* A module parameter: 1 for Y/1, 0 for N/0, -1 when the module or parameter is absent. */
static int param(const struct host *h, const char *module, const char *name)
{
	char buf[16];
	if (param_text(h, module, name, buf, sizeof(buf)) < 0)
		return -1;
	return buf[0] == 'Y' || buf[0] == 'y' || buf[0] == '1';
}

static bool sys_exists(const struct host *h, const char *rel)
{
	struct lc_sysdir d;
	if (!h->sys_ok || lc_sysdir_open_at(&h->sys, rel, &d) < 0)
		return false;
	lc_sysdir_close(&d);
	return true;
}

static int count_entries_cb(void *ctx, const char *name)
{
	(void)name;
	(*(size_t *)ctx)++;
	return 0;
}

static size_t count_entries(const struct host *h, const char *rel)
{
	size_t n = 0;
	if (h->sys_ok)
		lc_sysdir_each(&h->sys, rel, count_entries_cb, &n);
	return n;
}

static const char *kvm_mod(const struct host *h)
{
	return h->vendor == LC_VENDOR_AMD ? "kvm_amd" : "kvm_intel";
}

static const char *kvm_opt(const struct host *h)
{
	return h->vendor == LC_VENDOR_AMD ? "kvm-amd" : "kvm-intel";
}

static void check_cpu(const struct host *h, struct lc_checks *c)
{
	const char *flag = h->vendor == LC_VENDOR_AMD ? "svm" : "vmx";
	if (cpu_has(h, "flags", "vmx") || cpu_has(h, "flags", "svm"))
		add(c, "cpu-virt", LC_PASS, lc_asprintf("the CPU has %s", flag), NULL);
	else
		add(c, "cpu-virt", LC_FAIL,
		    lc_asprintf("the CPU shows no %s flag in cpuinfo",
				h->vendor == LC_VENDOR_UNKNOWN ? "vmx or svm" : flag),
		    lc_asprintf("enable %s in the firmware (BIOS/UEFI) setup; in a VM, give it "
				"the %s flag (nested on its host)",
				h->vendor == LC_VENDOR_AMD ? "AMD-V (SVM)" : "VT-x", flag));
}

/* libvirt runs QEMU in group kvm (Debian's libvirt-qemu, Fedora's qemu are members). */
static bool qemu_can_open(const struct stat *st)
{
	if ((st->st_mode & 0006) == 0006)
		return true;
	const struct group *g = getgrnam("kvm");
	return g && st->st_gid == g->gr_gid && (st->st_mode & 0060) == 0060;
}

/* "root:kvm 0660", numbers where the names are unknown */
static char *owner_mode(const struct stat *st)
{
	const struct passwd *u = getpwuid(st->st_uid);
	const struct group *g = getgrgid(st->st_gid);
	char uid[16], gid[16];
	snprintf(uid, sizeof(uid), "%u", (unsigned)st->st_uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)st->st_gid);
	return lc_asprintf("%s:%s %04o", u ? u->pw_name : uid, g ? g->gr_name : gid,
			   (unsigned)(st->st_mode & 07777));
}

/* The device node: without udev nobody creates it or gives it to group kvm. */
static void check_kvm_node(const struct host *h, struct lc_checks *c)
{
	struct stat st;
	if (lc_devfs_stat(h->root, "kvm", &st) < 0) {
		char dev[32] = "";
		if (lc_sysdir_read(&h->sys, "class/misc/kvm/dev", dev, sizeof(dev)) <= 0)
			snprintf(dev, sizeof(dev), "10:232");
		char *sp = strchr(dev, ':');
		if (sp)
			*sp = ' ';
		add(c, "kvm-device", LC_WARN,
		    lc_strdup("the kvm module is loaded but there is no /dev/kvm node (no udev?): "
			      "labs run under TCG"),
		    lc_asprintf("mknod /dev/kvm c %s; chgrp kvm /dev/kvm; chmod 0660 /dev/kvm",
				dev));
		return;
	}
	char *om = owner_mode(&st);
	if (!qemu_can_open(&st))
		add(c, "kvm-device", LC_WARN,
		    lc_asprintf(
			"/dev/kvm is %s: libvirt's QEMU (group kvm) cannot open it, so labs "
			"run under TCG and libvirt probes QEMU again on every call",
			om),
		    lc_strdup("chgrp kvm /dev/kvm; chmod 0660 /dev/kvm (udev's rule does this at "
			      "boot: KERNEL==\"kvm\", GROUP=\"kvm\", MODE=\"0660\")"));
	else
		add(c, "kvm-device", LC_PASS, lc_asprintf("/dev/kvm from %s, %s", kvm_mod(h), om),
		    NULL);
	free(om);
}

static void check_kvm(const struct host *h, struct lc_checks *c)
{
	if (!sys_exists(h, "class/misc/kvm"))
		add(c, "kvm-device", LC_FAIL, lc_strdup("no /dev/kvm (class/misc/kvm is absent)"),
		    lc_asprintf("modprobe %s (and kvm); check that the CPU flag is enabled",
				kvm_mod(h)));
	else if (sys_exists(h, "module/kvm_pvm"))
		add(c, "kvm-device", LC_WARN,
		    lc_strdup("/dev/kvm comes from kvm_pvm, which runs only PVM-aware guests: "
			      "labs run under TCG"),
		    lc_asprintf("use a host with hardware virtualization and %s", kvm_mod(h)));
	else if (!cpu_has(h, "flags", "vmx") && !cpu_has(h, "flags", "svm"))
		add(c, "kvm-device", LC_WARN,
		    lc_strdup("/dev/kvm exists but the CPU has no vmx/svm: labs run under TCG"),
		    lc_strdup("enable hardware virtualization (see cpu-virt)"));
	else if (h->root->dev)
		check_kvm_node(h, c);
	else
		add(c, "kvm-device", LC_PASS, lc_asprintf("/dev/kvm from %s", kvm_mod(h)), NULL);
}

static void check_nested(const struct host *h, struct lc_checks *c)
{
	char text[16];
	int v = param(h, kvm_mod(h), "nested");
	char *fix = lc_asprintf("add 'options %s nested=1' to " MODPROBE_PATH " (labctl host "
				"prepare writes it), then 'modprobe -r %s; modprobe %s' with no VM "
				"running, or reboot",
				kvm_opt(h), kvm_mod(h), kvm_mod(h));
	if (v == 1 && param_text(h, kvm_mod(h), "nested", text, sizeof(text)) == 0) {
		add(c, "nested", LC_PASS, lc_asprintf("%s nested=%s", kvm_mod(h), text), NULL);
		free(fix);
	} else if (v == 0) {
		add(c, "nested", LC_FAIL, lc_asprintf("%s nested is off", kvm_mod(h)), fix);
	} else {
		add(c, "nested", LC_FAIL, lc_asprintf("%s is not loaded", kvm_mod(h)), fix);
	}
}

static void check_shadow(const struct host *h, struct lc_checks *c)
{
	if (h->vendor == LC_VENDOR_AMD) {
		add(c, "shadow-vmcs", LC_PASS, lc_strdup("not applicable on AMD"), NULL);
		return;
	}
	int v = param(h, "kvm_intel", "enable_shadow_vmcs");
	bool cpu = cpu_has(h, "vmx flags", "shadow_vmcs");
	if (v == 1 && cpu)
		add(c, "shadow-vmcs", LC_PASS,
		    lc_strdup("kvm_intel enable_shadow_vmcs=Y, CPU has it"), NULL);
	else if (!cpu)
		add(c, "shadow-vmcs", LC_WARN,
		    lc_strdup("the CPU has no VMCS shadowing (before Haswell): nested guests run, "
			      "more slowly"),
		    lc_strdup("none on this CPU; a Haswell or later Xeon has it"));
	else
		add(c, "shadow-vmcs", LC_WARN,
		    lc_strdup(v == 0 ? "kvm_intel enable_shadow_vmcs is off"
				     : "kvm_intel is not loaded"),
		    lc_strdup("add 'options kvm-intel enable_shadow_vmcs=1' to " MODPROBE_PATH
			      " (labctl host prepare writes it), then reload kvm_intel or reboot"));
}

static void check_iommu(const struct host *h, struct lc_checks *c)
{
	size_t units = count_entries(h, "class/iommu");
	size_t groups = count_entries(h, "kernel/iommu_groups");
	bool amd = h->vendor == LC_VENDOR_AMD;
	/* AMD-Vi is on unless amd_iommu=off; amd_iommu has no "on" */
	char *fix = lc_asprintf("enable %s in the firmware, add '%s' to GRUB_CMDLINE_LINUX in "
				"/etc/default/grub (and remove any %s), run update-grub and reboot",
				amd ? "AMD-Vi (IOMMU)" : "VT-d",
				amd ? "iommu=pt" : "intel_iommu=on iommu=pt",
				amd ? "amd_iommu=off" : "intel_iommu=off");
	if (!groups) {
		add(c, "iommu", LC_FAIL,
		    lc_asprintf("no IOMMU groups (%zu IOMMU units): passthrough is impossible",
				units),
		    fix);
		return;
	}
	bool on = amd ? cmdline_switch(h->cmdline, "amd_iommu", NULL, "off") != 0
		      : cmdline_switch(h->cmdline, "intel_iommu", "on", "off") == 1;
	bool pt = cmdline_switch(h->cmdline, "iommu", "pt", "nopt") == 1;
	if (!on || !pt) {
		add(c, "iommu", LC_WARN,
		    lc_asprintf("%zu IOMMU groups, but the kernel command line %s", groups,
				!on ? (amd ? "has amd_iommu=off" : "lacks intel_iommu=on")
				    : "lacks iommu=pt (host devices pay for translation)"),
		    fix);
		return;
	}
	add(c, "iommu", LC_PASS, lc_asprintf("%zu IOMMU units, %zu groups", units, groups), NULL);
	free(fix);
}

int lc_pcie_ext_cap(const unsigned char *cfg, size_t len, unsigned id)
{
	if (len < 0x104)
		return -1;
	unsigned off = 0x100;
	for (int guard = 0; off >= 0x100 && off + 4 <= len && guard < 128; guard++) {
		uint32_t hdr = (uint32_t)cfg[off] | (uint32_t)cfg[off + 1] << 8 |
			       (uint32_t)cfg[off + 2] << 16 | (uint32_t)cfg[off + 3] << 24;
		if (hdr == 0 || hdr == 0xffffffffu)
			return 0;
		if ((hdr & 0xffff) == id)
			return (int)off;
		off = (hdr >> 20) & 0xffc;
	}
	return 0;
}

struct acs_walk {
	struct lc_buf missing, unreadable, nopath;
	struct lc_strv seen; /* devices checked, each once: PFs share their root port */
};

static void acs_device(const struct host *h, struct acs_walk *w, const char *addr)
{
	if (!lc_strv_push_unique(&w->seen, addr))
		return;
	unsigned char cfg[4096];
	char cpath[600];
	snprintf(cpath, sizeof(cpath), "bus/pci/devices/%s/config", addr);
	int n = lc_sysdir_read_raw(&h->sys, cpath, cfg, sizeof(cfg));
	int at = n > 0 ? lc_pcie_ext_cap(cfg, (size_t)n, 0x000D) : -1;
	struct lc_buf *into = at < 0 ? &w->unreadable : at == 0 ? &w->missing : NULL;
	if (into)
		lc_buf_addf(into, "%s%s", into->len ? ", " : "", addr);
}

/* The PF's path from its root port, read from its link into devices/; false when unknown. */
static bool acs_path(const struct host *h, struct acs_walk *w, const struct lc_pci_fn *f)
{
	char link[512], rel[64];
	snprintf(rel, sizeof(rel), "bus/pci/devices/%s", f->addr);
	if (!h->sys_ok || lc_sysdir_readlink(&h->sys, rel, link, sizeof(link)) < 0)
		return false;
	bool self = false;
	for (char *tok = link, *next; tok; tok = next) {
		next = strchr(tok, '/');
		if (next)
			*next++ = '\0';
		struct lc_pci_addr pa;
		/* "pci0000:00" names the root bus, not a device */
		if (lc_pci_addr_parse(tok, &pa) < 0)
			continue;
		acs_device(h, w, tok);
		self = strcmp(tok, f->addr) == 0;
	}
	return self;
}

/* ACS on every device from each PF up to its root port, read from config. */
static void check_acs(const struct host *h, struct lc_checks *c)
{
	if (inv_unread(h, c, "acs"))
		return;
	struct acs_walk w = {LC_BUF_INIT, LC_BUF_INIT, LC_BUF_INIT, LC_STRV_INIT};
	size_t pfs = 0, lost = 0;
	for (size_t i = 0; h->inv_ok && i < h->inv->n; i++) {
		const struct lc_pci_fn *f = &h->inv->fns[i];
		if (!f->sriov)
			continue;
		pfs++;
		if (!h->inv_given && !acs_path(h, &w, f)) {
			lost++;
			lc_buf_addf(&w.nopath, "%s%s", w.nopath.len ? ", " : "", f->addr);
		}
	}
	if (!pfs) {
		add(c, "acs", LC_PASS, lc_strdup("no SR-IOV device to check"), NULL);
	} else if (h->inv_given) {
		add(c, "acs", LC_WARN,
		    lc_asprintf("not checked on %zu SR-IOV PF%s: the PCI inventory comes from "
				"libvirt's node devices, which do not show ACS",
				pfs, pfs == 1 ? "" : "s"),
		    lc_strdup("run labctl host check on that host itself"));
	} else if (w.missing.len || w.unreadable.len || w.nopath.len) {
		struct lc_buf d = LC_BUF_INIT, fix = LC_BUF_INIT;
		if (w.missing.len) {
			lc_buf_addf(&d, "no ACS capability on %s: their VFs may share IOMMU groups",
				    lc_buf_str(&w.missing));
			lc_buf_adds(&fix, "enable ACS in the firmware setup, or put the card in a "
					  "slot whose root port has ACS");
		}
		if (w.unreadable.len) {
			lc_buf_addf(&d, "%scannot read the extended config space of %s",
				    d.len ? "; " : "", lc_buf_str(&w.unreadable));
			lc_buf_addf(&fix,
				    "%srun labctl host check as root (config space past 256 "
				    "bytes is root's)",
				    fix.len ? "; " : "");
		}
		if (w.nopath.len) {
			lc_buf_addf(&d,
				    "%scannot find the path to the root port of %zu SR-IOV PF%s "
				    "(%s): not checked",
				    d.len ? "; " : "", lost, lost == 1 ? "" : "s",
				    lc_buf_str(&w.nopath));
			lc_buf_addf(&fix,
				    "%slook for 'Access Control Services' on each bridge above %s "
				    "in lspci -vvv",
				    fix.len ? "; " : "", lc_buf_str(&w.nopath));
		}
		add(c, "acs", LC_WARN, lc_buf_detach(&d), lc_buf_detach(&fix));
	} else {
		add(c, "acs", LC_PASS,
		    lc_asprintf("ACS on all %zu devices on the path of %zu SR-IOV PFs", w.seen.n,
				pfs),
		    NULL);
	}
	lc_strv_release(&w.seen);
	lc_buf_release(&w.missing);
	lc_buf_release(&w.unreadable);
	lc_buf_release(&w.nopath);
}

static void check_sriov(const struct host *h, struct lc_checks *c)
{
	if (inv_unread(h, c, "sriov"))
		return;
	struct lc_buf b = LC_BUF_INIT, idle = LC_BUF_INIT;
	size_t pfs = 0;
	for (size_t i = 0; h->inv_ok && i < h->inv->n; i++) {
		const struct lc_pci_fn *f = &h->inv->fns[i];
		if (!f->sriov)
			continue;
		pfs++;
		lc_buf_addf(&b, "%s%s %s %u/%u VFs", b.len ? ", " : "", f->addr,
			    f->netdev[0] ? f->netdev : "-", f->numvfs, f->totalvfs);
		if (!f->numvfs)
			lc_buf_addf(&idle, "%s%s", idle.len ? " " : "",
				    f->netdev[0] ? f->netdev : f->addr);
	}
	if (!pfs)
		add(c, "sriov", LC_WARN, lc_strdup("no SR-IOV capable device"),
		    lc_strdup("labs can still run, without VFs"));
	else if (idle.len)
		add(c, "sriov", LC_WARN, lc_buf_detach(&b),
		    lc_asprintf("create VFs: labctl host prepare --pf NAME (for %s)",
				lc_buf_str(&idle)));
	else
		add(c, "sriov", LC_PASS, lc_buf_detach(&b), NULL);
	lc_buf_release(&b);
	lc_buf_release(&idle);
}

struct member {
	int group;
	bool vf;
};

static int cmp_member(const void *a, const void *b)
{
	int x = ((const struct member *)a)->group, y = ((const struct member *)b)->group;
	return (x > y) - (x < y);
}

static void check_groups(const struct host *h, struct lc_checks *c)
{
	if (inv_unread(h, c, "iommu-groups"))
		return;
	size_t vfs = 0, shared = 0, host = 0, n = 0;
	/* one sort by group, not each VF against every function: hosts have thousands */
	struct member *m = lc_calloc((h->inv_ok ? h->inv->n : 0) + 1, sizeof(*m));
	for (size_t i = 0; h->inv_ok && i < h->inv->n; i++) {
		const struct lc_pci_fn *f = &h->inv->fns[i];
		vfs += lc_fn_is_vf(f);
		if (f->group >= 0 && !lc_fn_is_bridge(f))
			m[n++] = (struct member){f->group, lc_fn_is_vf(f)};
	}
	qsort(m, n, sizeof(*m), cmp_member);
	for (size_t i = 0, end; i < n; i = end) {
		size_t nv = 0, nh = 0;
		for (end = i; end < n && m[end].group == m[i].group; end++)
			m[end].vf ? nv++ : nh++;
		if (nh)
			host += nv;
		else if (nv > 1)
			shared += nv;
	}
	free(m);
	if (!vfs)
		add(c, "iommu-groups", LC_PASS, lc_strdup("no VFs to check"), NULL);
	else if (host || shared)
		add(c, "iommu-groups", LC_WARN,
		    lc_asprintf("of %zu VFs, %zu share an IOMMU group with a host device and %zu "
				"with other VFs (they go only whole groups at a time)",
				vfs, host, shared),
		    lc_strdup("enable ACS (see acs); labctl never passes a group the host keeps"));
	else
		add(c, "iommu-groups", LC_PASS,
		    lc_asprintf("all %zu VFs are alone in their IOMMU groups", vfs), NULL);
}

static void check_msrs(const struct host *h, struct lc_checks *c)
{
	int v = param(h, "kvm", "ignore_msrs");
	if (v == 1)
		add(c, "ignore-msrs", LC_PASS, lc_strdup("kvm ignore_msrs=Y"), NULL);
	else
		add(c, "ignore-msrs", LC_WARN,
		    lc_strdup(v == 0 ? "kvm ignore_msrs is off: ESXi L1s crash on unknown MSRs"
				     : "kvm is not loaded"),
		    lc_strdup(
			"add 'options kvm ignore_msrs=1 report_ignored_msrs=0' to " MODPROBE_PATH
			" (labctl host prepare writes it), then reload kvm or reboot"));
}

static void check_libvirt(const struct lc_libvirt_fact *lv, struct lc_checks *c)
{
	if (!lv->error)
		add(c, "libvirt", LC_PASS, lc_asprintf("%s answers", lv->uri), NULL);
	else
		add(c, "libvirt", LC_FAIL, lc_strdup(lv->error),
		    lc_strdup("install libvirt-daemon-system and start libvirtd (systemctl start "
			      "libvirtd, or virtlogd -d; libvirtd -d)"));
}

/*
 * A need only some kinds have is a warning, not a failure: the host still
 * serves the other kinds, and up refuses a lab using one of these.
 */
static void check_needs(const struct lc_libvirt_fact *lv, struct lc_checks *c)
{
	static const char *const ids[] = {"tpm-emulator", "efi-firmware", "secure-boot"};
	for (size_t i = 0; i < lv->n_needs; i++) {
		const struct lc_need_fact *f = &lv->needs[i];
		size_t bit = 0;
		while (bit < 2 && !(f->need & (1u << bit)))
			bit++;
		if (f->unknown)
			add(c, ids[bit], LC_PASS,
			    lc_asprintf("%s (kinds %s): not known, %s", lc_need_name(f->need),
					f->kinds, f->unknown),
			    NULL);
		else if (f->met)
			add(c, ids[bit], LC_PASS,
			    lc_asprintf("%s, which kinds %s need", lc_need_name(f->need), f->kinds),
			    NULL);
		else
			add(c, ids[bit], LC_WARN,
			    lc_asprintf("missing %s: kinds %s cannot start", lc_need_name(f->need),
					f->kinds),
			    lc_strdup(lc_need_fix(f->need)));
	}
}

void lc_host_check(const struct lc_sysroot *root, const struct lc_libvirt_fact *lv,
		   struct lc_checks *out)
{
	memset(out, 0, sizeof(*out));
	struct host h = {.root = root};
	struct lc_err ignore = LC_ERR_INIT;
	h.sys_ok = lc_sysdir_open(root, ".", &h.sys, &ignore) == 0;
	lc_procfs_read(root, "cpuinfo", &h.cpuinfo, &ignore);
	lc_procfs_read(root, "cmdline", &h.cmdline, &ignore);
	lc_err_release(&ignore);
	h.vendor = lc_cpuinfo_vendor(h.cpuinfo);
	if (lv->nodedev) {
		h.inv = lv->inv;
		h.inv_ok = lv->inv != NULL;
		h.inv_given = true;
		h.inv_error = lv->inv_error;
	} else {
		struct lc_inventory_source src;
		lc_inventory_sysfs_source(root, &src);
		h.inv_ok = lc_inventory_load(&src, &h.own, &ignore) == 0;
		h.inv = &h.own;
		lc_err_release(&ignore);
	}
	check_cpu(&h, out);
	check_kvm(&h, out);
	check_nested(&h, out);
	check_shadow(&h, out);
	check_iommu(&h, out);
	check_acs(&h, out);
	check_sriov(&h, out);
	check_groups(&h, out);
	check_msrs(&h, out);
	check_libvirt(lv, out);
	check_needs(lv, out);
	if (h.inv_ok && !h.inv_given)
		lc_inventory_release(&h.own);
	if (h.sys_ok)
		lc_sysdir_close(&h.sys);
	free(h.cpuinfo);
	free(h.cmdline);
}

void lc_checks_release(struct lc_checks *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].detail);
		free(c->v[i].fix);
	}
	free(c->v);
	memset(c, 0, sizeof(*c));
}

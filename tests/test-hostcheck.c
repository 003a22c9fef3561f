/*
 * host check on fixture hosts (tests/mksysfs.py host ...): a test per
 * verdict, vendor-aware fixes, and the PCIe extended capability walk that
 * finds ACS in a config space.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "testutil.h"
#include "host-cpuinfo.h"
#include "host-check.h"
#include "pci.h"
#include "host-facts.h"
#include "virt.h"

static struct lc_checks run(const char *host)
{
	char *sys = lc_asprintf("%s/tests/out/hosts/%s/sys", t_srcdir(), host);
	char *proc = lc_asprintf("%s/tests/out/hosts/%s/proc", t_srcdir(), host);
	char *dev = lc_asprintf("%s/tests/out/hosts/%s/dev", t_srcdir(), host);
	struct lc_sysroot root = {sys, proc, dev};
	struct lc_libvirt_fact lv = {.uri = "test:///default"};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	free(sys);
	free(proc);
	free(dev);
	return c;
}

/* "user:group" of the fixture's dev/kvm: whoever built the fixture, root or not */
static char *kvm_owner(const char *host)
{
	char *path = lc_asprintf("%s/tests/out/hosts/%s/dev/kvm", t_srcdir(), host);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	free(path);
	const struct passwd *u = getpwuid(st.st_uid);
	const struct group *g = getgrgid(st.st_gid);
	assert_non_null(u);
	assert_non_null(g);
	return lc_asprintf("%s:%s", u->pw_name, g->gr_name);
}

static const struct lc_check *get(const struct lc_checks *c, const char *id)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].id, id) == 0)
			return &c->v[i];
	fail_msg("no check %s", id);
	return NULL;
}

/* The verdict of id, and (when given) words its detail or fix must hold. */
static void expect(const struct lc_checks *c, const char *id, enum lc_verdict r,
		   const char *in_detail, const char *in_fix)
{
	const struct lc_check *k = get(c, id);
	if (k->result != r)
		fail_msg("%s: %s (%s), want %s", id, lc_verdict_name(k->result), k->detail,
			 lc_verdict_name(r));
	if (in_detail && !strstr(k->detail, in_detail))
		fail_msg("%s: detail '%s' lacks '%s'", id, k->detail, in_detail);
	if (r == LC_PASS)
		assert_null(k->fix);
	else
		assert_non_null(k->fix);
	if (in_fix && !strstr(k->fix, in_fix))
		fail_msg("%s: fix '%s' lacks '%s'", id, k->fix, in_fix);
}

static void test_intel_good(void **state)
{
	(void)state;
	struct lc_checks c = run("intel-good");
	assert_int_equal(c.n, 10);
	for (size_t i = 0; i < c.n; i++)
		if (c.v[i].result != LC_PASS)
			fail_msg("%s: %s", c.v[i].id, c.v[i].detail);
	expect(&c, "nested", LC_PASS, "kvm_intel nested=Y", NULL);
	expect(&c, "sriov", LC_PASS, "ens1f0 4/8 VFs", NULL);
	/* the root port both PFs sit under counts once */
	expect(&c, "acs", LC_PASS, "ACS on all 3 devices on the path of 2 SR-IOV PFs", NULL);
	char *own = kvm_owner("intel-good");
	char *want = lc_asprintf("/dev/kvm from kvm_intel, %s 0666", own);
	expect(&c, "kvm-device", LC_PASS, want, NULL);
	free(want);
	free(own);
	lc_checks_release(&c);
}

static void test_intel_bad(void **state)
{
	(void)state;
	struct lc_checks c = run("intel-bad");
	expect(&c, "cpu-virt", LC_PASS, "vmx", NULL);
	/* the fixes name the file host prepare writes */
	expect(&c, "nested", LC_FAIL, "nested is off",
	       "add 'options kvm-intel nested=1' to /etc/modprobe.d/labctl-kvm.conf");
	expect(&c, "shadow-vmcs", LC_WARN, "enable_shadow_vmcs is off",
	       "add 'options kvm-intel enable_shadow_vmcs=1' to /etc/modprobe.d/labctl-kvm.conf");
	expect(&c, "iommu", LC_FAIL, "no IOMMU groups", "intel_iommu=on iommu=pt");
	expect(&c, "sriov", LC_WARN, "ens1f0 0/8 VFs", "labctl host prepare --pf");
	expect(&c, "iommu-groups", LC_PASS, "no VFs", NULL);
	expect(&c, "ignore-msrs", LC_WARN, "ESXi",
	       "report_ignored_msrs=0' to /etc/modprobe.d/labctl-kvm.conf");
	lc_checks_release(&c);
}

static void test_intel_old(void **state)
{
	(void)state;
	struct lc_checks c = run("intel-old");
	expect(&c, "shadow-vmcs", LC_WARN, "the CPU has no VMCS shadowing", NULL);
	expect(&c, "nested", LC_PASS, NULL, NULL);
	lc_checks_release(&c);
}

static void test_amd(void **state)
{
	(void)state;
	struct lc_checks c = run("amd-good");
	expect(&c, "cpu-virt", LC_PASS, "svm", NULL);
	expect(&c, "nested", LC_PASS, "kvm_amd nested=1", NULL);
	expect(&c, "shadow-vmcs", LC_PASS, "not applicable on AMD", NULL);
	/* root:kvm 0660 when the fixture could give it to group kvm, else its builder's 0666 */
	char *own = kvm_owner("amd-good");
	char *want = lc_asprintf("/dev/kvm from kvm_amd, %s 06", own);
	expect(&c, "kvm-device", LC_PASS, want, NULL);
	free(want);
	free(own);
	expect(&c, "iommu", LC_PASS, NULL, NULL);
	expect(&c, "acs", LC_WARN, "no ACS capability on 0000:d7:00.0", "ACS");
	expect(&c, "iommu-groups", LC_WARN, "8 with other VFs", NULL);
	lc_checks_release(&c);
	c = run("amd-nonested");
	expect(&c, "nested", LC_FAIL, "kvm_amd nested is off", "options kvm-amd nested=1");
	lc_checks_release(&c);
}

static void test_noroot_and_novirt(void **state)
{
	(void)state;
	struct lc_checks c = run("noroot");
	expect(&c, "acs", LC_WARN, "cannot read the extended config space", "as root");
	lc_checks_release(&c);
	c = run("novirt");
	expect(&c, "cpu-virt", LC_FAIL, "no svm flag", "AMD-V");
	expect(&c, "kvm-device", LC_WARN, "kvm_pvm", NULL);
	lc_checks_release(&c);
}

static void test_nopt_nokvm(void **state)
{
	(void)state;
	struct lc_checks c = run("nopt");
	expect(&c, "iommu", LC_WARN, "lacks iommu=pt", "intel_iommu=on iommu=pt");
	lc_checks_release(&c);
	c = run("nointeliommu");
	expect(&c, "iommu", LC_WARN, "the kernel command line lacks intel_iommu=on",
	       "add 'intel_iommu=on iommu=pt' to GRUB_CMDLINE_LINUX");
	lc_checks_release(&c);
	c = run("nokvm");
	expect(&c, "kvm-device", LC_FAIL, "no /dev/kvm", "modprobe kvm_intel");
	expect(&c, "nested", LC_FAIL, "kvm_intel is not loaded", NULL);
	/* the CPU has VMCS shadowing; the module that would use it is missing */
	expect(&c, "shadow-vmcs", LC_WARN, "kvm_intel is not loaded",
	       "options kvm-intel enable_shadow_vmcs=1");
	expect(&c, "ignore-msrs", LC_WARN, "kvm is not loaded", NULL);
	lc_checks_release(&c);
}

/* Without udev: no node at all, or one that libvirt's QEMU cannot open. */
static void test_kvm_node(void **state)
{
	(void)state;
	struct lc_checks c = run("nodevkvm");
	expect(&c, "kvm-device", LC_WARN, "no /dev/kvm node",
	       "mknod /dev/kvm c 10 232; chgrp kvm /dev/kvm; chmod 0660 /dev/kvm");
	lc_checks_release(&c);
	c = run("kvm600");
	char *own = kvm_owner("kvm600");
	char *want =
	    lc_asprintf("/dev/kvm is %s 0600: libvirt's QEMU (group kvm) cannot open it", own);
	expect(&c, "kvm-device", LC_WARN, want, "chgrp kvm /dev/kvm");
	free(want);
	free(own);
	lc_checks_release(&c);
}

/* /dev/kvm there, though the CPU shows no vmx: not kvm_pvm, yet no hardware KVM either */
static void test_kvm_without_vmx(void **state)
{
	(void)state;
	struct lc_checks c = run("kvm-novmx");
	expect(&c, "cpu-virt", LC_FAIL, "no vmx flag", "VT-x");
	expect(&c, "kvm-device", LC_WARN, "/dev/kvm exists but the CPU has no vmx/svm",
	       "enable hardware virtualization");
	lc_checks_release(&c);
}

static void test_amd_no_iommu(void **state)
{
	(void)state;
	struct lc_checks c = run("amd-noiommu");
	expect(&c, "iommu", LC_FAIL, "no IOMMU groups (0 IOMMU units)", "enable AMD-Vi (IOMMU)");
	/* AMD has no amd_iommu=on; what turns it off is what to remove */
	expect(&c, "iommu", LC_FAIL, NULL, "add 'iommu=pt' to GRUB_CMDLINE_LINUX");
	expect(&c, "iommu", LC_FAIL, NULL, "remove any amd_iommu=off");
	lc_checks_release(&c);
}

static void test_no_sriov(void **state)
{
	(void)state;
	struct lc_checks c = run("nosriov");
	expect(&c, "acs", LC_PASS, "no SR-IOV device to check", NULL);
	expect(&c, "sriov", LC_WARN, "no SR-IOV capable device", "labs can still run, without VFs");
	expect(&c, "iommu-groups", LC_PASS, "no VFs to check", NULL);
	lc_checks_release(&c);
}

static void test_vf_shares_with_host(void **state)
{
	(void)state;
	struct lc_checks c = run("vf-hostshared");
	expect(&c, "iommu-groups", LC_WARN,
	       "of 8 VFs, 1 share an IOMMU group with a host device and 0 with other VFs",
	       "labctl never passes a group the host keeps");
	lc_checks_release(&c);
}

/* Every device from the PF up is read, and only the one lacking ACS is named. */
static void test_acs_paths(void **state)
{
	(void)state;
	struct lc_checks c = run("acs-switch");
	expect(&c, "acs", LC_WARN,
	       "no ACS capability on 0000:d9:00.0: their VFs may share IOMMU groups",
	       "enable ACS in the firmware setup");
	const struct lc_check *k = get(&c, "acs");
	assert_null(strstr(k->detail, "0000:d8:00.0"));
	assert_null(strstr(k->detail, "0000:d7:00.0"));
	assert_null(strstr(k->detail, "0000:da:"));
	lc_checks_release(&c);
	/* Intel VMD's domain 10000: the walk reads those addresses too */
	c = run("vmd");
	expect(&c, "acs", LC_PASS, "ACS on all 4 devices on the path of 2 SR-IOV PFs", NULL);
	lc_checks_release(&c);
	/* a PF whose path cannot be followed is a WARN, never a silent PASS */
	c = run("acs-nolink");
	expect(&c, "acs", LC_WARN,
	       "cannot find the path to the root port of 1 SR-IOV PF (0000:5e:00.0): not checked",
	       "bridge above 0000:5e:00.0");
	assert_null(strstr(get(&c, "acs")->detail, "no ACS"));
	lc_checks_release(&c);
}

/* Hygon is AMD's Zen; a vendor neither names is known by its flag. */
static void test_cpu_kinds(void **state)
{
	(void)state;
	struct lc_checks c = run("hygon");
	expect(&c, "cpu-virt", LC_PASS, "the CPU has svm", NULL);
	expect(&c, "kvm-device", LC_PASS, "/dev/kvm from kvm_amd", NULL);
	expect(&c, "nested", LC_PASS, "kvm_amd nested=1", NULL);
	expect(&c, "shadow-vmcs", LC_PASS, "not applicable on AMD", NULL);
	lc_checks_release(&c);
	c = run("centaur");
	expect(&c, "cpu-virt", LC_PASS, "the CPU has vmx", NULL);
	/* as the file says it */
	expect(&c, "nested", LC_PASS, "kvm_intel nested=1", NULL);
	lc_checks_release(&c);
	assert_int_equal(lc_cpuinfo_vendor("vendor_id\t: HygonGenuine\nflags\t\t: fpu svm\n"),
			 LC_VENDOR_AMD);
	assert_int_equal(lc_cpuinfo_vendor("vendor_id\t: GenuineIntel\nflags\t\t: fpu vmx\n"),
			 LC_VENDOR_INTEL);
	assert_int_equal(lc_cpuinfo_vendor("vendor_id\t: SomeVendor\nflags\t\t: fpu svm sse\n"),
			 LC_VENDOR_AMD);
	assert_int_equal(lc_cpuinfo_vendor("vendor_id\t: SomeVendor\nflags\t\t: fpu vmx\n"),
			 LC_VENDOR_INTEL);
	assert_int_equal(lc_cpuinfo_vendor("vendor_id\t: SomeVendor\nflags\t\t: fpu svmx\n"),
			 LC_VENDOR_UNKNOWN);
	assert_int_equal(lc_cpuinfo_vendor(NULL), LC_VENDOR_UNKNOWN);
}

/* The iommu verdict of host's sys with this kernel command line (a procfs made for it). */
static enum lc_verdict iommu_with(const char *host, const char *cmdline, char **detail)
{
	char tmp[] = "/tmp/labctl-proc-XXXXXX";
	assert_non_null(mkdtemp(tmp));
	char *rel = lc_asprintf("tests/out/hosts/%s/proc/cpuinfo", host);
	size_t len;
	char *cpuinfo = t_read(rel, &len);
	char *cpath = lc_asprintf("%s/cpuinfo", tmp), *lpath = lc_asprintf("%s/cmdline", tmp);
	char *line = lc_asprintf("%s\n", cmdline);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_write_file(cpath, cpuinfo, len, &err), 0);
	assert_int_equal(lc_write_file(lpath, line, strlen(line), &err), 0);
	char *sys = lc_asprintf("%s/tests/out/hosts/%s/sys", t_srcdir(), host);
	struct lc_sysroot root = {sys, tmp, NULL};
	struct lc_libvirt_fact lv = {.uri = "test:///default"};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	const struct lc_check *k = get(&c, "iommu");
	enum lc_verdict v = k->result;
	*detail = lc_strdup(k->detail);
	lc_checks_release(&c);
	unlink(cpath);
	unlink(lpath);
	rmdir(tmp);
	free(sys);
	free(line);
	free(cpath);
	free(lpath);
	free(cpuinfo);
	free(rel);
	return v;
}

/* Parameters take comma-separated values, and what the kernel applies last is what holds. */
static void test_cmdline(void **state)
{
	(void)state;
	static const struct {
		const char *host, *cmdline;
		enum lc_verdict v;
		const char *detail;
	} cases[] = {
	    {"intel-good", "ro intel_iommu=on,igfx_off iommu=pt", LC_PASS, "1 IOMMU units"},
	    {"intel-good", "intel_iommu=igfx_off,on iommu=pt quiet", LC_PASS, "groups"},
	    {"intel-good", "intel_iommu=on iommu=pt intel_iommu=off", LC_WARN,
	     "lacks intel_iommu=on"},
	    {"intel-good", "intel_iommu=off intel_iommu=on,sm_on iommu=nopt iommu=pt", LC_PASS,
	     "groups"},
	    {"intel-good", "intel_iommu=on iommu=pt iommu=nopt", LC_WARN, "lacks iommu=pt"},
	    {"intel-good", "intel_iommu=on,off iommu=pt", LC_WARN, "lacks intel_iommu=on"},
	    {"intel-good", "dyndbg=\"file x.c +p intel_iommu=on\" iommu=pt", LC_WARN,
	     "lacks intel_iommu=on"},
	    {"intel-good", "iommu=pt \"intel_iommu=on\"", LC_PASS, "groups"},
	    {"intel-good", "intel_iommu=\"on\" iommu=pt", LC_PASS, "groups"},
	    {"intel-good", "intel_iommu=on -- iommu=pt", LC_WARN, "lacks iommu=pt"},
	    {"intel-good", "xintel_iommu=on iommu=pt", LC_WARN, "lacks intel_iommu=on"},
	    {"amd-good", "iommu=pt", LC_PASS, "groups"},
	    {"amd-good", "amd_iommu=off iommu=pt", LC_WARN, "has amd_iommu=off"},
	    {"amd-good", "amd_iommu=fullflush iommu=pt", LC_PASS, "groups"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *detail;
		enum lc_verdict v = iommu_with(cases[i].host, cases[i].cmdline, &detail);
		if (v != cases[i].v || !strstr(detail, cases[i].detail))
			fail_msg("%s '%s': %s '%s', want %s '%s'", cases[i].host, cases[i].cmdline,
				 lc_verdict_name(v), detail, lc_verdict_name(cases[i].v),
				 cases[i].detail);
		free(detail);
	}
}

static void test_libvirt_unreachable(void **state)
{
	(void)state;
	char *sys = lc_asprintf("%s/tests/out/hosts/intel-good/sys", t_srcdir());
	struct lc_sysroot root = {sys, "/nonexistent", NULL};
	struct lc_libvirt_fact lv = {.uri = "qemu:///system", .error = "cannot connect: no socket"};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	expect(&c, "libvirt", LC_FAIL, "cannot connect: no socket", "libvirtd");
	/* no cpuinfo under this procfs: no flag can be seen */
	expect(&c, "cpu-virt", LC_FAIL, NULL, NULL);
	lc_checks_release(&c);
	free(sys);
}

static void put32(unsigned char *cfg, unsigned off, uint32_t v)
{
	cfg[off] = (unsigned char)v;
	cfg[off + 1] = (unsigned char)(v >> 8);
	cfg[off + 2] = (unsigned char)(v >> 16);
	cfg[off + 3] = (unsigned char)(v >> 24);
}

static void test_ext_caps(void **state)
{
	(void)state;
	unsigned char cfg[4096];
	memset(cfg, 0, sizeof(cfg));
	/* AER at 0x100 -> SR-IOV at 0x180 -> ACS at 0x200 */
	put32(cfg, 0x100, 0x0001 | 1u << 16 | 0x180u << 20);
	put32(cfg, 0x180, 0x0010 | 1u << 16 | 0x200u << 20);
	put32(cfg, 0x200, 0x000D | 1u << 16);
	assert_int_equal(lc_pcie_ext_cap(cfg, sizeof(cfg), 0x000D), 0x200);
	assert_int_equal(lc_pcie_ext_cap(cfg, sizeof(cfg), 0x0010), 0x180);
	assert_int_equal(lc_pcie_ext_cap(cfg, sizeof(cfg), 0x0023), 0);
	/* only the first 256 bytes: unreadable */
	assert_int_equal(lc_pcie_ext_cap(cfg, 256, 0x000D), -1);
	/* a loop in the list ends */
	put32(cfg, 0x200, 0x0002 | 1u << 16 | 0x100u << 20);
	assert_int_equal(lc_pcie_ext_cap(cfg, sizeof(cfg), 0x000D), 0);
	/* no extended capabilities at all */
	memset(cfg + 0x100, 0, 16);
	assert_int_equal(lc_pcie_ext_cap(cfg, sizeof(cfg), 0x000D), 0);
}

/*
 * sriov_numvfs as the kernel keeps it, over a fixture file, since a plain
 * file takes any write: a non-zero count over a non-zero one fails with
 * EBUSY, more than sriov_totalvfs with ERANGE, and the driver enables at
 * most driver_max (the write still succeeds, as sriov_numvfs_store's does).
 */
struct kernel {
	struct lc_sysdir dir;
	unsigned total, driver_max;
	struct lc_buf writes; /* each value written, then a space */
};

static int k_read(void *ctx, const char *name, char *buf, int n)
{
	struct kernel *k = ctx;
	return lc_sysdir_read(&k->dir, name, buf, n);
}

static int k_write(void *ctx, const char *name, const char *value, struct lc_err *err)
{
	struct kernel *k = ctx;
	char cur[16], now[16];
	lc_buf_addf(&k->writes, "%s ", value);
	assert_true(lc_sysdir_read(&k->dir, name, cur, sizeof(cur)) > 0);
	unsigned want = (unsigned)strtoul(value, NULL, 10);
	int e = want && strtoul(cur, NULL, 10) ? EBUSY : want > k->total ? ERANGE : 0;
	if (e)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s' to '%s': %s", value,
				  name, strerror(e));
	snprintf(now, sizeof(now), "%u\n", want < k->driver_max ? want : k->driver_max);
	return lc_sysdir_write(&k->dir, name, now, err);
}

#define NUMVFS "bus/pci/devices/0000:d8:00.0/sriov_numvfs"

struct numvfs_case {
	char tmp[32];
	char *file;
	struct kernel k;
	struct lc_attrs kernel, plain;
	struct lc_pci_fn pf;
	struct lc_buf report;
};

/* A sysfs root holding one PF, ens1f0 at 0000:d8:00.0, whose sriov_numvfs says numvfs. */
static void numvfs_setup(struct numvfs_case *c, unsigned numvfs, unsigned driver_max)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->tmp, sizeof(c->tmp), "/tmp/labctl-numvfs-XXXXXX");
	assert_non_null(mkdtemp(c->tmp));
	char *dir = lc_asprintf("%s/bus/pci/devices/0000:d8:00.0", c->tmp);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(dir, &err), 0);
	free(dir);
	c->file = lc_asprintf("%s/" NUMVFS, c->tmp);
	char *text = lc_asprintf("%u\n", numvfs);
	assert_int_equal(lc_write_file(c->file, text, strlen(text), &err), 0);
	free(text);
	struct lc_sysroot root = {c->tmp, c->tmp, NULL};
	assert_int_equal(lc_sysdir_open(&root, ".", &c->k.dir, &err), 0);
	c->k.total = 16;
	c->k.driver_max = driver_max;
	c->kernel = (struct lc_attrs){k_read, k_write, &c->k};
	lc_sysdir_attrs(&c->k.dir, &c->plain);
	snprintf(c->pf.addr, sizeof(c->pf.addr), "0000:d8:00.0");
	snprintf(c->pf.netdev, sizeof(c->pf.netdev), "ens1f0");
	c->pf.sriov = true;
	c->pf.totalvfs = 16;
	c->pf.numvfs = numvfs;
}

static char *numvfs_file(const struct numvfs_case *c)
{
	char *data = NULL;
	size_t len;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_read_file(c->file, &data, &len, &err), 0);
	return data;
}

static void numvfs_teardown(struct numvfs_case *c)
{
	lc_sysdir_close(&c->k.dir);
	lc_buf_release(&c->k.writes);
	lc_buf_release(&c->report);
	unlink(c->file);
	free(c->file);
	const char *dirs[] = {"bus/pci/devices/0000:d8:00.0", "bus/pci/devices", "bus/pci", "bus",
			      ""};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		char *d = lc_asprintf("%s/%s", c->tmp, dirs[i]);
		assert_int_equal(rmdir(d), 0);
		free(d);
	}
}

static void expect_report(const struct numvfs_case *c, const char *want)
{
	if (strcmp(lc_buf_str(&c->report), want) != 0)
		fail_msg("report:\n%swant:\n%s", lc_buf_str(&c->report), want);
}

/* A non-zero count to another goes through 0; the kernel refuses the direct write. */
static void test_numvfs_through_zero(void **state)
{
	(void)state;
	struct numvfs_case c;
	struct lc_err err = LC_ERR_INIT;
	numvfs_setup(&c, 4, 16);
	if (lc_pci_set_numvfs(&c.kernel, &c.pf, 8, false, &c.report, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(lc_buf_str(&c.k.writes), "0 8 ");
	expect_report(&c,
		      "write " NUMVFS ": 0\nwrite " NUMVFS ": 8\nens1f0 (0000:d8:00.0): 8 VFs\n");
	char *now = numvfs_file(&c);
	assert_string_equal(now, "8\n");
	free(now);
	numvfs_teardown(&c);
}

/* 0 removes the VFs with one write, not "all of them" */
static void test_numvfs_to_zero(void **state)
{
	(void)state;
	struct numvfs_case c;
	struct lc_err err = LC_ERR_INIT;
	numvfs_setup(&c, 4, 16);
	if (lc_pci_set_numvfs(&c.kernel, &c.pf, 0, false, &c.report, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(lc_buf_str(&c.k.writes), "0 ");
	expect_report(&c, "write " NUMVFS ": 0\nens1f0 (0000:d8:00.0): 0 VFs\n");
	numvfs_teardown(&c);
}

/* The driver enables fewer than asked: the write succeeds, the read-back tells. */
static void test_numvfs_driver_fewer(void **state)
{
	(void)state;
	struct numvfs_case c;
	struct lc_err err = LC_ERR_INIT;
	numvfs_setup(&c, 0, 6);
	if (lc_pci_set_numvfs(&c.kernel, &c.pf, 8, false, &c.report, &err) < 0)
		fail_msg("%s", err.msg);
	assert_string_equal(lc_buf_str(&c.k.writes), "8 ");
	expect_report(&c,
		      "write " NUMVFS
		      ": 8\nens1f0 (0000:d8:00.0): the driver enabled 6 VFs of the 8 asked for\n");
	numvfs_teardown(&c);
}

/* --dry-run says every write and makes none; an error from the kernel is the error. */
static void test_numvfs_dry_and_refused(void **state)
{
	(void)state;
	struct numvfs_case c;
	struct lc_err err = LC_ERR_INIT;
	numvfs_setup(&c, 8, 16);
	assert_int_equal(lc_pci_set_numvfs(&c.kernel, &c.pf, 4, true, &c.report, &err), 0);
	assert_string_equal(lc_buf_str(&c.k.writes), "");
	expect_report(&c, "would write " NUMVFS ": 0\nwould write " NUMVFS ": 4\n");
	char *now = numvfs_file(&c);
	assert_string_equal(now, "8\n");
	free(now);
	/* sriov_numvfs changed since the inventory was read: the kernel's EBUSY comes back */
	lc_buf_reset(&c.report);
	c.pf.numvfs = 0;
	assert_int_equal(lc_pci_set_numvfs(&c.kernel, &c.pf, 4, false, &c.report, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RUNTIME);
	assert_non_null(strstr(err.msg, "Device or resource busy"));
	lc_err_release(&err);
	numvfs_teardown(&c);
}

/* On a plain file, as on sysfs, a shorter count replaces a longer one: 16 -> 4 is not "46". */
static void test_numvfs_plain_file(void **state)
{
	(void)state;
	struct numvfs_case c;
	struct lc_err err = LC_ERR_INIT;
	numvfs_setup(&c, 16, 16);
	if (lc_pci_set_numvfs(&c.plain, &c.pf, 4, false, &c.report, &err) < 0)
		fail_msg("%s", err.msg);
	expect_report(&c,
		      "write " NUMVFS ": 0\nwrite " NUMVFS ": 4\nens1f0 (0000:d8:00.0): 4 VFs\n");
	char *now = numvfs_file(&c);
	assert_string_equal(now, "4");
	free(now);
	numvfs_teardown(&c);
}

/* Each kind's needs from a capabilities fixture: a warning naming the kinds, never a FAIL. */
static struct lc_checks run_needs(const char *fixture)
{
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open("test:///default", &err);
	assert_non_null(v);
	if (fixture) {
		char *path = lc_asprintf("%s/tests/fixtures/domcaps-%s.xml", t_srcdir(), fixture);
		lc_virt_domcaps_fixture(v, path);
		free(path);
	}
	char *templates = lc_asprintf("%s/templates", t_srcdir());
	struct lc_need_fact *needs;
	struct lc_libvirt_fact lv = {.uri = "test:///default"};
	assert_int_equal(lc_kind_needs(templates, v, false, &needs, &lv.n_needs, &err), 0);
	assert_int_equal(lv.n_needs, 3);
	lv.needs = needs;
	char *sys = lc_asprintf("%s/tests/out/hosts/amd-good/sys", t_srcdir());
	char *proc = lc_asprintf("%s/tests/out/hosts/amd-good/proc", t_srcdir());
	struct lc_sysroot root = {sys, proc, NULL};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	lc_need_facts_free(needs, lv.n_needs);
	lc_virt_close(v);
	free(templates);
	free(sys);
	free(proc);
	return c;
}

static void test_needs(void **state)
{
	(void)state;
	struct lc_checks c = run_needs("no-tpm");
	const struct lc_check *k = get(&c, "tpm-emulator");
	assert_int_equal(k->result, LC_WARN);
	assert_string_equal(
	    k->detail, "missing a TPM 2.0 emulator backend (swtpm): kinds hyperv cannot start");
	assert_string_equal(k->fix, "install swtpm and swtpm-tools (apt-get install swtpm "
				    "swtpm-tools); libvirt sees them without a restart");
	assert_int_equal(get(&c, "efi-firmware")->result, LC_PASS);
	assert_int_equal(get(&c, "secure-boot")->result, LC_PASS);
	lc_checks_release(&c);
	c = run_needs("no-ovmf");
	assert_int_equal(get(&c, "tpm-emulator")->result, LC_PASS);
	assert_int_equal(get(&c, "efi-firmware")->result, LC_WARN);
	assert_int_equal(get(&c, "secure-boot")->result, LC_WARN);
	assert_string_equal(
	    get(&c, "secure-boot")->fix,
	    "install ovmf (apt-get install ovmf); libvirt sees it without a restart");
	lc_checks_release(&c);
	c = run_needs("tcg");
	assert_string_equal(get(&c, "tpm-emulator")->detail,
			    "a TPM 2.0 emulator backend (swtpm), which kinds hyperv need");
	for (const char *const *id =
		 (const char *const[]){"tpm-emulator", "efi-firmware", "secure-boot", NULL};
	     *id; id++)
		assert_int_equal(get(&c, *id)->result, LC_PASS);
	lc_checks_release(&c);
	/* the test driver gives no capabilities: not known, taken as met */
	c = run_needs(NULL);
	k = get(&c, "tpm-emulator");
	assert_int_equal(k->result, LC_PASS);
	assert_non_null(
	    strstr(k->detail, "not known, test:///default gives no domain capabilities"));
	lc_checks_release(&c);
}

/*
 * With the VFs read from libvirt's node devices, the SR-IOV checks use that
 * inventory, not the fixture's sysfs (intel-good: two PFs), ACS is not
 * checked, and an inventory that could not be read is named in each.
 */
static void test_nodedev_inventory(void **state)
{
	(void)state;
	char *sys = lc_asprintf("%s/tests/out/hosts/intel-good/sys", t_srcdir());
	char *proc = lc_asprintf("%s/tests/out/hosts/intel-good/proc", t_srcdir());
	struct lc_sysroot root = {sys, proc, NULL};
	/* one PF of 8 with 2 VFs, the first in the PF's group */
	struct lc_inventory inv = {0};
	LC_GROW(inv.fns, inv.cap, 3);
	inv.fns[0] = (struct lc_pci_fn){.addr = "0000:3b:00.0",
					.class = 0x020000,
					.sriov = true,
					.totalvfs = 8,
					.numvfs = 2,
					.group = 5,
					.numa = 0,
					.vf_index = -1,
					.netdev = "enp59s0f0"};
	inv.fns[1] = (struct lc_pci_fn){.addr = "0000:3b:02.0",
					.class = 0x020000,
					.group = 5,
					.physfn = "0000:3b:00.0",
					.vf_index = 0};
	inv.fns[2] = (struct lc_pci_fn){.addr = "0000:3b:02.1",
					.class = 0x020000,
					.group = 6,
					.physfn = "0000:3b:00.0",
					.vf_index = 1};
	inv.n = 3;
	struct lc_libvirt_fact lv = {
	    .uri = "qemu+ssh://root@b/system", .nodedev = true, .inv = &inv};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	expect(&c, "sriov", LC_PASS, "0000:3b:00.0 enp59s0f0 2/8 VFs", NULL);
	expect(&c, "iommu-groups", LC_WARN, "of 2 VFs, 1 share an IOMMU group with a host device",
	       NULL);
	expect(&c, "acs", LC_WARN,
	       "not checked on 1 SR-IOV PF: the PCI inventory comes from libvirt's node devices",
	       "on that host itself");
	lc_checks_release(&c);
	lv.inv = NULL;
	lv.inv_error = "cannot list the node devices of 'qemu+ssh://root@b/system': denied";
	lc_host_check(&root, &lv, &c);
	static const char *const ids[] = {"acs", "sriov", "iommu-groups"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(ids); i++)
		expect(&c, ids[i], LC_WARN,
		       "not checked: cannot list the node devices of 'qemu+ssh://root@b/system': "
		       "denied",
		       "make libvirt reachable");
	/* the rest still reads the fixture */
	expect(&c, "nested", LC_PASS, NULL, NULL);
	lc_checks_release(&c);
	lc_inventory_release(&inv);
	free(sys);
	free(proc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intel_good),
	    cmocka_unit_test(test_intel_bad),
	    cmocka_unit_test(test_intel_old),
	    cmocka_unit_test(test_amd),
	    cmocka_unit_test(test_noroot_and_novirt),
	    cmocka_unit_test(test_nopt_nokvm),
	    cmocka_unit_test(test_kvm_node),
	    cmocka_unit_test(test_libvirt_unreachable),
	    cmocka_unit_test(test_ext_caps),
	    cmocka_unit_test(test_kvm_without_vmx),
	    cmocka_unit_test(test_amd_no_iommu),
	    cmocka_unit_test(test_no_sriov),
	    cmocka_unit_test(test_vf_shares_with_host),
	    cmocka_unit_test(test_acs_paths),
	    cmocka_unit_test(test_cpu_kinds),
	    cmocka_unit_test(test_cmdline),
	    cmocka_unit_test(test_numvfs_through_zero),
	    cmocka_unit_test(test_numvfs_to_zero),
	    cmocka_unit_test(test_numvfs_driver_fewer),
	    cmocka_unit_test(test_numvfs_dry_and_refused),
	    cmocka_unit_test(test_numvfs_plain_file),
	    cmocka_unit_test(test_needs),
	    cmocka_unit_test(test_nodedev_inventory),
	};
	return cmocka_run_group_tests_name("hostcheck", tests, NULL, NULL);
}

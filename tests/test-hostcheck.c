/*
 * host check on fixture hosts (tests/mksysfs.py host ...): a test per
 * verdict, vendor-aware fixes, and the PCIe extended capability walk that
 * finds ACS in a config space.
 */
#include "testutil.h"
#include "hostcheck.h"

static struct lc_checks run(const char *host)
{
	char *sys = lc_asprintf("%s/tests/out/hosts/%s/sys", t_srcdir(), host);
	char *proc = lc_asprintf("%s/tests/out/hosts/%s/proc", t_srcdir(), host);
	char *dev = lc_asprintf("%s/tests/out/hosts/%s/dev", t_srcdir(), host);
	struct lc_sysroot root = {sys, proc, dev};
	struct lc_libvirt_fact lv = {"test:///default", NULL};
	struct lc_checks c;
	lc_host_check(&root, &lv, &c);
	free(sys);
	free(proc);
	free(dev);
	return c;
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
	expect(&c, "acs", LC_PASS, "2 SR-IOV PFs", NULL);
	expect(&c, "kvm-device", LC_PASS, "/dev/kvm from kvm_intel, root:", NULL);
	lc_checks_release(&c);
}

static void test_intel_bad(void **state)
{
	(void)state;
	struct lc_checks c = run("intel-bad");
	expect(&c, "cpu-virt", LC_PASS, "vmx", NULL);
	expect(&c, "nested", LC_FAIL, "nested is off", "options kvm-intel nested=1");
	expect(&c, "shadow-vmcs", LC_WARN, "enable_shadow_vmcs is off",
	       "options kvm-intel enable_shadow_vmcs=1");
	expect(&c, "iommu", LC_FAIL, "no IOMMU groups", "intel_iommu=on iommu=pt");
	expect(&c, "sriov", LC_WARN, "ens1f0 0/8 VFs", "labctl host prepare --pf");
	expect(&c, "iommu-groups", LC_PASS, "no VFs", NULL);
	expect(&c, "ignore-msrs", LC_WARN, "ESXi", "options kvm ignore_msrs=1");
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
	/* root:kvm 0660 when the fixture could give it to group kvm, else 0666 */
	expect(&c, "kvm-device", LC_PASS, "/dev/kvm from kvm_amd, root:", NULL);
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
	c = run("nokvm");
	expect(&c, "kvm-device", LC_FAIL, "no /dev/kvm", "modprobe kvm_intel");
	expect(&c, "nested", LC_FAIL, "kvm_intel is not loaded", NULL);
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
	expect(&c, "kvm-device", LC_WARN, "/dev/kvm is root:", "chgrp kvm /dev/kvm");
	expect(&c, "kvm-device", LC_WARN, " 0600: libvirt's QEMU (group kvm) cannot open it", NULL);
	lc_checks_release(&c);
}

static void test_libvirt_unreachable(void **state)
{
	(void)state;
	char *sys = lc_asprintf("%s/tests/out/hosts/intel-good/sys", t_srcdir());
	struct lc_sysroot root = {sys, "/nonexistent", NULL};
	struct lc_libvirt_fact lv = {"qemu:///system", "cannot connect: no socket"};
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

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_intel_good),	      cmocka_unit_test(test_intel_bad),
	    cmocka_unit_test(test_intel_old),	      cmocka_unit_test(test_amd),
	    cmocka_unit_test(test_noroot_and_novirt), cmocka_unit_test(test_nopt_nokvm),
	    cmocka_unit_test(test_kvm_node),	      cmocka_unit_test(test_libvirt_unreachable),
	    cmocka_unit_test(test_ext_caps),
	};
	return cmocka_run_group_tests_name("hostcheck", tests, NULL, NULL);
}

/*
 * The image catalog: the cloud_init, guest_agent, boot, firmware and hypervisor fields (the
 * shipped catalog, values, errors, merge).
 */
#include "image-catalog.h"
#include "testutil.h"

static struct lc_catalog *parse(const char *s, struct lc_diags *d)
{
	lc_diags_init(d);
	return lc_catalog_parse("c.yaml", s, strlen(s), d);
}

/* The one diagnostic as "LINE:COL: message". */
static char *only_diag(struct lc_diags *d)
{
	assert_int_equal(d->n, 1);
	return lc_asprintf("%d:%d: %s", d->v[0].at.line, d->v[0].at.col, d->v[0].msg);
}

#define KERNEL_IMAGE "    format: kernel\n    kernel: {url: k}\n"

static void test_shipped(void **state)
{
	(void)state;
	size_t len;
	char *data = t_read("images/catalog.yaml", &len);
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_catalog *c = lc_catalog_parse("images/catalog.yaml", data, len, &d);
	assert_int_equal(d.n, 0);
	const struct lc_image *deb = lc_catalog_find(c, "debian"),
			      *tiny = lc_catalog_find(c, "tiny");
	assert_non_null(deb);
	assert_non_null(tiny);
	assert_true(deb->cloud_init);
	assert_int_equal(deb->format, LC_IMG_KERNEL);
	assert_string_equal(deb->ready.v, "LABCTL-BOOT-OK");
	assert_non_null(deb->disk.url.v);
	assert_false(tiny->cloud_init);
	/* debian runs the guest agent; tiny does not (its labs render as before) */
	assert_true(deb->guest_agent);
	assert_false(tiny->guest_agent);
	assert_true(lc_image_boots_kernel(tiny));
	assert_string_equal(tiny->hypervisor.v, "kvm");
	const struct lc_image *xen = lc_catalog_find(c, "debian-xen");
	assert_non_null(xen);
	assert_false(lc_image_boots_kernel(xen));
	assert_int_equal(xen->firmware, LC_IMG_FW_BIOS);
	assert_string_equal(xen->hypervisor.v, "xen");
	assert_true(xen->cloud_init);
	assert_string_equal(xen->ready.v, "LABCTL-BOOT-OK");
	lc_catalog_free(c);
	lc_diags_release(&d);
	free(data);
}

static void test_values(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_catalog *c =
	    parse("images:\n"
		  "  a:\n" KERNEL_IMAGE "    cloud_init: true\n"
		  "  b:\n" KERNEL_IMAGE "    cloud_init: false\n"
		  "  c:\n" KERNEL_IMAGE "    cloud_init: yes\n    guest_agent: true\n"
		  "  d:\n" KERNEL_IMAGE,
		  &d);
	assert_int_equal(d.n, 0);
	assert_true(lc_catalog_find(c, "c")->guest_agent);
	assert_false(lc_catalog_find(c, "d")->guest_agent); /* the default */
	assert_true(lc_catalog_find(c, "a")->cloud_init);
	assert_false(lc_catalog_find(c, "b")->cloud_init);
	assert_true(lc_catalog_find(c, "c")->cloud_init);
	assert_false(lc_catalog_find(c, "d")->cloud_init); /* the default */
	lc_catalog_free(c);
	lc_diags_release(&d);
}

static void test_errors(void **state)
{
	(void)state;
	static const struct {
		const char *value, *want;
	} cases[] = {
	    {"maybe", "5:17: image \"a\": \"cloud_init\" must be true or false, not \"maybe\""},
	    {"\"true\"", "5:17: image \"a\": \"cloud_init\" must be true or false, not \"true\""},
	    {"1", "5:17: image \"a\": \"cloud_init\" must be true or false, not \"1\""},
	    {"[true]", "5:17: image \"a\": \"cloud_init\" must be true or false"},
	    {"{x: 1}", "5:17: image \"a\": \"cloud_init\" must be true or false"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *yaml = lc_asprintf("images:\n  a:\n" KERNEL_IMAGE "    cloud_init: %s\n",
					 cases[i].value);
		struct lc_diags d;
		struct lc_catalog *c = parse(yaml, &d);
		char *got = only_diag(&d);
		assert_string_equal(got, cases[i].want);
		assert_false(lc_catalog_find(c, "a")->cloud_init);
		free(got);
		free(yaml);
		lc_catalog_free(c);
		lc_diags_release(&d);
	}
	/* a misspelt key is still caught, and pointed at the right one */
	struct lc_diags d;
	struct lc_catalog *c = parse("images:\n  a:\n" KERNEL_IMAGE "    cloud-init: true\n", &d);
	char *got = only_diag(&d);
	assert_string_equal(got, "5:5: image \"a\": unknown key \"cloud-init\" (did you mean "
				 "\"cloud_init\"?)");
	free(got);
	lc_catalog_free(c);
	lc_diags_release(&d);
}

static void test_boot_firmware_hypervisor(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_catalog *c =
	    parse("images:\n"
		  "  k:\n" KERNEL_IMAGE "  kd:\n" KERNEL_IMAGE
		  "    disk: {url: d}\n    boot: disk\n    firmware: uefi\n"
		  "  kk:\n" KERNEL_IMAGE "    boot: kernel\n"
		  "  q: {url: q.qcow2}\n"
		  "  x: {url: x.qcow2, boot: disk, firmware: bios, hypervisor: xen}\n",
		  &d);
	assert_int_equal(d.n, 0);
	/* the default follows the format */
	assert_true(lc_image_boots_kernel(lc_catalog_find(c, "k")));
	assert_false(lc_image_boots_kernel(lc_catalog_find(c, "q")));
	/* a kernel image told to boot its disk does */
	assert_false(lc_image_boots_kernel(lc_catalog_find(c, "kd")));
	assert_true(lc_image_boots_kernel(lc_catalog_find(c, "kk")));
	assert_int_equal(lc_catalog_find(c, "kd")->firmware, LC_IMG_FW_UEFI);
	assert_int_equal(lc_catalog_find(c, "k")->firmware, LC_IMG_FW_ANY);
	assert_int_equal(lc_catalog_find(c, "x")->firmware, LC_IMG_FW_BIOS);
	assert_string_equal(lc_catalog_find(c, "x")->hypervisor.v, "xen");
	assert_null(lc_catalog_find(c, "q")->hypervisor.v);
	lc_catalog_free(c);
	lc_diags_release(&d);
}

static void test_boot_firmware_hypervisor_errors(void **state)
{
	(void)state;
	static const struct {
		const char *yaml, *want;
	} cases[] = {
	    {"  a: {url: a.qcow2, boot: kernel}\n",
	     "2:27: image \"a\": \"boot: kernel\" needs format kernel; a qcow2 image boots from "
	     "its disk"},
	    {"  a:\n" KERNEL_IMAGE "    boot: disk\n",
	     "5:11: image \"a\": \"boot: disk\" with format kernel needs \"disk\""},
	    {"  a: {url: a.qcow2, boot: cdrom}\n",
	     "2:27: image \"a\": \"boot\" must be kernel or disk, not \"cdrom\""},
	    {"  a: {url: a.qcow2, firmware: efi}\n",
	     "2:31: image \"a\": \"firmware\" must be bios, uefi or any, not \"efi\""},
	    {"  a: {url: a.qcow2, hypervisor: Xen Server}\n",
	     "2:33: image \"a\": \"hypervisor\" is one word of lowercase letters, digits and "
	     "'-' (kvm, xen, hyperv, esxi, none)"},
	    {"  a: {url: a.qcow2, hypervisor: [xen]}\n",
	     "2:33: image \"a\": \"hypervisor\" must be a string"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *yaml = lc_asprintf("images:\n%s", cases[i].yaml);
		struct lc_diags d;
		struct lc_catalog *c = parse(yaml, &d);
		char *got = only_diag(&d);
		assert_string_equal(got, cases[i].want);
		free(got);
		free(yaml);
		lc_catalog_free(c);
		lc_diags_release(&d);
	}
}

/* STATE/catalog.yaml replaces an image whole: its cloud_init, set or not, wins. */
static void test_merge(void **state)
{
	(void)state;
	struct lc_diags d1, d2;
	struct lc_catalog *dst =
	    parse("images:\n  a:\n" KERNEL_IMAGE "    cloud_init: true\n  b:\n" KERNEL_IMAGE, &d1);
	struct lc_catalog *src = parse(
	    "images:\n  a:\n" KERNEL_IMAGE "  b:\n" KERNEL_IMAGE "    cloud_init: true\n", &d2);
	assert_int_equal(d1.n + d2.n, 0);
	lc_catalog_merge(dst, src);
	assert_false(lc_catalog_find(dst, "a")->cloud_init);
	assert_true(lc_catalog_find(dst, "b")->cloud_init);
	lc_catalog_free(src);
	lc_catalog_free(dst);
	lc_diags_release(&d1);
	lc_diags_release(&d2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shipped),
	    cmocka_unit_test(test_values),
	    cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_boot_firmware_hypervisor),
	    cmocka_unit_test(test_boot_firmware_hypervisor_errors),
	    cmocka_unit_test(test_merge),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

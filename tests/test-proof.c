/* The nested proof on a boot line: fields in any order, every l2= value, the verdict. */
#include "testutil.h"
#include "proof.h"

static void check_field(const char *line, const char *key, const char *want)
{
	char *got = lc_boot_field(line, key);
	if (want)
		assert_non_null(got), assert_string_equal(got, want);
	else
		assert_null(got);
	free(got);
}

static void fields_any_order(void **state)
{
	(void)state;
	const char *line = "LABCTL-BOOT-OK node=kvm1 virt=svm l2=ok disk=LABCTL-TINY-DISK";
	check_field(line, "node", "kvm1");
	check_field(line, "virt", "svm");
	check_field(line, "l2", "ok");
	check_field(line, "disk", "LABCTL-TINY-DISK");
	/* another order, keys labctl does not know, tabs, a line end */
	line = "LABCTL-BOOT-OK hv=none\tl2=fail-run l2type=kvm node=a-1 virt=vmx\r\n";
	check_field(line, "l2", "fail-run");
	check_field(line, "node", "a-1");
	check_field(line, "l2type", "kvm");
	check_field(line, "hv", "none");
	/* debian-xen's line: hv= after virt=, l2type= after l2= */
	line = "LABCTL-BOOT-OK node=x virt=svm hv=xen l2=ok l2type=pvh disk=LABCTL-DEBXEN-12";
	check_field(line, "hv", "xen");
	check_field(line, "l2", "ok");
	check_field(line, "l2type", "pvh");
	check_field(line, "disk", "LABCTL-DEBXEN-12");
	/* a key is a whole word before '=': l2type= is not l2=, xl2= is not l2= */
	check_field("LABCTL-BOOT-OK l2type=kvm xl2=ok", "l2", NULL);
	check_field("LABCTL-BOOT-OK node=x virt=svm disk=D", "l2", NULL);
	/* an empty value is no value */
	check_field("LABCTL-BOOT-OK l2= node=x", "l2", NULL);
	/* what follows the line end is another line */
	check_field("LABCTL-BOOT-OK node=x\nl2=ok", "l2", NULL);
	/* the last word wins */
	check_field("x l2=none l2=ok", "l2", "ok");
}

/* hv= on the line wins; else the image's catalog entry; else nothing. */
static void hv_from_line_or_catalog(void **state)
{
	(void)state;
	char *hv = lc_proof_hv("LABCTL-BOOT-OK node=x virt=svm hv=xen l2=ok", "kvm");
	assert_string_equal(hv, "xen");
	free(hv);
	hv = lc_proof_hv("LABCTL-BOOT-OK node=x virt=svm l2=ok disk=LABCTL-TINY-DISK", "kvm");
	assert_string_equal(hv, "kvm");
	free(hv);
	hv = lc_proof_hv("LABCTL-BOOT-OK l2=ok hv=none", NULL);
	assert_string_equal(hv, "none");
	free(hv);
	assert_null(lc_proof_hv("LABCTL-BOOT-OK node=x l2=ok", NULL));
	/* no line yet: what the catalog says */
	hv = lc_proof_hv(NULL, "xen");
	assert_string_equal(hv, "xen");
	free(hv);
}

static void decode_values(void **state)
{
	(void)state;
	static const struct {
		const char *value;
		enum lc_l2 want;
	} good[] = {
	    {"ok", LC_L2_OK},
	    {"none", LC_L2_NONE},
	    {"fail-modprobe", LC_L2_FAIL},
	    {"fail-nodevkvm", LC_L2_FAIL},
	    {"fail-open", LC_L2_FAIL},
	    {"fail-api", LC_L2_FAIL},
	    {"fail-createvm", LC_L2_FAIL},
	    {"fail-vcpu", LC_L2_FAIL},
	    {"fail-run", LC_L2_FAIL},
	    {"fail-exit", LC_L2_FAIL},
	    {"fail-timeout", LC_L2_FAIL},
	    {"fail-value", LC_L2_FAIL},
	    {"fail-probe", LC_L2_FAIL},
	    {"fail-xlinfo", LC_L2_FAIL},
	    {"fail-xlcreate", LC_L2_FAIL},
	    {"fail-l2exit", LC_L2_FAIL},
	    {"fail-l2timeout", LC_L2_FAIL},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(good); i++) {
		struct lc_err e = LC_ERR_INIT;
		enum lc_l2 l2 = LC_L2_ABSENT;
		const char *meaning = "unset";
		assert_int_equal(lc_l2_decode(good[i].value, &l2, &meaning, &e), 0);
		assert_int_equal(l2, good[i].want);
		/* every failure says what it means; ok needs no words */
		if (l2 == LC_L2_OK)
			assert_null(meaning);
		else
			assert_non_null(meaning), assert_true(strlen(meaning) > 10);
		assert_null(e.msg);
	}
	static const char *bad[] = {"",	     "OK",	    "yes",	  "fail",
				    "fail-", "fail-nosuch", "fail-run-x", "ok-ish",
				    "none ", "fail-RUN"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		struct lc_err e = LC_ERR_INIT;
		enum lc_l2 l2 = LC_L2_ABSENT;
		const char *meaning;
		assert_int_equal(lc_l2_decode(bad[i], &l2, &meaning, &e), -1);
		assert_int_equal(e.code, LC_EXIT_RUNTIME);
		char *quoted = lc_asprintf("'%s'", bad[i]);
		assert_non_null(strstr(e.msg, quoted));
		free(quoted);
		lc_err_release(&e);
	}
}

/* check LINE against NESTED: 0 with VALUE, or -1 with a message holding WANT_MSG */
static void check_proof(const char *line, bool nested, const char *value, const char *want_msg)
{
	struct lc_err e = LC_ERR_INIT;
	char *v = (char *)"unset";
	int rc = lc_proof_check(line, nested, &v, &e);
	if (value)
		assert_non_null(v), assert_string_equal(v, value);
	else
		assert_null(v);
	free(v);
	if (!want_msg) {
		assert_int_equal(rc, 0);
		assert_null(e.msg);
		return;
	}
	assert_int_equal(rc, -1);
	assert_int_equal(e.code, LC_EXIT_RUNTIME);
	if (!strstr(e.msg, want_msg))
		fail_msg("'%s' not in '%s'", want_msg, e.msg);
	lc_err_release(&e);
}

static void verdict(void **state)
{
	(void)state;
	check_proof("LABCTL-BOOT-OK node=a virt=svm l2=ok disk=D", true, "ok", NULL);
	check_proof("LABCTL-BOOT-OK node=a virt=none l2=none disk=D", false, "none", NULL);
	/* nested: true with the flag hidden, or KVM refused */
	check_proof("LABCTL-BOOT-OK node=a virt=none l2=none disk=D", true, "none",
		    "nested: true wants l2=ok, got l2=none (the L1's CPU shows no vmx or svm");
	check_proof("LABCTL-BOOT-OK l2=fail-modprobe", true, "fail-modprobe",
		    "got l2=fail-modprobe (kvm_intel or kvm_amd refused to load");
	check_proof("LABCTL-BOOT-OK l2=fail-value", true, "fail-value", "wrong port");
	/* nested: false must not run an L2, nor even try */
	check_proof("LABCTL-BOOT-OK l2=ok", false, "ok",
		    "nested: false wants l2=none, got l2=ok (the L1 ran an L2: the flag was not "
		    "hidden)");
	check_proof("LABCTL-BOOT-OK l2=fail-run", false, "fail-run",
		    "nested: false wants l2=none, got l2=fail-run");
	/* a value labctl does not know fails either way */
	check_proof("LABCTL-BOOT-OK l2=maybe", true, "maybe", "unknown l2 value 'maybe'");
	check_proof("LABCTL-BOOT-OK l2=maybe", false, "maybe", "unknown l2 value 'maybe'");
	/* an image without the proof proves nothing and contradicts nothing */
	check_proof("LABCTL-BOOT-OK node=a virt=svm disk=D", true, NULL, NULL);
	check_proof("LABCTL-BOOT-OK node=a virt=svm disk=D", false, NULL, NULL);
}

static void last_line(void **state)
{
	(void)state;
	char *l = lc_proof_last_line("SeaBIOS\r\nl2probe: ok in 1.0 ms\r\n"
				     "LABCTL-BOOT-OK node=a l2=fail-run disk=D\r\n"
				     "noise\r\n"
				     "LABCTL-BOOT-OK node=a l2=ok disk=D\r\n"
				     "more noise\n");
	assert_non_null(l);
	assert_string_equal(l, "LABCTL-BOOT-OK node=a l2=ok disk=D");
	free(l);
	/* a line still being written does not count: the one before it does */
	l = lc_proof_last_line("LABCTL-BOOT-OK l2=none\nLABCTL-BOOT-OK l2=o");
	assert_non_null(l);
	assert_string_equal(l, "LABCTL-BOOT-OK l2=none");
	free(l);
	assert_null(lc_proof_last_line(""));
	assert_null(lc_proof_last_line("LABCTL-BOOT-OK l2=ok"));
	assert_null(lc_proof_last_line("LABCTL-BOOT-OK node=a disk=D\n"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(fields_any_order), cmocka_unit_test(hv_from_line_or_catalog),
	    cmocka_unit_test(decode_values),	cmocka_unit_test(verdict),
	    cmocka_unit_test(last_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* yaml-doc: positions, duplicate keys, aliases, and every way YAML can be broken. */
#include "testutil.h"
#include "yaml-doc.h"

static struct lc_ydoc *parse(const char *s, struct lc_diags *d)
{
	lc_diags_init(d);
	return lc_ydoc_parse("t.yaml", s, strlen(s), d);
}

/* The one diagnostic as "LINE:COL: message". */
static char *only_diag(struct lc_diags *d)
{
	assert_int_equal(d->n, 1);
	return lc_asprintf("%d:%d: %s", d->v[0].at.line, d->v[0].at.col, d->v[0].msg);
}

static void test_marks(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_ydoc *doc = parse("name: x\nnodes:\n  kvm1:\n    memory: 4GiB\n", &d);
	assert_non_null(doc);
	assert_int_equal(d.n, 0);
	const struct lc_ynode *k;
	const struct lc_ynode *nodes = lc_ymap_get(doc->root, "nodes", NULL);
	const struct lc_ynode *kvm1 = lc_ymap_get(nodes, "kvm1", &k);
	assert_int_equal(k->at.line, 3);
	assert_int_equal(k->at.col, 3);
	const struct lc_ynode *mem = lc_ymap_get(kvm1, "memory", &k);
	assert_string_equal(mem->scalar, "4GiB");
	assert_int_equal(mem->at.line, 4);
	assert_int_equal(mem->at.col, 13);
	assert_true(mem->plain);
	lc_ydoc_free(doc);
	lc_diags_release(&d);
}

static void test_quoted_not_plain(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_ydoc *doc = parse("a: 'true'\nb: true\nc: ~\n", &d);
	assert_false(lc_ymap_get(doc->root, "a", NULL)->plain);
	assert_true(lc_ymap_get(doc->root, "b", NULL)->plain);
	assert_true(lc_ynode_is_null(lc_ymap_get(doc->root, "c", NULL)));
	lc_ydoc_free(doc);
	lc_diags_release(&d);
}

static const struct {
	const char *yaml;
	const char *want;
} bad[] = {
    {"a: 1\nb: 2\na: 3\n", "3:1: duplicate key \"a\" (first given at line 1)"},
    {"n:\n  x: 1\n  y: 2\n  x: 3\n", "4:3: duplicate key \"x\" (first given at line 2)"},
    {"a: *nowhere\n", "1:4: alias \"*nowhere\" refers to no anchor defined before it"},
    {"a: &x [1, *x]\n", "1:11: alias \"*x\" refers to a node that contains it"},
    {"a: [1, 2\n", "2:1: malformed YAML: did not find expected ',' or ']' while parsing a flow "
		   "sequence"},
    {"a: b: c\n", "1:5: malformed YAML: mapping values are not allowed in this context"},
    {"a: 1\n---\nb: 2\n", "2:1: more than one YAML document in the file"},
    {"? [1]\n: x\n", "1:3: a mapping key must be a plain value, not a list"},
    {"a: \"\\x00\"\n", "1:4: a value contains a NUL character"},
    {"\t- x\n", "1:1: malformed YAML: found character that cannot start any token while "
		"scanning for the next token"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		struct lc_diags d;
		struct lc_ydoc *doc = parse(bad[i].yaml, &d);
		assert_null(doc);
		char *got = only_diag(&d);
		if (strcmp(got, bad[i].want) != 0)
			fail_msg("case %zu: got '%s', want '%s'", i, got, bad[i].want);
		free(got);
		lc_diags_release(&d);
	}
}

static void test_deep_nesting(void **state)
{
	(void)state;
	struct lc_buf b = LC_BUF_INIT;
	for (int i = 0; i < 200; i++)
		lc_buf_addc(&b, '[');
	struct lc_diags d;
	struct lc_ydoc *doc = parse(lc_buf_str(&b), &d);
	assert_null(doc);
	assert_true(d.n >= 1);
	assert_string_equal(d.v[0].msg, "nesting deeper than 64 levels");
	lc_diags_release(&d);
	lc_buf_release(&b);
}

static void test_alias_shared(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_ydoc *doc = parse("a: &n [x, y]\nb: *n\n", &d);
	assert_non_null(doc);
	assert_ptr_equal(lc_ymap_get(doc->root, "a", NULL), lc_ymap_get(doc->root, "b", NULL));
	lc_ydoc_free(doc);
	lc_diags_release(&d);
}

static void test_empty(void **state)
{
	(void)state;
	struct lc_diags d;
	struct lc_ydoc *doc = parse("", &d);
	assert_non_null(doc);
	assert_null(doc->root);
	lc_ydoc_free(doc);
	doc = parse("# only a comment\n", &d);
	assert_non_null(doc);
	assert_null(doc->root);
	lc_ydoc_free(doc);
	lc_diags_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_marks),	 cmocka_unit_test(test_quoted_not_plain),
	    cmocka_unit_test(test_bad),		 cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_alias_shared), cmocka_unit_test(test_empty),
	};
	return cmocka_run_group_tests_name("yaml-doc", tests, NULL, NULL);
}

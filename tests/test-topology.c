/* The model: defaults merged into nodes, replicas expanded, sizes and durations. */
#include "testutil.h"
#include "topology.h"

static struct lc_topology *parse_ok(const char *s)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", s, strlen(s), &d);
	assert_non_null(t);
	for (size_t i = 0; i < d.n; i++)
		fprintf(stderr, "%d:%d: %s\n", d.v[i].at.line, d.v[i].at.col, d.v[i].msg);
	assert_int_equal(d.n, 0);
	lc_diags_release(&d);
	return t;
}

static void test_defaults_merge(void **state)
{
	(void)state;
	struct lc_topology *t = parse_ok("name: lab\n"
					 "defaults:\n"
					 "  kind: kvm\n"
					 "  memory: 4GiB\n"
					 "  vcpus: 2\n"
					 "  networks: [a]\n"
					 "networks: {a: {mode: isolated}, b: {mode: isolated}}\n"
					 "nodes:\n"
					 "  n1: {}\n"
					 "  n2:\n"
					 "    memory: 512MiB\n"
					 "    networks: [b]\n"
					 "    kind: xen\n");
	assert_int_equal(t->n_nodes, 2);
	const struct lc_node *n1 = lc_topology_node(t, "n1"), *n2 = lc_topology_node(t, "n2");
	assert_string_equal(n1->kind.v, "kvm");
	assert_int_equal(n1->memory_kib.v, 4ull * 1024 * 1024);
	/* a default keeps the position where the defaults wrote it */
	assert_int_equal(n1->memory_kib.at.line, 4);
	assert_int_equal(n1->vcpus.v, 2);
	assert_int_equal(n1->networks.n, 1);
	assert_string_equal(n1->networks.v[0].v, "a");
	assert_string_equal(n2->kind.v, "xen");
	assert_int_equal(n2->memory_kib.v, 512 * 1024);
	assert_int_equal(n2->memory_kib.at.line, 11);
	assert_int_equal(n2->vcpus.v, 2);
	/* a list the node gives replaces the default's, it is not appended to */
	assert_int_equal(n2->networks.n, 1);
	assert_string_equal(n2->networks.v[0].v, "b");
	lc_topology_free(t);
}

static void test_builtin_defaults(void **state)
{
	(void)state;
	struct lc_topology *t = parse_ok("name: lab\nnodes:\n  solo:\n");
	const struct lc_node *n = &t->nodes[0];
	assert_string_equal(n->kind.v, "generic");
	assert_int_equal(n->memory_kib.v, LC_DEFAULT_MEMORY_KIB);
	assert_int_equal(n->vcpus.v, 1);
	assert_int_equal(n->disk_bytes.v, LC_DEFAULT_DISK_BYTES);
	assert_string_equal(t->storage_pool.v, "labctl");
	assert_false(t->ttl_s.set);
	lc_topology_free(t);
}

static void test_replicas(void **state)
{
	(void)state;
	struct lc_topology *t = parse_ok("name: lab\n"
					 "nodes:\n"
					 "  xen:\n"
					 "    kind: xen\n"
					 "    replicas: 3\n"
					 "    vfs: [{pool: p, count: 2}]\n"
					 "  a: {}\n");
	assert_int_equal(t->n_nodes, 4);
	/* sorted by name, each replica its own copy */
	assert_string_equal(t->nodes[0].name, "a");
	assert_string_equal(t->nodes[1].name, "xen-1");
	assert_string_equal(t->nodes[2].name, "xen-2");
	assert_string_equal(t->nodes[3].name, "xen-3");
	for (int i = 1; i <= 3; i++) {
		assert_string_equal(t->nodes[i].origin, "xen");
		assert_int_equal(t->nodes[i].replica, i);
		assert_string_equal(t->nodes[i].kind.v, "xen");
		assert_int_equal(t->nodes[i].n_vfs, 1);
		assert_int_equal(t->nodes[i].vfs[0].count.v, 2);
	}
	assert_ptr_not_equal(t->nodes[1].vfs, t->nodes[2].vfs);
	assert_int_equal(t->nodes[0].replica, 0);
	lc_topology_free(t);
}

static void test_sizes(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t bytes;
	} ok[] = {{"1KiB", 1024},
		  {"4 GiB", 4ull << 30},
		  {"512MiB", 512ull << 20},
		  {"2TiB", 2ull << 40},
		  {"0MiB", 0}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(ok); i++) {
		uint64_t b;
		const char *why;
		assert_int_equal(lc_parse_size(ok[i].s, &b, &why), 0);
		assert_int_equal(b, ok[i].bytes);
	}
	static const struct {
		const char *s, *why;
	} bad[] = {{"4096", "a size needs a unit: KiB, MiB, GiB or TiB"},
		   {"4GB", "unknown size unit (use KiB, MiB, GiB or TiB)"},
		   {"-1GiB", "expected a number"},
		   {"99999999999999999999GiB", "number too large"},
		   {"17179869184TiB", "size too large"},
		   {"GiB", "expected a number"},
		   /* issue 15: an exponent or a decimal is named as such */
		   {"1e30GiB", "a size is a whole number and a unit, like 4GiB (no decimals or "
			       "exponents)"},
		   {"1.5GiB", "a size is a whole number and a unit, like 4GiB (no decimals or "
			      "exponents)"}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		uint64_t b;
		const char *why = NULL;
		assert_int_equal(lc_parse_size(bad[i].s, &b, &why), -1);
		assert_string_equal(why, bad[i].why);
	}
}

static void test_durations(void **state)
{
	(void)state;
	static const struct {
		const char *s;
		uint64_t sec;
	} ok[] = {{"8h", 8 * 3600}, {"90s", 90}, {"1h30m", 5400}, {"2d", 172800}, {"45", 45}};
	for (size_t i = 0; i < LC_ARRAY_SIZE(ok); i++) {
		uint64_t s;
		const char *why;
		assert_int_equal(lc_parse_duration(ok[i].s, &s, &why), 0);
		assert_int_equal(s, ok[i].sec);
	}
	uint64_t s;
	const char *why;
	assert_int_equal(lc_parse_duration("8 hours", &s, &why), -1);
	assert_int_equal(lc_parse_duration("", &s, &why), -1);
	/* issue 15 #3: at most 10 years, so that now + ttl can never overflow time_t */
	assert_int_equal(lc_parse_duration("3650d", &s, &why), 0);
	assert_int_equal(s, 3650ull * 86400);
	static const char *const too_long[] = {
	    "3651d",	"3650d1s",   "99999999999999d", "87601h",
	    "5256001m", "315360001", "3649d200h",	"18446744073709551615s"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(too_long); i++) {
		why = NULL;
		assert_int_equal(lc_parse_duration(too_long[i], &s, &why), -1);
		assert_string_equal(why, "longer than 10 years (3650d)");
	}
}

static void test_example_topologies_parse(void **state)
{
	(void)state;
	static const char *const files[] = {"topologies/demo.yaml", "topologies/nested-kvm.yaml",
					    "topologies/mixed-hypervisors.yaml",
					    "topologies/cx5-vfs.yaml"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(files); i++) {
		size_t len;
		char *data = t_read(files[i], &len);
		struct lc_diags d;
		lc_diags_init(&d);
		struct lc_topology *t = lc_topology_parse(files[i], data, len, &d);
		assert_non_null(t);
		assert_int_equal(d.n, 0);
		assert_true(t->n_nodes >= 2);
		assert_int_equal(strlen(t->sha256), 64);
		lc_topology_free(t);
		lc_diags_release(&d);
		free(data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_merge), cmocka_unit_test(test_builtin_defaults),
	    cmocka_unit_test(test_replicas),	   cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_durations),	   cmocka_unit_test(test_example_topologies_parse),
	};
	return cmocka_run_group_tests_name("topology", tests, NULL, NULL);
}

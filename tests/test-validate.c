/*
 * The validator: a table of bad topologies, each with the exact lines
 * labctl validate must print (file:line:column and message).
 */
#include "testutil.h"
#include "topology.h"
#include "validate.h"

static const char *const kinds[] = {"esxi", "generic", "hyperv", "kvm", "xen", "xenserver"};
static const char *const images[] = {"tiny"};

/* Parse + validate as labctl validate does; the diagnostics as one string. */
static char *check(const char *yaml)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	if (t) {
		struct lc_validate_ctx vc = {kinds, LC_ARRAY_SIZE(kinds), images,
					     LC_ARRAY_SIZE(images)};
		lc_validate(t, &vc, &d);
	}
	struct lc_err err = LC_ERR_INIT;
	lc_diags_to_err(&d, &err);
	char *out = lc_strdup(err.msg ? err.msg : "");
	lc_err_release(&err);
	lc_diags_release(&d);
	lc_topology_free(t);
	return out;
}

#define HEAD "name: lab\n"

static const struct {
	const char *what, *yaml, *want;
} cases[] = {
    {"unknown key with suggestion", HEAD "nodes:\n  kvm1:\n    memroy: 4GiB\n",
     "t.yaml:4:5: node \"kvm1\": unknown key \"memroy\" (did you mean \"memory\"?)"},
    {"unknown key without suggestion", HEAD "nodes:\n  kvm1:\n    colour: blue\n",
     "t.yaml:4:5: node \"kvm1\": unknown key \"colour\""},
    {"unknown top-level key", HEAD "node:\n  a: {}\nnodes: {b: {}}\n",
     "t.yaml:2:1: topology: unknown key \"node\" (did you mean \"nodes\"?)"},
    {"wrong type: list for a string", HEAD "nodes:\n  a:\n    kind: [kvm]\n",
     "t.yaml:4:11: node \"a\": \"kind\" must be a string, not a list"},
    {"wrong type: word for a number", HEAD "nodes:\n  a:\n    vcpus: two\n",
     "t.yaml:4:12: node \"a\": \"vcpus\" must be a whole number, not \"two\""},
    {"wrong type: quoted number", HEAD "nodes:\n  a:\n    vcpus: \"2\"\n",
     "t.yaml:4:12: node \"a\": \"vcpus\" must be a whole number, not \"2\""},
    {"wrong type: bool", HEAD "nodes:\n  a:\n    nested: maybe\n",
     "t.yaml:4:13: node \"a\": \"nested\" must be true or false, not \"maybe\""},
    {"size without unit", HEAD "nodes:\n  a:\n    memory: 4096\n",
     "t.yaml:4:13: node \"a\": \"memory\": bad size \"4096\": a size needs a unit: KiB, MiB, "
     "GiB or TiB"},
    {"duplicate node", HEAD "nodes:\n  a: {}\n  a: {}\n",
     "t.yaml:4:3: duplicate key \"a\" (first given at line 3)"},
    {"duplicate key in a node", HEAD "nodes:\n  a:\n    vcpus: 1\n    vcpus: 2\n",
     "t.yaml:5:5: duplicate key \"vcpus\" (first given at line 4)"},
    {"replica name collides", HEAD "nodes:\n  x-2: {}\n  x:\n    replicas: 2\n",
     "t.yaml:4:3: node \"x-2\": duplicate node name (also the node at line 3)"},
    {"dangling network",
     HEAD "networks:\n  mgmt: {mode: nat, subnet: 10.0.0.0/24}\nnodes:\n  a:\n"
	  "    networks: [mgnt]\n",
     "t.yaml:6:16: node \"a\": unknown network \"mgnt\" (did you mean \"mgmt\"?)"},
    {"dangling pool", HEAD "nodes:\n  a:\n    vfs: [{pool: cx5, count: 1}]\n",
     "t.yaml:4:18: node \"a\": unknown pool \"cx5\""},
    {"dangling image", HEAD "nodes:\n  a:\n    image: tinny\n",
     "t.yaml:4:12: node \"a\": unknown image \"tinny\" (did you mean \"tiny\"?)"},
    {"unknown kind", HEAD "nodes:\n  a:\n    kind: vmware\n",
     "t.yaml:4:11: node \"a\": unknown kind \"vmware\""},
    {"unknown kind with suggestion", HEAD "nodes:\n  a:\n    kind: hyper-v\n",
     "t.yaml:4:11: node \"a\": unknown kind \"hyper-v\" (did you mean \"hyperv\"?)"},
    {"node name with <", HEAD "nodes:\n  \"a<b\": {}\n",
     "t.yaml:3:3: node \"a<b\": invalid name: use letters, digits, \"-\" and \"_\", starting "
     "with a letter or digit, at most 63 characters"},
    {"node name with /", HEAD "nodes:\n  a/b: {}\n",
     "t.yaml:3:3: node \"a/b\": invalid name: use letters, digits, \"-\" and \"_\", starting "
     "with a letter or digit, at most 63 characters"},
    {"node name ..", HEAD "nodes:\n  \"..\": {}\n",
     "t.yaml:3:3: node \"..\": invalid name: use letters, digits, \"-\" and \"_\", starting "
     "with a letter or digit, at most 63 characters"},
    {"lab name", "name: My/Lab\nnodes: {a: {}}\n",
     "t.yaml:1:7: topology: invalid lab name \"My/Lab\": [a-z][a-z0-9-]{0,31} (it prefixes "
     "every resource)"},
    {"network name", HEAD "networks:\n  \"m&m\": {mode: isolated}\nnodes: {a: {}}\n",
     "t.yaml:3:3: network \"m&m\": invalid name: use letters, digits, \"-\" and \"_\", "
     "starting with a letter or digit, at most 63 characters"},
    {"vcpus zero", HEAD "nodes:\n  a:\n    vcpus: 0\n",
     "t.yaml:4:12: node \"a\": \"vcpus\" must be between 1 and 1024"},
    {"memory too large", HEAD "nodes:\n  a:\n    memory: 17TiB\n",
     "t.yaml:4:13: node \"a\": \"memory\" must be between 16384 and 17179869184 KiB (16MiB to "
     "16TiB)"},
    {"memory overflow", HEAD "nodes:\n  a:\n    memory: 99999999999TiB\n",
     "t.yaml:4:13: node \"a\": \"memory\": bad size \"99999999999TiB\": size too large"},
    {"vlan out of range",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\nnodes:\n  a:\n"
	  "    vfs: [{pool: p, count: 1, vlan: 4095}]\n",
     "t.yaml:5:37: node \"a\": \"vlan\" must be between 1 and 4094"},
    {"replicas zero", HEAD "nodes:\n  a:\n    replicas: 0\n",
     "t.yaml:4:15: node \"a\": \"replicas\" must be between 1 and 1024, not 0"},
    {"bad mode", HEAD "networks:\n  m: {mode: natt}\nnodes: {a: {}}\n",
     "t.yaml:3:13: network \"m\": \"mode\" must be one of nat, isolated, bridge, not \"natt\""},
    {"bad subnet", HEAD "networks:\n  m: {mode: nat, subnet: 10.0.0.0/33}\nnodes: {a: {}}\n",
     "t.yaml:3:26: network \"m\": bad subnet \"10.0.0.0/33\" (like 10.77.0.0/24, prefix 8 to "
     "30)"},
    {"bad xpath", HEAD "nodes:\n  a:\n    xml:\n      - {remove: \"/domain/[\"}\n",
     "t.yaml:5:18: node \"a\": xml remove: bad XPath \"/domain/[\": Invalid expression"},
    {"bad fragment",
     HEAD "nodes:\n  a:\n    xml:\n      - {append: /domain/devices, fragment: "
	  "\"<watchdog\"}\n",
     "t.yaml:5:45: node \"a\": xml append: bad fragment: Couldn't find end of Start Tag "
     "watchdog line 1"},
    {"tweak with two ops", HEAD "nodes:\n  a:\n    xml:\n      - {set: /a, remove: /b}\n",
     "t.yaml:5:9: node \"a\": an \"xml\" entry needs exactly one of \"set\", \"remove\" or "
     "\"append\""},
    {"bad MAC",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\nnodes:\n  a:\n"
	  "    vfs: [{pool: p, count: 1, mac: [\"01:00:00:00:00:01\"]}]\n",
     "t.yaml:5:37: node \"a\": bad MAC \"01:00:00:00:00:01\" (six hex pairs with ':', "
     "unicast)"},
    {"empty file", "",
     "t.yaml:1:1: topology: the file is empty (it needs at least \"name\" and "
     "\"nodes\")"},
    {"only a comment", "# nothing\n",
     "t.yaml:1:1: topology: the file is empty (it needs at least \"name\" and \"nodes\")"},
    {"top level a list", "- a\n- b\n",
     "t.yaml:1:1: topology: the top level must be a mapping, not a list"},
    {"malformed YAML", HEAD "nodes:\n  a: {vcpus: 1\n",
     "t.yaml:4:1: malformed YAML: did not find expected ',' or '}' while parsing a flow "
     "mapping"},
    {"alias to nowhere", HEAD "nodes:\n  a: *base\n",
     "t.yaml:3:6: alias \"*base\" refers to no anchor defined before it"},
    {"missing nodes", HEAD, "t.yaml:1:1: topology: missing \"nodes\""},
    /* found by fuzz-topology: an empty "nodes" reached qsort with a NULL array */
    {"empty nodes", HEAD "nodes: {}\n",
     "t.yaml:2:8: topology: \"nodes\" is empty: a lab needs at least one node"},
    {"bad pool match", HEAD "vf_pools: {p: {match: [\"15b3-1018\"]}}\nnodes: {a: {}}\n",
     "t.yaml:2:24: pool \"p\": bad match \"15b3-1018\" (vendor:device in hex, '*' for any, "
     "like 15b3:1018)"},
    {"bad pf range", HEAD "vf_pools: {p: {pf: [\"ens1f0#3-1\"]}}\nnodes: {a: {}}\n",
     "t.yaml:2:21: pool \"p\": bad pf \"ens1f0#3-1\" (a netdev name, optionally #FIRST-LAST VF "
     "indexes, like ens1f0#0-3)"},
    {"bad pci address", HEAD "nodes:\n  a:\n    pci: [{address: \"3b:00.0\"}]\n",
     "t.yaml:4:21: node \"a\": bad PCI address \"3b:00.0\" (like 0000:3b:00.0)"},
    {"bad ttl", "name: lab\nttl: soon\nnodes: {a: {}}\n",
     "t.yaml:2:6: topology: \"ttl\": bad duration \"soon\": expected a number"},
};

static void test_bad_inputs(void **state)
{
	(void)state;
	int failed = 0;
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char *got = check(cases[i].yaml);
		if (strcmp(got, cases[i].want) != 0) {
			fprintf(stderr, "case \"%s\":\n  got:  %s\n  want: %s\n", cases[i].what,
				got, cases[i].want);
			failed++;
		}
		free(got);
	}
	assert_int_equal(failed, 0);
}

static void test_several_problems_sorted(void **state)
{
	(void)state;
	char *got = check(HEAD "nodes:\n  b:\n    vcpus: 0\n  a:\n    kind: nope\n"
			       "    memroy: 1GiB\n");
	assert_string_equal(got, "t.yaml:4:12: node \"b\": \"vcpus\" must be between 1 and 1024\n"
				 "t.yaml:6:11: node \"a\": unknown kind \"nope\"\n"
				 "t.yaml:7:5: node \"a\": unknown key \"memroy\" (did you mean "
				 "\"memory\"?)");
	free(got);
}

static void test_defaults_error_once(void **state)
{
	(void)state;
	/* a mistake in defaults reaches every node but is reported once, at the defaults */
	char *got = check(HEAD "defaults:\n  vcpus: many\nnodes:\n  a: {}\n  b: {}\n");
	assert_string_equal(got, "t.yaml:3:10: defaults: \"vcpus\" must be a whole number, not "
				 "\"many\"");
	free(got);
}

static void test_valid(void **state)
{
	(void)state;
	char *got = check(HEAD "ttl: 8h\n"
			       "defaults: {kind: kvm, memory: 4GiB, image: tiny, nested: true}\n"
			       "networks:\n  mgmt: {mode: nat, subnet: 10.77.0.0/24}\n"
			       "  br: {mode: bridge, bridge: br0}\n"
			       "vf_pools:\n  cx5: {match: [\"15b3:1018\"], pf: [\"ens1f1#0-3\"]}\n"
			       "nodes:\n"
			       "  kvm1:\n    networks: [mgmt, br]\n"
			       "    vfs: [{pool: cx5, count: 2, vlan: 100}]\n"
			       "    xml:\n      - {set: \"/domain/cpu/@mode\", value: host-model}\n"
			       "      - {remove: /domain/devices/video}\n"
			       "      - {append: /domain/devices, fragment: \"<watchdog "
			       "model='i6300esb'/>\"}\n");
	assert_string_equal(got, "");
	free(got);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_several_problems_sorted),
	    cmocka_unit_test(test_defaults_error_once),
	    cmocka_unit_test(test_valid),
	};
	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}

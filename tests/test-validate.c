/*
 * The validator: a table of bad topologies, each with the exact lines
 * labctl validate must print (file:line:column and message).
 */
#include <stdlib.h>
#include <unistd.h>

#include "addr.h"
#include "image-catalog.h"
#include "inet.h"
#include "load.h"
#include "testutil.h"
#include "topology.h"
#include "validate.h"

static const char *const kinds[] = {"esxi", "generic", "hyperv", "kvm", "xen", "xenserver"};
static const char *const images[] = {"tiny", "cloud"};
static const bool cloud_init[] = {false, true};

/* Parse + validate as labctl validate does; the diagnostics as one string. */
static char *check(const char *yaml)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	if (t) {
		struct lc_validate_ctx vc = {kinds,	 LC_ARRAY_SIZE(kinds),
					     images,	 LC_ARRAY_SIZE(images),
					     cloud_init, NULL,
					     NULL,	 NULL,
					     NULL};
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

#define HEAD		 "name: lab\n"
#define A10		 "aaaaaaaaaa"
#define A100		 A10 A10 A10 A10 A10 A10 A10 A10 A10 A10
#define A1000		 A100 A100 A100 A100 A100 A100 A100 A100 A100 A100
#define LONG_NAME	 A1000 A1000 A1000 A1000 A1000
#define LONG_NAME_SHOWN	 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (1000 characters)"
#define LONG_NAME_SHOWN5 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa... (5000 characters)"

static const struct {
	const char *what, *yaml, *want;
} cases[] = {
    /* a fuzz finding: addresses were planned with the lab's name NULL (UBSan) */
    {"no name, a node on a network",
     "networks: {m: {mode: nat, subnet: 10.5.0.0/24}}\nnodes:\n  a: {networks: [m]}\n",
     "t.yaml:1:1: topology: missing \"name\" (the lab's name)"},
    {"cloud_init on an image without it",
     HEAD "nodes:\n  a: {image: tiny, cloud_init: {runcmd: [x]}}\n",
     "t.yaml:3:32: node \"a\": \"cloud_init\" needs an image that takes cloud-init, and image "
     "\"tiny\" does not (its catalog entry has no \"cloud_init: true\")"},
    {"cloud_init a list", HEAD "nodes:\n  a: {image: cloud, cloud_init: [x]}\n",
     "t.yaml:3:33: node \"a\": \"cloud_init\" must be a cloud-config file's path or a mapping, "
     "not a list"},
    {"ip outside the planned range",
     HEAD "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
	  "nodes:\n  a: {networks: [m], ip: {m: 10.5.0.200}}\n",
     "t.yaml:4:30: node \"a\": \"ip\" 10.5.0.200 is not in network \"m\"'s planned range "
     "10.5.0.10-10.5.0.127 (the gateway, the first addresses and DHCP's dynamic range are kept)"},
    {"ip given twice",
     HEAD
     "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
     "nodes:\n  a: {networks: [m], ip: {m: 10.5.0.20}}\n  c: {networks: [m], ip: {m: 10.5.0.20}}\n",
     "t.yaml:5:30: node \"c\": \"ip\" 10.5.0.20 is given to another node too"},
    {"ip on a network the node is not on",
     HEAD "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
	  "nodes:\n  a: {ip: {m: 10.5.0.20}}\n",
     "t.yaml:4:12: node \"a\": \"ip\" names network \"m\", which the node is not on"},
    {"ip on a bridge",
     HEAD "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
	  "nodes:\n  a: {networks: [b], ip: {b: 10.5.0.20}}\n",
     "t.yaml:4:27: node \"a\": network \"b\" has no subnet labctl manages: \"ip\" can only be "
     "planned on nat and isolated networks with a subnet"},
    {"ip malformed",
     HEAD "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
	  "nodes:\n  a: {networks: [m], ip: {m: 10.5.0}}\n",
     "t.yaml:4:30: node \"a\": bad \"ip\" \"10.5.0\" (like 10.77.0.20)"},
    {"ip in defaults",
     HEAD "networks: {m: {mode: nat, subnet: 10.5.0.0/24}, b: {mode: bridge, bridge: br0}}\n"
	  "defaults: {ip: {m: 10.5.0.20}}\nnodes:\n  a: {networks: [m]}\n",
     "t.yaml:3:20: defaults: \"ip\" in defaults would give every node the same address"},
    {"subnet full",
     HEAD "networks: {m: {mode: isolated, subnet: 10.5.0.0/29}}\nnodes:\n  a: {networks: [m]}\n  "
	  "b: {networks: [m]}\n  c: {networks: [m]}\n",
     "t.yaml:2:40: network \"m\": subnet 10.5.0.0/29 has no planned address left for node \"c\" "
     "(use a larger subnet)"},
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
     "t.yaml:4:12: node \"a\": \"vcpus\" must be a whole number, not the string \"2\" (quoted: "
     "drop the quotes)"},
    {"merge key", HEAD "defaults: &d {memory: 1GiB}\nnodes:\n  a:\n    <<: *d\n",
     "t.yaml:5:5: YAML merge keys (\"<<\") are not supported: give the keys again, or put "
     "what nodes share under \"defaults\""},
    {"1,000-character node name", HEAD "nodes:\n  " A1000 ": {}\n",
     "t.yaml:3:3: node \"" LONG_NAME_SHOWN "\": invalid name: use letters, digits, \"-\" and "
     "\"_\", starting with a letter or digit, at most 63 characters"},
    {"5,000-character key", HEAD "nodes:\n  " LONG_NAME ": {}\n",
     "t.yaml:3:5003: malformed YAML: a key of more than 1024 characters (YAML's limit for a "
     "simple key; names are at most 63)"},
    {"5,000-character lab name", "name: " LONG_NAME "\nnodes: {a: {}}\n",
     "t.yaml:1:7: topology: invalid lab name \"" LONG_NAME_SHOWN5 "\": [a-z][a-z0-9-]{0,31} (it "
     "prefixes every resource)"},
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
    {"overlapping subnets",
     HEAD "networks:\n  m: {mode: nat, subnet: 10.1.0.0/16}\n  s: {mode: isolated}\n"
	  "  n: {mode: isolated, subnet: 10.1.7.0/24}\nnodes: {a: {}}\n",
     "t.yaml:5:31: network \"n\": subnet 10.1.7.0/24 overlaps network \"m\"'s 10.1.0.0/16 "
     "(line 3)"},
    {"bad xpath", HEAD "nodes:\n  a:\n    xml:\n      - {remove: \"/domain/[\"}\n",
     "t.yaml:5:18: node \"a\": xml remove: bad XPath \"/domain/[\": Invalid expression"},
    /* compiled, but render's evaluation failed: validate evaluates as render does */
    {"xpath selecting no nodes",
     HEAD "nodes:\n  a:\n    xml:\n      - {remove: \"count(/domain)\"}\n",
     "t.yaml:5:18: node \"a\": xml remove: bad XPath \"count(/domain)\": the XPath does not "
     "select nodes"},
    {"xpath variable", HEAD "nodes:\n  a:\n    xml:\n      - {set: \"$v\", value: x}\n",
     "t.yaml:5:15: node \"a\": xml set: bad XPath \"$v\": Undefined variable"},
    {"xpath unknown function",
     HEAD "nodes:\n  a:\n    xml:\n      - {remove: \"nosuchfn(/domain)\"}\n",
     "t.yaml:5:18: node \"a\": xml remove: bad XPath \"nosuchfn(/domain)\": "
     "xmlXPathCompOpEval: function nosuchfn not found"},
    {"xpath unknown prefix",
     HEAD "nodes:\n  a:\n    xml:\n      - {append: /domain/foo:bar, fragment: \"<x/>\"}\n",
     "t.yaml:5:18: node \"a\": xml append: bad XPath \"/domain/foo:bar\": Undefined namespace "
     "prefix"},
    {"tweak removing the ownership metadata",
     HEAD "nodes:\n  a:\n    xml:\n      - {remove: /domain/metadata}\n",
     "t.yaml:5:18: node \"a\": xml remove: \"/domain/metadata\" reaches <metadata>, which "
     "labctl owns (the domain's name, uuid and ownership metadata cannot be tweaked)"},
    {"tweak renaming the domain",
     HEAD "nodes:\n  a:\n    xml:\n      - {set: /domain/name, value: victim}\n",
     "t.yaml:5:15: node \"a\": xml set: \"/domain/name\" reaches <name>, which labctl owns "
     "(the domain's name, uuid and ownership metadata cannot be tweaked)"},
    {"tweak giving the domain to another lab",
     HEAD
     "nodes:\n  a:\n    xml:\n      - {set: \"/domain/metadata/labctl:node/@lab\", value: b}\n",
     "t.yaml:5:15: node \"a\": xml set: \"/domain/metadata/labctl:node/@lab\" reaches "
     "<metadata>, which labctl owns (the domain's name, uuid and ownership metadata cannot "
     "be tweaked)"},
    {"tweak removing the domain", HEAD "nodes:\n  a:\n    xml:\n      - {remove: /domain}\n",
     "t.yaml:5:18: node \"a\": xml remove: \"/domain\" reaches <domain>, which labctl owns "
     "(the domain's name, uuid and ownership metadata cannot be tweaked)"},
    /* found by fuzz-topology: checking an append with no fragment read a NULL string */
    {"append without fragment", HEAD "nodes:\n  a:\n    xml:\n      - {append: /domain/devices}\n",
     "t.yaml:5:9: node \"a\": \"append\" needs \"fragment\" (and no other)"},
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
    {"ttl past time_t", "name: lab\nttl: 99999999999999d\nnodes: {a: {}}\n",
     "t.yaml:2:6: topology: \"ttl\": bad duration \"99999999999999d\": longer than 10 years "
     "(3650d)"},
    {"size with an exponent", HEAD "nodes:\n  a:\n    memory: 1e30GiB\n",
     "t.yaml:4:13: node \"a\": \"memory\": bad size \"1e30GiB\": a size is a whole number and "
     "a unit, like 4GiB (no decimals or exponents)"},
    {"bad ttl", "name: lab\nttl: soon\nnodes: {a: {}}\n",
     "t.yaml:2:6: topology: \"ttl\": bad duration \"soon\": expected a number"},
    {"network listed three times: one line per extra copy",
     HEAD "networks: {n: {mode: isolated}}\nnodes:\n  a: {networks: [n, n, n]}\n",
     "t.yaml:4:21: node \"a\": network \"n\" is listed twice\n"
     "t.yaml:4:24: node \"a\": network \"n\" is listed twice"},
    {"a disk's volume is another node's", HEAD "nodes:\n  a: {disks: [1GiB]}\n  a-disk1: {}\n",
     "t.yaml:4:3: node \"a-disk1\": volume \"lab-a-disk1.qcow2\" is also node \"a\"'s (line 3)"},
    {"pci twice in a node, spelt differently",
     HEAD "nodes:\n  a:\n    pci: [{address: \"0000:3b:00.0\"}, {address: \"0000:3B:00.0\"}]\n",
     "t.yaml:4:48: node \"a\": PCI device \"0000:3b:00.0\" is also given at line 4"},
    {"pci in two nodes",
     HEAD "nodes:\n  b: {pci: [{address: \"0000:3b:00.0\"}]}\n"
	  "  a: {pci: [{address: \"0000:3b:00.0\"}]}\n",
     "t.yaml:4:23: node \"a\": PCI device \"0000:3b:00.0\" is also node \"b\"'s (line 3)"},
    /* Intel VMD puts devices in domain 10000: five digits are an address too */
    {"pci behind VMD in two nodes",
     HEAD "nodes:\n  b: {pci: [{address: \"10000:01:00.0\"}]}\n"
	  "  a: {pci: [{address: \"10000:01:00.0\"}]}\n",
     "t.yaml:4:23: node \"a\": PCI device \"10000:01:00.0\" is also node \"b\"'s (line 3)"},
    {"pci address with a 9-digit domain",
     HEAD "nodes:\n  a:\n    pci: [{address: \"100000000:01:00.0\"}]\n",
     "t.yaml:4:21: node \"a\": bad PCI address \"100000000:01:00.0\" (like 0000:3b:00.0)"},
    {"pci with replicas",
     HEAD "nodes:\n  x:\n    replicas: 2\n    pci: [{address: \"0000:3b:00.0\"}]\n",
     "t.yaml:5:11: node \"x\": \"pci\" with \"replicas\" would pass the same device to every "
     "node"},
    {"pci in defaults",
     HEAD "defaults: {pci: [{address: \"0000:3b:00.0\"}]}\nnodes: {a: {}, b: {}}\n",
     "t.yaml:2:18: defaults: \"pci\" in defaults would pass the same device to every node"},
    {"mac with replicas",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\nnodes:\n  x:\n    replicas: 2\n"
	  "    vfs: [{pool: p, mac: [\"02:00:00:00:00:01\"]}]\n",
     "t.yaml:6:26: node \"x\": an explicit \"mac\" list with \"replicas\" would give the same "
     "MACs to every node (use mac: auto)"},
    {"mac in defaults",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\n"
	  "defaults: {vfs: [{pool: p, mac: [\"02:00:00:00:00:01\"]}]}\nnodes: {a: {}, b: {}}\n",
     "t.yaml:3:33: defaults: an explicit \"mac\" list in defaults would give the same MACs to "
     "every node (use mac: auto)"},
    {"one mac list for two nodes through an alias",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\nnodes:\n"
	  "  a: {vfs: [{pool: p, mac: &m [\"02:00:00:00:00:01\"]}]}\n"
	  "  b: {vfs: [{pool: p, mac: *m}]}\n",
     "t.yaml:4:32: node \"b\": MAC \"02:00:00:00:00:01\" is also node \"a\"'s (line 4)"},
    {"mac in two nodes, in another case",
     HEAD "vf_pools: {p: {match: [\"15b3:1018\"]}}\nnodes:\n"
	  "  a: {vfs: [{pool: p, mac: [\"02:00:00:00:00:0a\"]}]}\n"
	  "  b: {vfs: [{pool: p, mac: [\"02:00:00:00:00:0A\"]}]}\n",
     "t.yaml:5:29: node \"b\": MAC \"02:00:00:00:00:0A\" is also node \"a\"'s (line 4)"},
    {"replicas in defaults", HEAD "defaults: {replicas: 2}\nnodes: {a: {}}\n",
     "t.yaml:2:22: defaults: \"replicas\" cannot be a default: give it on the nodes to "
     "replicate"},
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

/* Found by an audit: one diagnostic per earlier copy made 10,000 names cost 24 GB. */
static void test_duplicates_linear(void **state)
{
	(void)state;
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, HEAD "networks: {n: {mode: isolated}}\nnodes:\n  a:\n    networks: [n");
	for (int i = 1; i < 10000; i++)
		lc_buf_adds(&b, ", n");
	lc_buf_adds(&b, "]\n");
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", b.s, b.len, &d);
	assert_non_null(t);
	struct lc_validate_ctx vc = {kinds,	 LC_ARRAY_SIZE(kinds),
				     images,	 LC_ARRAY_SIZE(images),
				     cloud_init, NULL,
				     NULL,	 NULL,
				     NULL};
	lc_validate(t, &vc, &d);
	assert_int_equal(d.n, 9999);
	lc_diags_release(&d);
	lc_topology_free(t);
	lc_buf_release(&b);
}

/* Replicas times an aliased list: a small file must not build a huge model. */
static void test_model_size_capped(void **state)
{
	(void)state;
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, HEAD "x: &d [1MiB");
	for (int i = 1; i < 4000; i++)
		lc_buf_adds(&b, ", 1MiB");
	lc_buf_adds(&b, "]\nnodes:\n");
	for (int i = 0; i < 4; i++)
		lc_buf_addf(&b, "  n%d: {replicas: 1024, disks: *d}\n", i);
	char *got = check(b.s);
	assert_non_null(strstr(got, "topology: too large: more than 1048576 values once defaults "
				    "and replicas are applied"));
	free(got);
	lc_buf_release(&b);
	/* and the bytes themselves */
	size_t big = LC_MAX_TOPOLOGY_BYTES + 1;
	char *text = lc_malloc(big);
	memset(text, ' ', big);
	struct lc_diags d;
	lc_diags_init(&d);
	assert_null(lc_topology_parse("t.yaml", text, big, &d));
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].msg, "topology: the file is larger than 16 MiB");
	lc_diags_release(&d);
	free(text);
}

/*
 * Planned addresses: an explicit ip: is kept, the others are derived in the
 * planned range, unique, and the same on every run; a node added later does
 * not move the others (unless it lands on one's first choice).
 */
static void test_addresses_planned(void **state)
{
	(void)state;
	const char *yaml =
	    "name: lab\nnetworks: {m: {mode: nat, subnet: 10.5.0.0/24}}\n"
	    "nodes:\n  a: {networks: [m]}\n  b: {networks: [m], ip: {m: 10.5.0.77}}\n"
	    "  c: {networks: [m]}\n  d: {networks: [m]}\n";
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	assert_non_null(t);
	struct lc_addrs a1, a2;
	lc_addrs_plan(t, &a1, &d);
	lc_addrs_plan(t, &a2, &d);
	assert_int_equal(d.n, 0);
	assert_int_equal(a1.n, 4);
	assert_string_equal(a1.v[1].ip, "10.5.0.77");
	for (size_t i = 0; i < a1.n; i++) {
		assert_string_equal(a1.v[i].ip, a2.v[i].ip);
		assert_string_equal(a1.v[i].mac, a2.v[i].mac);
		uint32_t ip;
		assert_true(lc_parse_ipv4(a1.v[i].ip, &ip));
		assert_true(ip >= 0x0a05000a && ip <= 0x0a05007f);
		for (size_t k = 0; k < i; k++)
			assert_string_not_equal(a1.v[i].ip, a1.v[k].ip);
	}
	lc_addrs_release(&a2);
	lc_topology_free(t);
	/* without c: a, b and d keep their addresses */
	const char *fewer =
	    "name: lab\nnetworks: {m: {mode: nat, subnet: 10.5.0.0/24}}\n"
	    "nodes:\n  a: {networks: [m]}\n  b: {networks: [m], ip: {m: 10.5.0.77}}\n"
	    "  d: {networks: [m]}\n";
	t = lc_topology_parse("t.yaml", fewer, strlen(fewer), &d);
	assert_non_null(t);
	lc_addrs_plan(t, &a2, &d);
	assert_string_equal(a2.v[0].ip, a1.v[0].ip);
	assert_string_equal(a2.v[1].ip, a1.v[1].ip);
	assert_string_equal(a2.v[2].ip, a1.v[3].ip);
	lc_addrs_release(&a1);
	lc_addrs_release(&a2);
	lc_topology_free(t);
	lc_diags_release(&d);
}

/* The user's cloud-config file: its YAML problems are said at their place in that file. */
static void test_cloud_init_file(void **state)
{
	(void)state;
	static const struct {
		const char *text, *want;
	} files[] = {
	    {"runcmd:\n  - [a\n", "/tmp/user.yaml:3:1: "},
	    {"- a\n- b\n", "/tmp/user.yaml:1:1: cloud-config: must be a mapping (like \"runcmd: "
			   "[...]\"), not a list"},
	    {"", "/tmp/user.yaml:1:1: cloud-config: must be a mapping (like \"runcmd: [...]\"), "
		 "not empty"},
	    {"runcmd: [touch /x]\n", NULL},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(files); i++) {
		const char *yaml =
		    "name: lab\nnodes:\n  a: {image: cloud, cloud_init: user.yaml}\n";
		struct lc_diags d;
		lc_diags_init(&d);
		struct lc_topology *t = lc_topology_parse("/tmp/t.yaml", yaml, strlen(yaml), &d);
		assert_non_null(t);
		t->nodes[0].cloud_init_text = lc_strdup(files[i].text);
		struct lc_validate_ctx vc = {kinds,	 LC_ARRAY_SIZE(kinds),
					     images,	 LC_ARRAY_SIZE(images),
					     cloud_init, NULL,
					     NULL,	 NULL,
					     NULL};
		lc_validate(t, &vc, &d);
		struct lc_err err = LC_ERR_INIT;
		lc_diags_to_err(&d, &err);
		if (!files[i].want)
			assert_null(err.msg);
		else if (!err.msg || strncmp(err.msg, files[i].want, strlen(files[i].want)) != 0)
			fail_msg("case %zu: got %s, want %s...", i, err.msg, files[i].want);
		lc_err_release(&err);
		lc_diags_release(&d);
		lc_topology_free(t);
	}
}

/* lc_load as validate runs it: the file itself, and a node's own template. */
static void test_load_files(void **state)
{
	(void)state;
	char dir[] = "/tmp/lc-test-validate-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *templates = t_path("templates"), *catalog = t_path("tests/fixtures/catalog.yaml");
	struct lc_opts o = {.templates = templates, .catalog = catalog, .state_dir = dir};
	struct lc_loaded l;
	struct lc_err err = LC_ERR_INIT;
	/* a device never ends: refused before it is read */
	assert_int_equal(lc_load(&o, "/dev/zero", &l, &err), -1);
	assert_int_equal(err.code, LC_EXIT_USAGE);
	assert_string_equal(err.msg,
			    "'/dev/zero' is not a regular file: a topology is a YAML file");
	lc_err_release(&err);
	/* a relative template is the topology's neighbour, checked with its position */
	char *tmpl = lc_asprintf("%s/mine.xml", dir), *topo = lc_asprintf("%s/t.yaml", dir);
	const char *dom = "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type>"
			  "</os></domain>";
	const char *yaml = "name: lab\nnodes:\n  a: {template: mine.xml}\n"
			   "  b: {template: gone.xml}\n";
	assert_int_equal(lc_write_file(tmpl, dom, strlen(dom), &err), 0);
	assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
	assert_int_equal(lc_load(&o, topo, &l, &err), -1);
	char *want = lc_asprintf("%s:4:17: node \"b\": template: cannot open '%s/gone.xml': No "
				 "such file or directory",
				 topo, dir);
	assert_string_equal(err.msg, want);
	lc_err_release(&err);
	yaml = "name: lab\nnodes:\n  a: {template: mine.xml}\n";
	assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
	assert_int_equal(lc_load(&o, topo, &l, &err), 0);
	assert_string_equal(l.topo->nodes[0].template_path.v, tmpl);
	lc_loaded_release(&l);
	/* ssh_key: a missing file, a private key, a public key */
	yaml = "name: lab\nssh_key: lab.pub\nnodes:\n  a: {}\n";
	assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
	assert_int_equal(lc_load(&o, topo, &l, &err), -1);
	free(want);
	want = lc_asprintf("%s:2:10: \"ssh_key\": cannot open '%s/lab.pub': No such file or "
			   "directory",
			   topo, dir);
	assert_string_equal(err.msg, want);
	lc_err_release(&err);
	char *pub = lc_asprintf("%s/lab.pub", dir);
	const char *priv = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n";
	assert_int_equal(lc_write_file(pub, priv, strlen(priv), &err), 0);
	assert_int_equal(lc_load(&o, topo, &l, &err), -1);
	assert_non_null(strstr(err.msg, ":2:10: \"ssh_key\": '"));
	assert_non_null(strstr(err.msg, "lab.pub' is not an OpenSSH public key"));
	lc_err_release(&err);
	const char *key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk0bGFi me@host\n";
	assert_int_equal(lc_write_file(pub, key, strlen(key), &err), 0);
	assert_int_equal(lc_load(&o, topo, &l, &err), 0);
	assert_string_equal(l.topo->ssh_key_text, key);
	lc_loaded_release(&l);
	unlink(pub);
	free(pub);
	unlink(tmpl);
	unlink(topo);
	rmdir(dir);
	free(want);
	free(tmpl);
	free(topo);
	free(templates);
	free(catalog);
}

/*
 * issue 15 #1 and #10: validate runs every tweak on the node's rendered
 * domain, as render will, and checks the result against libvirt's domain
 * schema; each error names the tweak's position.
 */
static void test_tweaks_on_rendered_domain(void **state)
{
	(void)state;
	char dir[] = "/tmp/lc-test-validate-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *templates = t_path("templates"), *catalog = t_path("tests/fixtures/catalog.yaml");
	struct lc_opts o = {.templates = templates, .catalog = catalog, .state_dir = dir};
	char *topo = lc_asprintf("%s/t.yaml", dir);
	static const struct {
		const char *tweak, *want;
	} tw_cases[] = {
	    {"{append: /domain/nosuch, fragment: \"<a/>\"}",
	     ":5:20: node \"b\": xml append: \"/domain/nosuch\" matches no element in the domain"},
	    {"{set: /domain/a/b/c, value: x}",
	     ":5:17: node \"b\": xml set: \"/domain/a/b/c\" matches nothing in the domain"},
	    {"{set: \"/domain/devices/newthing/@attr\", value: x}",
	     ":5:17: node \"b\": xml set: \"/domain/devices/newthing/@attr\" matches nothing in "
	     "the domain"},
	    {"{set: \"/domain/text()\", value: x}",
	     ":5:17: node \"b\": xml set: \"/domain/text()\" matches nothing in the domain"},
	    {"{set: /domain/devices, value: x}",
	     ":5:17: node \"b\": xml set: \"/domain/devices\" reaches <devices>, which holds "
	     "elements: set would replace them with text (set an attribute or an element "
	     "without children, or remove and append)"},
	    {"{append: /domain/devices, fragment: hello}",
	     ":5:47: node \"b\": xml append: bad fragment: the fragment holds text outside an "
	     "element: it must be one or more elements"},
	    {"{set: /domain/vcpu, value: \"<b>\"}",
	     ":5:11: node \"b\": xml set: \"/domain/vcpu\" leaves a domain libvirt refuses: "},
	    {"{append: /domain/devices, fragment: \"<nosuch/>\"}",
	     ":5:11: node \"b\": xml append: \"/domain/devices\" leaves a domain libvirt "
	     "refuses: "},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(tw_cases); i++) {
		char *yaml = lc_asprintf("name: lab\nnodes:\n  a: {}\n  b:\n    xml: [%s]\n",
					 tw_cases[i].tweak);
		struct lc_err err = LC_ERR_INIT;
		struct lc_loaded l;
		assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
		assert_int_equal(lc_load_checked(&o, topo, &l, &err), -1);
		assert_int_equal(err.code, LC_EXIT_USAGE);
		char *want = lc_asprintf("%s%s", topo, tw_cases[i].want);
		if (strncmp(err.msg, want, strlen(want)) != 0)
			fail_msg("%s:\n got  %s\n want %s", tw_cases[i].tweak, err.msg, want);
		free(want);
		free(yaml);
		lc_err_release(&err);
	}
	/* a tweak that fits the rendered domain and the schema passes */
	const char *yaml = "name: lab\nnodes:\n  b:\n    xml: [{set: /domain/cpu/@mode, value: "
			   "host-model}, {append: /domain/devices, fragment: \"<watchdog "
			   "model='i6300esb'/>\"}]\n";
	struct lc_err err = LC_ERR_INIT;
	struct lc_loaded l;
	assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
	if (lc_load_checked(&o, topo, &l, &err) < 0)
		fail_msg("%s", err.msg);
	lc_loaded_release(&l);
	/* a user's template that libvirt would refuse is reported at its "template:" */
	char *tmpl = lc_asprintf("%s/mine.xml", dir);
	const char *dom = "<domain type='kvm'><name>x</name><memory>1</memory><os><type>hvm</type>"
			  "</os><bogus/></domain>";
	assert_int_equal(lc_write_file(tmpl, dom, strlen(dom), &err), 0);
	yaml = "name: lab\nnodes:\n  a: {template: mine.xml}\n";
	assert_int_equal(lc_write_file(topo, yaml, strlen(yaml), &err), 0);
	assert_int_equal(lc_load_checked(&o, topo, &l, &err), -1);
	char *want = lc_asprintf("%s:3:17: node \"a\": template: the rendered domain is not valid "
				 "for libvirt: ",
				 topo);
	assert_true(strncmp(err.msg, want, strlen(want)) == 0);
	lc_err_release(&err);
	free(want);
	unlink(tmpl);
	unlink(topo);
	rmdir(dir);
	free(tmpl);
	free(topo);
	free(templates);
	free(catalog);
}

/* Images with a firmware and a hypervisor, as the shipped catalog's debian-xen says. */
static const char catalog_yaml[] = "images:\n"
				   "  tiny: {format: kernel, kernel: {url: k}, hypervisor: kvm}\n"
				   "  xenhost: {url: d.qcow2, boot: disk, firmware: bios,\n"
				   "            hypervisor: xen}\n"
				   "  efi: {url: e.qcow2, firmware: uefi}\n"
				   "  plain: {url: p.qcow2}\n";

/* validate's errors and warnings for yaml against catalog_yaml, as "L:C: msg" lines. */
static void check_with_catalog(const char *yaml, char **errors, char **warnings)
{
	static const char *const names[] = {"tiny", "xenhost", "efi", "plain"};
	struct lc_diags cd;
	lc_diags_init(&cd);
	struct lc_catalog *c = lc_catalog_parse("c.yaml", catalog_yaml, strlen(catalog_yaml), &cd);
	assert_int_equal(cd.n, 0);
	lc_diags_release(&cd);
	struct lc_diags d, w;
	lc_diags_init(&d);
	lc_diags_init(&w);
	struct lc_topology *t = lc_topology_parse("t.yaml", yaml, strlen(yaml), &d);
	assert_non_null(t);
	struct lc_validate_ctx vc = {
	    kinds, LC_ARRAY_SIZE(kinds), names, LC_ARRAY_SIZE(names), NULL, NULL, NULL, NULL, c};
	lc_validate(t, &vc, &d);
	lc_validate_warnings(t, c, &w);
	struct lc_buf eb = LC_BUF_INIT, wb = LC_BUF_INIT;
	for (size_t i = 0; i < d.n; i++)
		lc_buf_addf(&eb, "%d:%d: %s\n", d.v[i].at.line, d.v[i].at.col, d.v[i].msg);
	for (size_t i = 0; i < w.n; i++)
		lc_buf_addf(&wb, "%d:%d: %s\n", w.v[i].at.line, w.v[i].at.col, w.v[i].msg);
	*errors = lc_buf_detach(&eb);
	*warnings = lc_buf_detach(&wb);
	lc_diags_release(&d);
	lc_diags_release(&w);
	lc_topology_free(t);
	lc_catalog_free(c);
}

static void test_image_firmware(void **state)
{
	(void)state;
	char *e, *w;
	check_with_catalog("name: lab\nnodes:\n"
			   "  a: {kind: xen, image: xenhost, firmware: uefi}\n"
			   "  b: {kind: xen, image: xenhost, firmware: bios}\n"
			   "  c: {kind: xen, image: xenhost}\n"
			   "  d: {kind: kvm, image: efi, firmware: bios}\n"
			   "  e: {kind: kvm, image: efi, firmware: uefi-secure}\n"
			   "  f: {kind: kvm, image: plain, firmware: uefi}\n"
			   "  g: {kind: kvm, image: tiny, firmware: uefi}\n",
			   &e, &w);
	assert_string_equal(e, "3:44: node \"a\": firmware uefi cannot boot image \"xenhost\": "
			       "its disk boots with BIOS (its catalog entry says firmware: bios)\n"
			       "6:40: node \"d\": firmware bios cannot boot image \"efi\": its "
			       "disk boots with UEFI (its catalog entry says firmware: uefi)\n");
	assert_string_equal(w, "");
	free(e);
	free(w);
}

static void test_xen_kind_warning(void **state)
{
	(void)state;
	char *e, *w;
	check_with_catalog("name: lab\nnodes:\n"
			   "  a: {kind: xen, image: tiny}\n"
			   "  b: {kind: xen, image: xenhost}\n"
			   "  c: {kind: xen, image: plain}\n"
			   "  d: {kind: kvm, image: tiny}\n"
			   "  e: {kind: xen}\n",
			   &e, &w);
	assert_string_equal(e, "");
	assert_string_equal(
	    w, "3:25: node \"a\": kind xen on image \"tiny\", which is not a Xen host (its "
	       "catalog entry says hypervisor: kvm): the node gets Xen's hardware, not Xen\n"
	       "5:25: node \"c\": kind xen on image \"plain\", which is not a Xen host (its "
	       "catalog entry says hypervisor: nothing): the node gets Xen's hardware, not "
	       "Xen\n");
	free(e);
	free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_bad_inputs),
	    cmocka_unit_test(test_several_problems_sorted),
	    cmocka_unit_test(test_defaults_error_once),
	    cmocka_unit_test(test_valid),
	    cmocka_unit_test(test_duplicates_linear),
	    cmocka_unit_test(test_model_size_capped),
	    cmocka_unit_test(test_load_files),
	    cmocka_unit_test(test_tweaks_on_rendered_domain),
	    cmocka_unit_test(test_addresses_planned),
	    cmocka_unit_test(test_cloud_init_file),
	    cmocka_unit_test(test_image_firmware),
	    cmocka_unit_test(test_xen_kind_warning),
	};
	return cmocka_run_group_tests_name("validate", tests, NULL, NULL);
}

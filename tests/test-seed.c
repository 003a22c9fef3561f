/*
 * cloud-init seeds: the three files of a node's NoCloud seed against golden
 * files chosen by name, and the ISO volume read back by isoinfo (another
 * program than the library that wrote it).
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "addr.h"
#include "lab-ssh.h"
#include "seed.h"
#include "testutil.h"
#include "topology.h"

#define KEY                                                                                        \
	"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGk0bGFiY3RsdGVzdGtleXRoYXRpc25vdHJlYWw "             \
	"labctl-seedlab"

static struct lc_topology *parse(const char *yaml)
{
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("/tmp/seed.yaml", yaml, strlen(yaml), &d);
	if (!t || d.n)
		fail_msg("topology: %s", d.n ? d.v[0].msg : "unparsed");
	lc_diags_release(&d);
	return t;
}

/* Render node `node`'s seed and compare each file with tests/golden/seed-NAME.FILE. */
static void seed_golden(const char *name, const char *yaml, const char *node,
			const struct lc_hostdev *hd, size_t n_hd)
{
	struct lc_topology *t = parse(yaml);
	const struct lc_node *n = lc_topology_node(t, node);
	assert_non_null(n);
	struct lc_addrs a;
	lc_addrs_plan(t, &a, NULL);
	struct lc_seed s;
	lc_seed_render(t, n, &a, hd, n_hd, KEY, "labctl-0123456789abcdef", &s);
	const char *parts[][2] = {{"meta-data", s.meta_data},
				  {"user-data", s.user_data},
				  {"network-config", s.network_config}};
	for (size_t i = 0; i < 3; i++) {
		char *f = lc_asprintf("seed-%s.%s", name, parts[i][0]);
		t_golden_text(f, parts[i][1]);
		free(f);
	}
	lc_seed_release(&s);
	lc_addrs_release(&a);
	lc_topology_free(t);
}

static void test_seed_two_networks_vf_inline(void **state)
{
	(void)state;
	static const struct lc_hostdev hd[] = {
	    {0, 0xd8, 0, 2, true, "02:11:22:33:44:55", 100},
	    {0, 0x3b, 0, 0, false, "", 0},
	};
	seed_golden(
	    "kvm",
	    "name: seedlab\nnetworks:\n  mgmt: {mode: nat, subnet: 10.66.0.0/24}\n"
	    "  store: {mode: isolated, subnet: 10.67.0.0/24}\n"
	    "nodes:\n  kvm1:\n    kind: kvm\n    networks: [mgmt, store]\n"
	    "    ip: {store: 10.67.0.42}\n"
	    "    cloud_init:\n      packages: [jq]\n      runcmd:\n        - [touch, /run/marker]\n"
	    "        - echo \"quoted\" > /tmp/x\n      ssh_pwauth: no\n      retries: 3\n",
	    "kvm1", hd, LC_ARRAY_SIZE(hd));
}

static void test_seed_plain(void **state)
{
	(void)state;
	seed_golden("plain", "name: seedlab\nnodes:\n  gen: {kind: generic}\n", "gen", NULL, 0);
}

/* The user's file is taken as written, its boundary-like text included. */
static void test_seed_user_file(void **state)
{
	(void)state;
	struct lc_topology *t = parse("name: seedlab\nnodes:\n  a: {cloud_init: user.yaml}\n");
	struct lc_node *n = &t->nodes[0];
	assert_string_equal(n->cloud_init.v, "/tmp/user.yaml");
	n->cloud_init_text = lc_strdup("runcmd:\n  - echo labctl-seed-boundary\n");
	struct lc_seed s;
	lc_seed_render(t, n, NULL, NULL, 0, KEY, "id", &s);
	assert_non_null(strstr(s.user_data, "boundary=\"labctl-seed-boundaryx\""));
	assert_non_null(
	    strstr(s.user_data, "#cloud-config\nruncmd:\n  - echo labctl-seed-boundary\n"));
	assert_non_null(strstr(s.user_data, "\n--labctl-seed-boundaryx--\n"));
	lc_seed_release(&s);
	lc_topology_free(t);
}

static char *run(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	struct lc_buf b = LC_BUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof(chunk), p)) > 0)
		lc_buf_add(&b, chunk, got);
	assert_int_equal(pclose(p), 0);
	return lc_buf_detach(&b);
}

static void test_iso_read_back(void **state)
{
	(void)state;
	if (system("command -v isoinfo >/dev/null") != 0)
		fail_msg("isoinfo (genisoimage) is needed: tests/install-deps.sh installs it");
	const struct lc_iso_file files[] = {
	    {"meta-data", "instance-id: x\n", 15},
	    {"user-data", "#cloud-config\nhostname: a\n", 27},
	    {"network-config", "version: 2\n", 11},
	};
	unsigned char *iso, *again;
	size_t len, len2;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_iso_build("cidata", files, 3, 1700000000, &iso, &len, &err), 0);
	assert_int_equal(len % 2048, 0);
	/* the same files on the same date: the same bytes */
	assert_int_equal(lc_iso_build("cidata", files, 3, 1700000000, &again, &len2, &err), 0);
	assert_int_equal(len, len2);
	assert_memory_equal(iso, again, len);
	free(again);
	char dir[] = "/tmp/labctl-iso-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *path = lc_asprintf("%s/seed.iso", dir);
	assert_int_equal(lc_write_file(path, (const char *)iso, len, &err), 0);
	free(iso);
	char *cmd = lc_asprintf("isoinfo -d -i %s", path);
	char *out = run(cmd);
	assert_non_null(strstr(out, "Volume id: cidata\n"));
	assert_non_null(strstr(out, "Rock Ridge signatures version"));
	free(out);
	free(cmd);
	cmd = lc_asprintf("isoinfo -R -f -i %s | sort", path);
	out = run(cmd);
	assert_string_equal(out, "/meta-data\n/network-config\n/user-data\n");
	free(out);
	free(cmd);
	for (size_t i = 0; i < 3; i++) {
		cmd = lc_asprintf("isoinfo -R -i %s -x /%s", path, files[i].name);
		out = run(cmd);
		assert_string_equal(out, files[i].data);
		free(out);
		free(cmd);
	}
	cmd = lc_asprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(path);
}

/* ssh's argv: the lab's own key when it has one, its known_hosts, then the command. */
static void test_ssh_argv(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-seed.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *labdir = lc_asprintf("%s/labs/l", dir);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(labdir, &err), 0);
	char *cmd[] = {"echo", "hi there"};
	struct lc_strv a;
	lc_lab_ssh_argv(dir, "l", "10.0.0.5", NULL, 0, &a);
	char *known = lc_asprintf("UserKnownHostsFile=%s/known_hosts", labdir);
	const char *const plain[] = {"ssh",
				     "-o",
				     known,
				     "-o",
				     "StrictHostKeyChecking=accept-new",
				     "-o",
				     "LogLevel=ERROR",
				     "labctl@10.0.0.5"};
	assert_int_equal(a.n, LC_ARRAY_SIZE(plain));
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.v[i], plain[i]);
	assert_null(a.v[a.n]); /* execvp's argv */
	lc_strv_release(&a);
	char *key = lc_asprintf("%s/id_ed25519", labdir);
	assert_int_equal(lc_write_file(key, "k\n", 2, &err), 0);
	lc_lab_ssh_argv(dir, "l", "10.0.0.5", cmd, 2, &a);
	const char *const keyed[] = {"ssh",
				     "-i",
				     key,
				     "-o",
				     "IdentitiesOnly=yes",
				     "-o",
				     known,
				     "-o",
				     "StrictHostKeyChecking=accept-new",
				     "-o",
				     "LogLevel=ERROR",
				     "labctl@10.0.0.5",
				     "--",
				     "echo",
				     "hi there"};
	assert_int_equal(a.n, LC_ARRAY_SIZE(keyed));
	for (size_t i = 0; i < a.n; i++)
		assert_string_equal(a.v[i], keyed[i]);
	assert_null(a.v[a.n]);
	lc_strv_release(&a);
	unlink(key);
	rmdir(labdir);
	char *labs = lc_asprintf("%s/labs", dir);
	rmdir(labs);
	rmdir(dir);
	free(labs);
	free(key);
	free(known);
	free(labdir);
}

/* labctl ssh reads back the address up wrote into ssh_config, for that node only. */
static void test_planned_address(void **state)
{
	(void)state;
	char dir[] = "/tmp/test-seed.XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *labdir = lc_asprintf("%s/labs/l", dir);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(labdir, &err), 0);
	char ip[16] = "";
	assert_int_equal(lc_lab_planned_address(dir, "l", "a", ip), 0); /* no file yet */
	struct lc_topology t = {.name = {.v = "l"}};
	struct lc_node nodes[] = {{.name = "a"}, {.name = "ab"}, {.name = "c"}};
	struct lc_addr v[] = {{.node = &nodes[0], .ip = "10.0.0.5"},
			      {.node = &nodes[0], .ip = "10.0.1.5"},
			      {.node = &nodes[1], .ip = "10.0.0.6"},
			      {.node = &nodes[2], .ip = ""}};
	struct lc_addrs addrs = {.v = v, .n = LC_ARRAY_SIZE(v)};
	assert_int_equal(lc_lab_ssh_config(dir, &t, &addrs, &err), 0);
	assert_int_equal(lc_lab_planned_address(dir, "l", "a", ip), 1);
	assert_string_equal(ip, "10.0.0.5"); /* the first planned NIC */
	assert_int_equal(lc_lab_planned_address(dir, "l", "ab", ip), 1);
	assert_string_equal(ip, "10.0.0.6");
	/* no planned address (a bridge NIC) and no such node: libvirt is asked instead */
	assert_int_equal(lc_lab_planned_address(dir, "l", "c", ip), 0);
	assert_int_equal(lc_lab_planned_address(dir, "l", "x", ip), 0);
	char *cmd = lc_asprintf("rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	free(labdir);
}

/* A listening socket on 127.0.0.1 and its port. */
static int listener(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	socklen_t len = sizeof(sa);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

/* Step the probe until it says 1 or steps run out; how many steps said 0 first. */
static int steps_until(struct lc_ssh_probe *p, int port, int steps)
{
	for (int k = 0; k < steps; k++) {
		if (lc_ssh_probe_step(p, "127.0.0.1", port, (double)k, 1000.0))
			return k;
		usleep(2000);
	}
	return -1;
}

/*
 * The banner probe of up --wait: nothing until the server speaks, a
 * connection kept across steps (the banner that comes late is seen), the
 * banner split over two writes, a server that speaks something else, and
 * a port nobody listens on (refused, made again each step, never 1).
 */
static void test_ssh_probe(void **state)
{
	(void)state;
	int port;
	int ls = listener(&port);
	struct lc_ssh_probe p = LC_SSH_PROBE_INIT;
	assert_int_equal(lc_ssh_probe_step(&p, "127.0.0.1", port, 0, 1000), 0);
	int c = accept(ls, NULL, NULL);
	assert_true(c >= 0);
	int fd_before = p.fd;
	assert_int_equal(lc_ssh_probe_step(&p, "127.0.0.1", port, 1, 1000), 0); /* silent so far */
	assert_int_equal(p.fd, fd_before); /* the same connection, kept */
	assert_int_equal(write(c, "SS", 2), 2);
	assert_int_equal(steps_until(&p, port, 50), -1); /* half a banner is not one */
	assert_int_equal(p.fd, fd_before);
	assert_int_equal(write(c, "H-2.0-test\r\n", 12), 12);
	assert_true(steps_until(&p, port, 500) >= 0);
	assert_int_equal(p.fd, -1); /* closed once seen */
	close(c);
	/* something else answers: not ssh, and the next step connects again */
	assert_int_equal(lc_ssh_probe_step(&p, "127.0.0.1", port, 0, 1000), 0);
	c = accept(ls, NULL, NULL);
	assert_int_equal(write(c, "HTTP/1.0 400\r\n", 14), 14);
	close(c);
	assert_int_equal(steps_until(&p, port, 50), -1);
	lc_ssh_probe_release(&p);
	/* a connection that shows nothing past retry_s is given up for a new one */
	assert_int_equal(lc_ssh_probe_step(&p, "127.0.0.1", port, 0, 5), 0);
	c = accept(ls, NULL, NULL);
	assert_int_equal(lc_ssh_probe_step(&p, "127.0.0.1", port, 6, 5), 0);
	assert_true(p.fd >= 0);
	int c2 = accept(ls, NULL, NULL); /* the new connection arrived */
	assert_true(c2 >= 0);
	close(c);
	close(c2);
	lc_ssh_probe_release(&p);
	close(ls);
	/* nobody listens: refused, never 1 */
	assert_int_equal(steps_until(&p, port, 20), -1);
	lc_ssh_probe_release(&p);
	assert_int_equal(lc_ssh_probe_step(&p, "not an address", port, 0, 5), 0);
	assert_int_equal(p.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_seed_two_networks_vf_inline),
	    cmocka_unit_test(test_seed_plain),
	    cmocka_unit_test(test_seed_user_file),
	    cmocka_unit_test(test_iso_read_back),
	    cmocka_unit_test(test_ssh_argv),
	    cmocka_unit_test(test_planned_address),
	    cmocka_unit_test(test_ssh_probe),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

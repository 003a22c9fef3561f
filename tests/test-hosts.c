/*
 * Several hosts: which URIs are remote, a topology's hosts mapped to
 * connections, and IOMMU-group leases kept on a host through libvirt
 * (lease-remote.h): taken all or nothing, one winner for each contested
 * group when two controllers race, on libvirt's test driver (whose
 * connections in one process share one host) and, with
 * LABCTL_TEST_LEASE_URI (and LABCTL_TEST_LEASE_POOL), on a real libvirtd:
 * tests/test-hosts.sh runs it against its second daemon.
 */
#include <pthread.h>
#include <unistd.h>

#include "testutil.h"
#include "uri.h"
#include "hosts.h"
#include "lease-remote.h"
#include "render.h"
#include "virt.h"

static void test_uri_remote(void **state)
{
	(void)state;
	assert_false(lc_uri_remote("qemu:///system"));
	assert_false(lc_uri_remote("qemu:///session"));
	assert_false(lc_uri_remote("test:///default"));
	assert_false(lc_uri_remote(NULL));
	assert_false(lc_uri_remote("nonsense"));
	assert_true(lc_uri_remote("qemu+ssh://root@b/system"));
	assert_true(lc_uri_remote("qemu+unix:///system?socket=/tmp/s"));
	assert_true(lc_uri_remote("qemu+tls://b.example/system"));
	assert_true(lc_uri_remote("qemu://b/system"));
}

static const char *uri(void)
{
	const char *u = getenv("LABCTL_TEST_LEASE_URI");
	return u && *u ? u : "test:///default";
}

static const char *pool(void)
{
	const char *p = getenv("LABCTL_TEST_LEASE_POOL");
	return p && *p ? p : "default-pool";
}

static size_t held_by(struct lc_virt *v, const char *lab)
{
	struct lc_remote_lease *ls;
	size_t n, count = 0;
	struct lc_err err = LC_ERR_INIT;
	if (lc_remote_leases_read(v, pool(), &ls, &n, &err) < 0)
		fail_msg("%s", err.msg);
	for (size_t i = 0; i < n; i++)
		count += ls[i].lab && strcmp(ls[i].lab, lab) == 0;
	lc_remote_leases_free(ls, n);
	return count;
}

static void test_take_and_drop(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(uri(), &err);
	assert_non_null(v);
	int a[] = {7, 3, 5};
	const char *an[] = {"n7", "n3", "n5"};
	assert_int_equal(lc_remote_leases_take(v, pool(), "alpha", "ctl-a", 11, a, an, 3, &err), 0);
	struct lc_remote_lease *ls;
	size_t n;
	assert_int_equal(lc_remote_leases_read(v, pool(), &ls, &n, &err), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) { /* sorted, each group with its own node */
		assert_int_equal(ls[i].group, (int)(3 + 2 * i));
		char want[8];
		snprintf(want, sizeof(want), "n%d", ls[i].group);
		assert_string_equal(ls[i].node, want);
		assert_string_equal(ls[i].lab, "alpha");
		assert_int_equal(ls[i].pid, 11);
		assert_string_equal(ls[i].controller, "ctl-a");
	}
	lc_remote_leases_free(ls, n);
	/* a set that overlaps: refused, naming the holder, holding nothing */
	int b[] = {1, 5, 9};
	const char *bn[] = {"m", "m", "m"};
	assert_int_equal(lc_remote_leases_take(v, pool(), "beta", "ctl-b", 12, b, bn, 3, &err), -1);
	assert_int_equal(err.code, LC_EXIT_RESOURCE);
	assert_string_equal(err.msg, "IOMMU group 5: leased on that host to lab alpha");
	lc_err_release(&err);
	assert_int_equal(held_by(v, "beta"), 0);
	assert_int_equal(held_by(v, "alpha"), 3);
	size_t dropped;
	assert_int_equal(lc_remote_leases_drop_lab(v, pool(), "alpha", &dropped, &err), 0);
	assert_int_equal(dropped, 3);
	assert_int_equal(lc_remote_leases_read(v, pool(), &ls, &n, &err), 0);
	assert_int_equal(n, 0);
	lc_remote_leases_free(ls, n);
	/* free again: beta gets them */
	assert_int_equal(lc_remote_leases_take(v, pool(), "beta", "ctl-b", 12, b, bn, 3, &err), 0);
	assert_int_equal(lc_remote_leases_drop_lab(v, pool(), "beta", &dropped, &err), 0);
	assert_int_equal(dropped, 3);
	lc_virt_close(v);
}

static void make_volume(struct lc_virt *v, const char *name)
{
	xmlDocPtr doc = lc_render_raw_volume(name, 0);
	char *xml = lc_xml_format(doc);
	xmlFreeDoc(doc);
	bool exists;
	struct lc_err err = LC_ERR_INIT;
	if (lc_virt_volume_create_excl(v, pool(), name, xml, NULL, 0, &exists, &err) < 0 || exists)
		fail_msg("volume %s: %s", name, exists ? "exists" : err.msg);
	free(xml);
}

/*
 * A lease whose holder's name has no node (G+LAB+PID+CONTROLLER, as
 * written before nodes were named) still reads as its lab's, with no node,
 * and drop_lab gives it back; a name with too many fields is nobody's.
 */
static void test_holder_without_node(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(uri(), &err);
	assert_non_null(v);
	make_volume(v, LC_REMOTE_LEASE_PREFIX "41");
	make_volume(v, LC_REMOTE_LEASE_PREFIX "41+old+12+ctl-o");
	make_volume(v, LC_REMOTE_LEASE_PREFIX "42");
	make_volume(v, LC_REMOTE_LEASE_PREFIX "42+odd+n+12+ctl+more");
	struct lc_remote_lease *ls;
	size_t n;
	assert_int_equal(lc_remote_leases_read(v, pool(), &ls, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ls[0].group, 41);
	assert_string_equal(ls[0].lab, "old");
	assert_null(ls[0].node);
	assert_int_equal(ls[0].pid, 12);
	assert_string_equal(ls[0].controller, "ctl-o");
	assert_int_equal(ls[1].group, 42);
	assert_null(ls[1].lab);
	lc_remote_leases_free(ls, n);
	size_t dropped;
	assert_int_equal(lc_remote_leases_drop_lab(v, pool(), "old", &dropped, &err), 0);
	assert_int_equal(dropped, 1);
	assert_int_equal(held_by(v, "old"), 0);
	assert_int_equal(lc_virt_volume_delete(
			     v, pool(), LC_REMOTE_LEASE_PREFIX "42+odd+n+12+ctl+more", NULL, &err),
			 0);
	assert_int_equal(lc_virt_volume_delete(v, pool(), LC_REMOTE_LEASE_PREFIX "42", NULL, &err),
			 0);
	assert_int_equal(lc_remote_leases_read(v, pool(), &ls, &n, &err), 0);
	assert_int_equal(n, 0);
	lc_remote_leases_free(ls, n);
	lc_virt_close(v);
}

/* Two controllers, each on its own connection, wanting overlapping groups at once. */
struct racer {
	const char *lab;
	int groups[4];
	const char *nodes[4];
	pthread_barrier_t *go;
	int rc, code;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(uri(), &err);
	pthread_barrier_wait(r->go);
	r->rc = v ? lc_remote_leases_take(v, pool(), r->lab, "ctl", (long)getpid(), r->groups,
					  r->nodes, 4, &err)
		  : -1;
	r->code = err.code;
	lc_err_release(&err);
	lc_virt_close(v);
	return NULL;
}

static void test_race(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_virt *v = lc_virt_open(uri(), &err);
	assert_non_null(v);
	/* six groups on the host; the two labs want eight, two of them the same */
	for (int round = 0; round < 5; round++) {
		pthread_barrier_t go;
		pthread_barrier_init(&go, NULL, 2);
		struct racer a = {"lab-a", {0, 1, 2, 3}, {"a", "a", "b", "b"}, &go, 0, 0};
		struct racer b = {"lab-b", {5, 4, 3, 2}, {"c", "c", "c", "c"}, &go, 0, 0};
		pthread_t ta, tb;
		pthread_create(&ta, NULL, race, &a);
		pthread_create(&tb, NULL, race, &b);
		pthread_join(ta, NULL);
		pthread_join(tb, NULL);
		pthread_barrier_destroy(&go);
		/* exactly one wins, and the loser is told it is short and holds nothing */
		assert_true((a.rc == 0) != (b.rc == 0));
		struct racer *loser = a.rc ? &a : &b, *winner = a.rc ? &b : &a;
		assert_int_equal(loser->code, LC_EXIT_RESOURCE);
		assert_int_equal(held_by(v, loser->lab), 0);
		assert_int_equal(held_by(v, winner->lab), 4);
		size_t dropped;
		assert_int_equal(lc_remote_leases_drop_lab(v, pool(), winner->lab, &dropped, &err),
				 0);
		assert_int_equal(dropped, 4);
	}
	lc_virt_close(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_uri_remote),
	    cmocka_unit_test(test_take_and_drop),
	    cmocka_unit_test(test_holder_without_node),
	    cmocka_unit_test(test_race),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

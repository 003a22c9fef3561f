/*
 * The bottom layer's small helpers: string vector, array growth, ISO 8601
 * times, PCI addresses, directory trees copied and removed.
 */
#include <signal.h>
#include <stdint.h>
#include <sys/stat.h>

#include "testutil.h"
#include "isotime.h"
#include "pci-addr.h"
#include "strv.h"

static void assert_terminated(const struct lc_strv *sv)
{
	assert_non_null(sv->v);
	assert_null(sv->v[sv->n]);
	assert_true(sv->alloc > sv->n);
}

static void test_strv_empty(void **state)
{
	(void)state;
	struct lc_strv sv = LC_STRV_INIT, zeroed;
	memset(&zeroed, 0, sizeof(zeroed));
	assert_int_equal(sv.n, 0);
	assert_false(lc_strv_has(&zeroed, "a"));
	assert_int_equal(lc_strv_find(&zeroed, "a"), 0);
	lc_strv_sort(&zeroed);
	size_t n = 99;
	char **v = lc_strv_detach(&zeroed, &n);
	assert_non_null(v);
	assert_null(v[0]);
	assert_int_equal(n, 0);
	free(v);
	lc_strv_release(&sv);
	lc_strv_release(&sv); /* twice is fine: release leaves it empty */
}

static void test_strv_growth(void **state)
{
	(void)state;
	struct lc_strv sv;
	lc_strv_init(&sv);
	size_t grew = 0, last = 0;
	for (size_t i = 0; i < 1000; i++) {
		const char *s = lc_strv_pushf(&sv, "s%04zu", 999 - i);
		assert_ptr_equal(s, sv.v[i]);
		assert_int_equal(sv.n, i + 1);
		assert_terminated(&sv);
		grew += sv.alloc != last;
		last = sv.alloc;
	}
	/* doubling: a thousand pushes reallocate a handful of times, not a thousand */
	assert_true(grew <= 10);
	for (size_t i = 0; i < 1000; i++) {
		char want[8];
		snprintf(want, sizeof(want), "s%04zu", 999 - i);
		assert_string_equal(sv.v[i], want);
	}
	assert_int_equal(lc_strv_find(&sv, "s0000"), 999);
	assert_int_equal(lc_strv_find(&sv, "s1000"), sv.n);
	lc_strv_sort(&sv);
	for (size_t i = 1; i < sv.n; i++)
		assert_true(strcmp(sv.v[i - 1], sv.v[i]) < 0);
	assert_string_equal(sv.v[0], "s0000");
	assert_terminated(&sv);
	lc_strv_release(&sv);
	assert_null(sv.v);
	assert_int_equal(sv.n, 0);
	assert_int_equal(sv.alloc, 0);
}

static void test_strv_ownership(void **state)
{
	(void)state;
	struct lc_strv sv = LC_STRV_INIT;
	char buf[] = "abc";
	const char *copy = lc_strv_push(&sv, buf);
	assert_ptr_not_equal(copy, buf);
	buf[0] = 'x'; /* push copied: the vector keeps "abc" */
	assert_string_equal(sv.v[0], "abc");
	char *mine = lc_strdup("def");
	assert_ptr_equal(lc_strv_push_nodup(&sv, mine), mine);
	assert_ptr_equal(sv.v[1], mine);
	assert_true(lc_strv_has(&sv, "def"));
	assert_false(lc_strv_has(&sv, "xbc"));
	assert_false(lc_strv_push_unique(&sv, "abc"));
	assert_true(lc_strv_push_unique(&sv, "ghi"));
	assert_int_equal(sv.n, 3);
	size_t n;
	char **v = lc_strv_detach(&sv, &n);
	assert_int_equal(n, 3);
	assert_null(v[3]);
	assert_ptr_equal(v[1], mine);
	assert_int_equal(sv.n, 0);
	assert_null(sv.v);
	/* the vector is usable again after a detach */
	lc_strv_push(&sv, "again");
	assert_string_equal(sv.v[0], "again");
	lc_strv_release(&sv);
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void test_grow(void **state)
{
	(void)state;
	int *v = NULL;
	size_t cap = 0;
	LC_GROW(v, cap, 1);
	assert_int_equal(cap, 8);
	v[7] = 7;
	LC_GROW(v, cap, 8);
	assert_int_equal(cap, 8); /* enough already: no change */
	LC_GROW(v, cap, 9);
	assert_int_equal(cap, 16);
	assert_int_equal(v[7], 7); /* kept across the move */
	LC_GROW(v, cap, 100);
	assert_int_equal(cap, 128);
	v[99] = 1;
	free(v);
}

/* A size that overflows size_t aborts, as out of memory does, not a short array. */
static void test_grow_overflow(void **state)
{
	(void)state;
	static const size_t need[] = {SIZE_MAX / 8 + 1, SIZE_MAX};
	char path[] = "/tmp/test-util.XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	for (size_t i = 0; i < LC_ARRAY_SIZE(need); i++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(lseek(fd, 0, SEEK_SET), 0); /* the child writes at fd's offset */
		fflush(NULL);
		pid_t p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			dup2(fd, 2);
			uint64_t *v = NULL;
			size_t cap = 0;
			LC_GROW(v, cap, need[i]);
			_exit(0);
		}
		int st;
		assert_int_equal(waitpid(p, &st, 0), p);
		assert_true(WIFSIGNALED(st));
		assert_int_equal(WTERMSIG(st), SIGABRT);
		char *msg;
		size_t len;
		struct lc_err err = LC_ERR_INIT;
		assert_int_equal(lc_read_file(path, &msg, &len, &err), 0);
		/* refused before asking malloc, which might have said yes to a wrapped size */
		assert_non_null(strstr(msg, "allocation size overflows"));
		free(msg);
	}
	close(fd);
	unlink(path);
}

static void test_iso8601(void **state)
{
	(void)state;
	static const struct {
		time_t t;
		const char *want; /* NULL: -1 */
	} cases[] = {
	    {0, "1970-01-01T00:00:00Z"},
	    {1000000000, "2001-09-09T01:46:40Z"},
	    {1796282076, "2026-12-03T07:14:36Z"},
	    {253402300799, "9999-12-31T23:59:59Z"},
	    {253402300800, NULL}, /* year 10000 */
	    {-62167219200, "0000-01-01T00:00:00Z"},
	    {-30610224000, "1000-01-01T00:00:00Z"},
	    {-30610224001, "0999-12-31T23:59:59Z"}, /* padded to four digits */
	    {-62167219201, NULL},		    /* year -1 */
	    {(time_t)INT64_MAX, NULL},		    /* beyond gmtime_r's int year */
	    {(time_t)INT64_MIN, NULL},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(cases); i++) {
		char out[LC_ISO8601_SIZE];
		memset(out, 'x', sizeof(out));
		int rc = lc_iso8601(cases[i].t, out);
		if (!cases[i].want) {
			assert_int_equal(rc, -1);
			assert_string_equal(out, "");
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(out, cases[i].want);
		time_t back = 1;
		assert_int_equal(lc_iso8601_parse(out, &back), 0);
		assert_true(back == cases[i].t);
	}
	assert_int_equal(LC_ISO8601_SIZE, strlen("2026-12-03T07:14:36Z") + 1);
	static const char *const bad[] = {"", "2026-12-03", "2026-12-03T09:14:36",
					  "2026-12-03T09:14:36Zjunk", "yesterday"};
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		time_t t = 42;
		assert_int_equal(lc_iso8601_parse(bad[i], &t), -1);
		assert_true(t == 42);
	}
}

static void test_pci_addr(void **state)
{
	(void)state;
	static const struct {
		const char *in;
		struct lc_pci_addr want;
		const char *spelt;
	} good[] = {
	    {"0000:3b:00.2", {0, 0x3b, 0, 2}, "0000:3b:00.2"},
	    {"0000:D8:1F.7", {0, 0xd8, 0x1f, 7}, "0000:d8:1f.7"},
	    /* Intel VMD's 5-digit domain */
	    {"10000:01:00.0", {0x10000, 1, 0, 0}, "10000:01:00.0"},
	    {"ffffffff:ff:1f.7", {0xffffffffu, 0xff, 0x1f, 7}, "ffffffff:ff:1f.7"},
	    {"000000ab:00:01.0", {0xab, 0, 1, 0}, "00ab:00:01.0"},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(good); i++) {
		struct lc_pci_addr a;
		assert_int_equal(lc_pci_addr_parse(good[i].in, &a), 0);
		assert_int_equal(a.dom, good[i].want.dom);
		assert_int_equal(a.bus, good[i].want.bus);
		assert_int_equal(a.slot, good[i].want.slot);
		assert_int_equal(a.fn, good[i].want.fn);
		char out[LC_PCI_ADDR_SIZE];
		lc_pci_addr_format(&a, out);
		assert_string_equal(out, good[i].spelt);
	}
	static const char *const bad[] = {
	    "",
	    "3b:00.0",		 /* no domain */
	    "000:3b:00.0",	 /* 3-digit domain */
	    "123456789:3b:00.0", /* 9-digit domain */
	    "0000:3b:20.0",	 /* slot past 0x1f */
	    "0000:3b:00.8",	 /* function past 7 */
	    "0000:100:00.0",	 /* 3-digit bus */
	    "0000:b:00.0",	 /* 1-digit bus */
	    "0000:3b:0.0",	 /* 1-digit slot */
	    "0000:3b:00.00",	 /* 2-digit function */
	    "0000:3b:00.0 ",	 /* trailing text */
	    "0000:3b:00",	 /* no function */
	    "0000-3b:00.0",	 /* wrong separator */
	    "0000:3b.00:0",	 /* separators swapped */
	    "0000:3g:00.0",	 /* not hex */
	    "pci0000:00",	 /* a root bus in a sysfs path */
	    "+000:3b:00.0",	 /* strtoul would take a sign */
	    " 0000:3b:00.0",	 /* or leading blanks */
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(bad); i++) {
		struct lc_pci_addr a = {1, 2, 3, 4};
		if (lc_pci_addr_parse(bad[i], &a) != -1)
			fail_msg("\"%s\" parsed", bad[i]);
		assert_int_equal(a.dom, 1); /* left alone on failure */
		assert_int_equal(a.fn, 4);
	}
	struct lc_pci_addr a;
	assert_int_equal(lc_pci_addr_parse(NULL, &a), -1);
	assert_int_equal(LC_PCI_ADDR_SIZE, strlen("ffffffff:ff:1f.7") + 1);
}

/* A swtpm state directory's shape: a subdirectory, a dot file, modes kept; a link left out. */
static void test_copy_tree(void **state)
{
	(void)state;
	char dir[] = "/tmp/labctl-tree-XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct lc_err err = LC_ERR_INIT;
	char *from = lc_asprintf("%s/from/tpm2", dir);
	assert_int_equal(lc_mkdir_p(from, &err), 0);
	free(from);
	char *p = lc_asprintf("%s/from/tpm2/tpm2-00.permall", dir);
	assert_int_equal(lc_write_file(p, "state-1", 7, &err), 0);
	assert_int_equal(chmod(p, 0600), 0);
	free(p);
	p = lc_asprintf("%s/from/.lock", dir);
	assert_int_equal(lc_write_file(p, "", 0, &err), 0);
	free(p);
	p = lc_asprintf("%s/from/tpm2", dir);
	assert_int_equal(chmod(p, 0711), 0);
	char *link = lc_asprintf("%s/from/link", dir);
	assert_int_equal(symlink(p, link), 0);
	free(link);
	free(p);
	/* what to held before goes: a file the copy does not have */
	char *stale = lc_asprintf("%s/to/tpm2/old", dir);
	char *todir = lc_asprintf("%s/to/tpm2", dir);
	assert_int_equal(lc_mkdir_p(todir, &err), 0);
	assert_int_equal(lc_write_file(stale, "x", 1, &err), 0);
	char *src = lc_asprintf("%s/from", dir), *dst = lc_asprintf("%s/to", dir);
	assert_int_equal(lc_copy_tree(src, dst, &err), 0);
	assert_false(lc_file_exists(stale));
	p = lc_asprintf("%s/to/tpm2/tpm2-00.permall", dir);
	char *data;
	size_t len;
	assert_int_equal(lc_read_file(p, &data, &len, &err), 0);
	assert_int_equal(len, 7);
	assert_memory_equal(data, "state-1", 7);
	free(data);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(todir, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0711);
	free(p);
	p = lc_asprintf("%s/to/.lock", dir);
	assert_true(lc_file_exists(p));
	free(p);
	p = lc_asprintf("%s/to/link", dir);
	assert_int_equal(lstat(p, &st), -1);
	free(p);
	/* a source that is not there is an error naming it, and to is left as it was */
	char *none = lc_asprintf("%s/none", dir);
	assert_int_equal(lc_copy_tree(none, dst, &err), -1);
	assert_non_null(strstr(err.msg, "none"));
	lc_err_release(&err);
	assert_true(lc_file_exists(dst));
	free(none);
	/* remove_tree takes it all; a second time is fine */
	assert_int_equal(lc_remove_tree(dir, &err), 0);
	assert_false(lc_file_exists(dir));
	assert_int_equal(lc_remove_tree(dir, &err), 0);
	free(src);
	free(dst);
	free(stale);
	free(todir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_strv_empty),	   cmocka_unit_test(test_strv_growth),
	    cmocka_unit_test(test_strv_ownership), cmocka_unit_test(test_grow),
	    cmocka_unit_test(test_grow_overflow),  cmocka_unit_test(test_iso8601),
	    cmocka_unit_test(test_pci_addr),	   cmocka_unit_test(test_copy_tree),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}

/*
 * The hashing file writer: what lands in the file and the sum it reports,
 * with O_DIRECT and through the page cache, for writes of every size, a
 * resumed file with an unaligned tail, a reset, and a path it cannot open.
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "testutil.h"
#include "fsutil.h"
#include "sha256.h"
#include "image-sink.h"

#define TOTAL ((size_t)(13u << 20) + 12345) /* several slabs and an unaligned tail */

static uint8_t *pattern(size_t n, uint32_t seed)
{
	uint8_t *p = lc_malloc(n);
	for (size_t i = 0; i < n; i++) {
		seed = seed * 1103515245u + 12345u;
		p[i] = (uint8_t)(seed >> 16);
	}
	return p;
}

static char *tmp_file(void)
{
	/* the build directory's file system (ext4 here), where O_DIRECT works */
	char *dir = t_path("tests/out/sink");
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_mkdir_p(dir, &err), 0);
	char *path = lc_asprintf("%s/f-%d", dir, (int)getpid());
	free(dir);
	unlink(path);
	return path;
}

static void assert_file_is(const char *path, const uint8_t *want, size_t n)
{
	char *got;
	size_t len;
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_read_file(path, &got, &len, &err), 0);
	assert_int_equal(len, n);
	assert_memory_equal(got, want, n);
	free(got);
}

static void assert_digest_of(const uint8_t d[32], const uint8_t *data, size_t n)
{
	char got[65], want[65];
	lc_sha256_hex(d, got);
	lc_sha256_buf_hex(data, n, want);
	assert_string_equal(got, want);
}

/* Close s and check that path holds data and the reported sum is data's; removes path. */
static void close_and_check(struct lc_sink *s, bool durable, char *path, const uint8_t *data,
			    size_t n)
{
	struct lc_err err = LC_ERR_INIT;
	uint8_t d[32];
	assert_int_equal(lc_sink_close(s, durable, d, &err), 0);
	assert_digest_of(d, data, n);
	assert_file_is(path, data, n);
	unlink(path);
	free(path);
}

/* Chunks of 1 byte up to 1 MiB + 3, as a network would hand them over. */
static void write_all(struct lc_sink *s, const uint8_t *data, size_t n)
{
	size_t sizes[] = {1, 7, 4096, 65536, 3, 1u << 20, 100000, (1u << 20) + 3};
	uint64_t base = lc_sink_size(s);
	for (size_t off = 0, k = 0; off < n; k++) {
		size_t c = sizes[k % LC_ARRAY_SIZE(sizes)];
		if (c > n - off)
			c = n - off;
		assert_int_equal(lc_sink_write(s, data + off, c), 0);
		off += c;
		assert_int_equal(lc_sink_size(s), base + off);
	}
}

static void whole_file(bool direct)
{
	char *path = tmp_file();
	uint8_t *data = pattern(TOTAL, 1);
	struct lc_err err = LC_ERR_INIT;
	struct lc_sink *s = lc_sink_open(path, direct, &err);
	assert_non_null(s);
	/* ext4 (the build directory's file system on CI) takes O_DIRECT: the sink must use it */
	struct statfs fs;
	assert_int_equal(statfs(path, &fs), 0);
	if (!direct)
		assert_false(lc_sink_direct(s));
	else if (fs.f_type == 0xEF53)
		assert_true(lc_sink_direct(s));
	write_all(s, data, TOTAL);
	close_and_check(s, true, path, data, TOTAL);
	free(data);
}

static void test_direct(void **state)
{
	(void)state;
	whole_file(true);
}

static void test_page_cache(void **state)
{
	(void)state;
	whole_file(false);
}

/* An earlier run left 5,000 bytes: the sink hashes what it keeps and appends after it. */
static void resumed(bool direct)
{
	char *path = tmp_file();
	uint8_t *data = pattern(TOTAL, 2);
	struct lc_err err = LC_ERR_INIT;
	assert_int_equal(lc_write_file_direct(path, (const char *)data, 5000, &err), 0);
	struct lc_sink *s = lc_sink_open(path, direct, &err);
	assert_non_null(s);
	uint64_t have = lc_sink_size(s);
	/* O_DIRECT appends at a block boundary: the unaligned tail is dropped */
	assert_int_equal(have, lc_sink_direct(s) ? 4096 : 5000);
	write_all(s, data + have, TOTAL - have);
	close_and_check(s, true, path, data, TOTAL);
	free(data);
}

static void test_resumed(void **state)
{
	(void)state;
	resumed(true);
	resumed(false);
}

/* A server that ignores Range sends the whole file again: reset starts over. */
static void test_reset(void **state)
{
	(void)state;
	char *path = tmp_file();
	uint8_t *junk = pattern(TOTAL, 3), *data = pattern(TOTAL, 4);
	struct lc_err err = LC_ERR_INIT;
	struct lc_sink *s = lc_sink_open(path, true, &err);
	assert_non_null(s);
	write_all(s, junk, TOTAL / 2);
	assert_int_equal(lc_sink_reset(s), 0);
	assert_int_equal(lc_sink_size(s), 0);
	write_all(s, data, TOTAL);
	close_and_check(s, false, path, data, TOTAL);
	free(junk);
	free(data);
}

static void test_cannot_open(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	assert_null(lc_sink_open("/nonexistent-dir/x.part", true, &err));
	assert_string_equal(err.msg,
			    "cannot open '/nonexistent-dir/x.part': No such file or directory");
	lc_err_release(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_direct),	cmocka_unit_test(test_page_cache),
	    cmocka_unit_test(test_resumed),	cmocka_unit_test(test_reset),
	    cmocka_unit_test(test_cannot_open),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

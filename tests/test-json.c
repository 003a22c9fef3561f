/*
 * The JSON writer: exact text for nesting, empty containers, escaping and
 * numbers; any bytes at all make a document Python's json module accepts,
 * and valid UTF-8 comes back from it unchanged; misuse aborts.
 */
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "testutil.h"
#include "json-writer.h"

static void expect(struct lc_jw *jw, const char *want)
{
	assert_true(lc_jw_is_terminated(jw));
	assert_string_equal(lc_jw_str(jw), want);
	lc_jw_release(jw);
}

static void test_nesting(void **state)
{
	(void)state;
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_string(&jw, "lab", "demo");
	lc_jw_object_null(&jw, "expires");
	lc_jw_object_inline_begin_array(&jw, "nodes");
	for (int i = 1; i <= 2; i++) {
		lc_jw_array_inline_begin_object(&jw);
		lc_jw_object_int(&jw, "n", i);
		lc_jw_object_bool(&jw, "up", i == 1);
		lc_jw_object_inline_begin_array(&jw, "vfs");
		if (i == 2) {
			lc_jw_array_string(&jw, "0000:d8:00.2");
			lc_jw_array_string(&jw, "0000:d8:00.3");
		}
		lc_jw_end(&jw);
		lc_jw_end(&jw);
	}
	lc_jw_end(&jw);
	lc_jw_object_inline_begin_object(&jw, "inner");
	lc_jw_object_inline_begin_object(&jw, "deeper");
	lc_jw_object_uint(&jw, "x", 7);
	lc_jw_end(&jw);
	lc_jw_object_string(&jw, "after", "y");
	lc_jw_end(&jw);
	lc_jw_object_bool(&jw, "last", false);
	lc_jw_end(&jw);
	expect(&jw,
	       "{\"lab\":\"demo\",\"expires\":null,\"nodes\":[{\"n\":1,\"up\":true,\"vfs\":[]},"
	       "{\"n\":2,\"up\":false,\"vfs\":[\"0000:d8:00.2\",\"0000:d8:00.3\"]}],"
	       "\"inner\":{\"deeper\":{\"x\":7},\"after\":\"y\"},\"last\":false}");

	/* arrays in arrays, and every kind of element */
	lc_jw_array_begin(&jw);
	lc_jw_array_inline_begin_array(&jw);
	lc_jw_array_inline_begin_array(&jw);
	lc_jw_array_int(&jw, -1);
	lc_jw_end(&jw);
	lc_jw_array_uint(&jw, 2);
	lc_jw_end(&jw);
	lc_jw_array_string(&jw, NULL);
	lc_jw_array_null(&jw);
	lc_jw_array_bool(&jw, true);
	lc_jw_array_double(&jw, 1, 0.25);
	lc_jw_array_inline_begin_object(&jw);
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	expect(&jw, "[[[-1],2],null,null,true,0.2,{}]");
}

static void test_empty(void **state)
{
	(void)state;
	struct lc_jw jw;
	lc_jw_init(&jw);
	assert_false(lc_jw_is_terminated(&jw));
	lc_jw_object_begin(&jw);
	assert_false(lc_jw_is_terminated(&jw));
	lc_jw_end(&jw);
	expect(&jw, "{}");
	lc_jw_array_begin(&jw);
	lc_jw_end(&jw);
	expect(&jw, "[]");
	lc_jw_object_begin(&jw);
	lc_jw_object_inline_begin_object(&jw, "a");
	lc_jw_end(&jw);
	lc_jw_object_inline_begin_array(&jw, "b");
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	expect(&jw, "{\"a\":{},\"b\":[]}");
	lc_jw_array_begin(&jw);
	lc_jw_array_inline_begin_array(&jw);
	lc_jw_end(&jw);
	lc_jw_array_inline_begin_object(&jw);
	lc_jw_end(&jw);
	lc_jw_array_string(&jw, "");
	lc_jw_end(&jw);
	expect(&jw, "[[],{},\"\"]");
	lc_jw_release(&jw); /* twice is fine */
}

static void test_escaping(void **state)
{
	(void)state;
	static const struct {
		const char *in, *want;
	} v[] = {
	    {"plain", "\"plain\""},
	    {"a\"b\\c", "\"a\\\"b\\\\c\""},
	    {"\b\f\n\r\t", "\"\\b\\f\\n\\r\\t\""},
	    {"\x01\x1f x\x7f", "\"\\u0001\\u001f x\x7f\""},
	    /* valid UTF-8 of each length passes through */
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7",
	     "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x90\xa7\""},
	    {"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf",
	     "\"\xed\x9f\xbf\xee\x80\x80\xf4\x8f\xbf\xbf\""},
	    /* not UTF-8: a stray continuation, a cut sequence, overlong, a surrogate,
	     * above U+10FFFF, a byte never used: one \ufffd per byte that is not part
	     * of a valid sequence */
	    {"a\x80z", "\"a\\ufffdz\""},
	    {"a\xc3", "\"a\\ufffd\""},
	    {"\xe2\x82", "\"\\ufffd\\ufffd\""},
	    {"\xc0\xaf", "\"\\ufffd\\ufffd\""},
	    {"\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\""},
	    {"\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\""},
	    {"\xff\"", "\"\\ufffd\\\"\""},
	};
	for (size_t i = 0; i < LC_ARRAY_SIZE(v); i++) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_array_begin(&jw);
		lc_jw_array_string(&jw, v[i].in);
		lc_jw_end(&jw);
		char *want = lc_asprintf("[%s]", v[i].want);
		expect(&jw, want);
		free(want);
	}
	/* keys are escaped as values are */
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_string(&jw, "k\"\n", "v");
	lc_jw_end(&jw);
	expect(&jw, "{\"k\\\"\\n\":\"v\"}");
}

static void test_numbers(void **state)
{
	(void)state;
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_int(&jw, "zero", 0);
	lc_jw_object_int(&jw, "min", INTMAX_MIN);
	lc_jw_object_int(&jw, "max", INTMAX_MAX);
	lc_jw_object_uint(&jw, "umax", UINTMAX_MAX);
	lc_jw_object_double(&jw, "s", 3, 1.5);
	lc_jw_object_double(&jw, "neg", 3, -0.0005);
	lc_jw_object_double(&jw, "whole", 0, 2.5e6);
	lc_jw_object_double(&jw, "nan", 3, NAN);
	lc_jw_object_double(&jw, "inf", 3, -INFINITY);
	lc_jw_end(&jw);
	expect(&jw, "{\"zero\":0,\"min\":-9223372036854775808,\"max\":9223372036854775807,"
		    "\"umax\":18446744073709551615,\"s\":1.500,\"neg\":-0.001,\"whole\":2500000,"
		    "\"nan\":null,\"inf\":null}");
}

/* Pipe doc to a Python program; its stdout into out. The exit status, or -1. */
static int python(const char *prog, const char *doc, struct lc_buf *out)
{
	char in[] = "/tmp/test-json.XXXXXX";
	int fd = mkstemp(in);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, doc, strlen(doc)), (ssize_t)strlen(doc));
	close(fd);
	char *cmd = lc_asprintf("python3 -c '%s' <%s", prog, in);
	FILE *p = popen(cmd, "r");
	assert_non_null(p);
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
		lc_buf_add(out, chunk, n);
	int st = pclose(p);
	unlink(in);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Append code point c as UTF-8. */
static void put_utf8(struct lc_buf *b, uint32_t c)
{
	unsigned char u[4];
	size_t n;
	if (c < 0x80) {
		u[0] = (unsigned char)c;
		n = 1;
	} else if (c < 0x800) {
		u[0] = (unsigned char)(0xc0 | c >> 6);
		u[1] = (unsigned char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		u[0] = (unsigned char)(0xe0 | c >> 12);
		u[1] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | c >> 18);
		u[1] = (unsigned char)(0x80 | (c >> 12 & 0x3f));
		u[2] = (unsigned char)(0x80 | (c >> 6 & 0x3f));
		u[3] = (unsigned char)(0x80 | (c & 0x3f));
		n = 4;
	}
	lc_buf_add(b, u, n);
}

static uint32_t rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

/* A real parser reads whatever the writer was given, and gives valid UTF-8 back. */
static void test_parser(void **state)
{
	(void)state;
	uint32_t x = 2026;
	enum { N = 300 };
	struct lc_buf strs[N];
	struct lc_jw jw = LC_JW_INIT;
	lc_jw_object_begin(&jw);
	lc_jw_object_inline_begin_array(&jw, "bytes");
	for (int i = 0; i < N; i++) {
		lc_buf_init(&strs[i]);
		size_t len = rnd(&x) % 40;
		for (size_t k = 0; k < len; k++)
			lc_buf_addc(&strs[i], (char)(1 + rnd(&x) % 255));
		lc_jw_array_string(&jw, lc_buf_str(&strs[i]));
	}
	lc_jw_end(&jw);
	lc_jw_object_inline_begin_array(&jw, "utf8");
	for (int i = 0; i < N; i++) {
		lc_buf_reset(&strs[i]);
		size_t len = rnd(&x) % 20;
		for (size_t k = 0; k < len; k++) {
			/* every length and range, control characters and quotes too */
			static const uint32_t top[] = {0x80, 0x800, 0x10000, 0x110000};
			uint32_t range = top[rnd(&x) % 4] - 1;
			uint32_t c = 1 + rnd(&x) % range;
			if (c >= 0xd800 && c <= 0xdfff)
				c = '"';
			put_utf8(&strs[i], c);
		}
		lc_jw_array_string(&jw, lc_buf_str(&strs[i]));
	}
	lc_jw_end(&jw);
	lc_jw_end(&jw);
	struct lc_buf out = LC_BUF_INIT;
	int rc = python("import json,sys\n"
			/* strict UTF-8: in the C locale stdin would let bad bytes through */
			"d = json.loads(sys.stdin.buffer.read().decode(\"utf-8\"))\n"
			"assert len(d[\"bytes\"]) == len(d[\"utf8\"]) == 300\n"
			"sys.stdout.buffer.write(b\"\\0\".join(s.encode() for s in d[\"utf8\"]))",
			lc_jw_str(&jw), &out);
	assert_int_equal(rc, 0);
	struct lc_buf want = LC_BUF_INIT;
	for (int i = 0; i < N; i++) {
		if (i)
			lc_buf_addc(&want, '\0');
		lc_buf_adds(&want, lc_buf_str(&strs[i]));
		lc_buf_release(&strs[i]);
	}
	assert_int_equal(out.len, want.len);
	assert_memory_equal(out.s, want.s, want.len);
	lc_buf_release(&want);
	lc_buf_release(&out);
	lc_jw_release(&jw);
}

/* Each misuse, in a child: it must die of SIGABRT. */
static void misuse(int what)
{
	struct lc_jw jw = LC_JW_INIT;
	switch (what) {
	case 0: /* a key in an array */
		lc_jw_array_begin(&jw);
		lc_jw_object_string(&jw, "k", "v");
		break;
	case 1: /* an element in an object */
		lc_jw_object_begin(&jw);
		lc_jw_array_int(&jw, 1);
		break;
	case 2: /* an end with nothing open */
		lc_jw_object_begin(&jw);
		lc_jw_end(&jw);
		lc_jw_end(&jw);
		break;
	case 3: /* a second document */
		lc_jw_object_begin(&jw);
		lc_jw_end(&jw);
		lc_jw_array_begin(&jw);
		break;
	case 4: /* read before the last end */
		lc_jw_object_begin(&jw);
		lc_jw_object_inline_begin_array(&jw, "a");
		lc_jw_end(&jw);
		(void)lc_jw_str(&jw);
		break;
	case 5: /* a member before the document began */
		lc_jw_object_null(&jw, "k");
		break;
	}
	lc_jw_release(&jw);
}

static void test_misuse(void **state)
{
	(void)state;
	for (int what = 0; what < 6; what++) {
		pid_t p = fork();
		assert_true(p >= 0);
		if (p == 0) {
			/* the child's message and core are not the test's output */
			struct rlimit no_core = {0, 0};
			setrlimit(RLIMIT_CORE, &no_core);
			if (!freopen("/dev/null", "w", stderr))
				_exit(1);
			signal(SIGABRT, SIG_DFL);
			misuse(what);
			_exit(0);
		}
		int st;
		assert_int_equal(waitpid(p, &st, 0), p);
		if (!WIFSIGNALED(st) || WTERMSIG(st) != SIGABRT)
			fail_msg("misuse %d did not abort (status %d)", what, st);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_nesting),  cmocka_unit_test(test_empty),
	    cmocka_unit_test(test_escaping), cmocka_unit_test(test_numbers),
	    cmocka_unit_test(test_parser),   cmocka_unit_test(test_misuse),
	};
	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}

/* SHA-256 over GnuTLS: FIPS 180-4 vectors one-shot and streamed in every chunking. */
#include "testutil.h"
#include "sha256.h"

#define X55 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static const struct {
	const char *in, *want;
} vectors[] = {
    /* FIPS 180-4's examples (NIST CSRC "SHA256.pdf", SHA2_Additional) */
    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnop"
     "qrsmnopqrstnopqrstu",
     "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"},
    /* padding edges, from sha256sum: 55, 56, 63 and 64 bytes of 'x' */
    {X55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
    {X55 "x", "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
    {X55 "xxxxxxxx", "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
    {X55 "xxxxxxxxx", "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
};

#define MILLION_A "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

/* odd sizes, block-sized ones and their neighbours, one larger than a block group */
static const size_t chunks[] = {1, 3, 7, 63, 64, 65, 127, 1000, 4099};

/* Stream n bytes in pieces of chunk (the context's previous message, if any, was finished). */
static void stream_hex(struct lc_sha256 *c, const char *data, size_t n, size_t chunk, char hex[65])
{
	for (size_t off = 0; off < n; off += chunk)
		lc_sha256_update(c, data + off, n - off < chunk ? n - off : chunk);
	uint8_t d[LC_SHA256_LEN];
	struct lc_err err = LC_ERR_INIT;
	if (lc_sha256_final(c, d, &err) < 0)
		fail_msg("%s", err.msg);
	lc_sha256_hex(d, hex);
}

static void test_one_shot(void **state)
{
	(void)state;
	char hex[65];
	for (size_t i = 0; i < LC_ARRAY_SIZE(vectors); i++) {
		lc_sha256_buf_hex(vectors[i].in, strlen(vectors[i].in), hex);
		assert_string_equal(hex, vectors[i].want);
	}
	char *a = lc_malloc(1000000);
	memset(a, 'a', 1000000);
	lc_sha256_buf_hex(a, 1000000, hex);
	assert_string_equal(hex, MILLION_A);
	free(a);
	/* the raw digest is the hex one's bytes */
	uint8_t d[LC_SHA256_LEN];
	lc_sha256_buf("abc", 3, d);
	assert_int_equal(d[0], 0xba);
	assert_int_equal(d[31], 0xad);
}

/* One context for every vector and chunking: final starts the next message afresh. */
static void test_streaming(void **state)
{
	(void)state;
	struct lc_err err = LC_ERR_INIT;
	struct lc_sha256 *c = lc_sha256_new(&err);
	assert_non_null(c);
	char hex[65];
	for (size_t k = 0; k < LC_ARRAY_SIZE(chunks); k++)
		for (size_t i = 0; i < LC_ARRAY_SIZE(vectors); i++) {
			stream_hex(c, vectors[i].in, strlen(vectors[i].in), chunks[k], hex);
			assert_string_equal(hex, vectors[i].want);
		}
	char *a = lc_malloc(1000000);
	memset(a, 'a', 1000000);
	for (size_t k = 0; k < LC_ARRAY_SIZE(chunks); k++) {
		stream_hex(c, a, 1000000, chunks[k], hex);
		assert_string_equal(hex, MILLION_A);
	}
	free(a);
	/* finishing a message with nothing in it is the empty string's hash */
	stream_hex(c, "", 0, 1, hex);
	assert_string_equal(hex, vectors[0].want);
	lc_sha256_free(c);
	lc_sha256_free(NULL);
}

/* Pseudo-random bytes across many blocks: streamed and one-shot agree. */
static void test_agree(void **state)
{
	(void)state;
	static unsigned char buf[100003];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	char want[65], got[65];
	lc_sha256_buf_hex(buf, sizeof(buf), want);
	struct lc_err err = LC_ERR_INIT;
	struct lc_sha256 *c = lc_sha256_new(&err);
	assert_non_null(c);
	for (size_t k = 0; k < LC_ARRAY_SIZE(chunks); k++) {
		stream_hex(c, (const char *)buf, sizeof(buf), chunks[k], got);
		assert_string_equal(got, want);
	}
	lc_sha256_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_one_shot),
	    cmocka_unit_test(test_streaming),
	    cmocka_unit_test(test_agree),
	};
	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}

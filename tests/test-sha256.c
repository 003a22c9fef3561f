/* SHA-256: FIPS 180-4 vectors, every chunking, on the SHA extensions and without. */
#include "testutil.h"
#include "sha256.h"

static void hex_of(const void *d, size_t n, char out[65])
{
	lc_sha256_buf_hex(d, n, out);
}

#define X55 "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

static void check_vectors(void)
{
	static const struct {
		const char *in, *want;
	} v[] = {
	    {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
	    {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
	    {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
	     "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
	    /* padding edges, from sha256sum: 55, 56, 63 and 64 bytes of 'x' */
	    {X55, "d5e285683cd4efc02d021a5c62014694958901005d6f71e89e0989fac77e4072"},
	    {X55 "x", "04c26261370ee7541549d16dee320c723e3fd14671e66a099afe0a377c16888e"},
	    {X55 "xxxxxxxx", "75220b47218278e656f2013bb8f0c455a25eaf01e86c64924e9d48d89776d6f2"},
	    {X55 "xxxxxxxxx", "7ce100971f64e7001e8fe5a51973ecdfe1ced42befe7ee8d5fd6219506b5393c"},
	};
	char hex[65];
	for (size_t i = 0; i < LC_ARRAY_SIZE(v); i++) {
		hex_of(v[i].in, strlen(v[i].in), hex);
		assert_string_equal(hex, v[i].want);
	}
	char *a = lc_malloc(1000000);
	memset(a, 'a', 1000000);
	hex_of(a, 1000000, hex);
	assert_string_equal(hex,
			    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

static void check_chunking(void)
{
	unsigned char buf[1000];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof(buf); i++) {
		x = x * 1103515245u + 12345u;
		buf[i] = (unsigned char)(x >> 16);
	}
	char want[65], got[65];
	hex_of(buf, sizeof(buf), want);
	static const size_t chunks[] = {1, 3, 63, 64, 65, 127, 1000};
	for (size_t c = 0; c < LC_ARRAY_SIZE(chunks); c++) {
		struct lc_sha256 ctx;
		uint8_t d[32];
		lc_sha256_init(&ctx);
		for (size_t off = 0; off < sizeof(buf); off += chunks[c]) {
			size_t n = sizeof(buf) - off < chunks[c] ? sizeof(buf) - off : chunks[c];
			lc_sha256_update(&ctx, buf + off, n);
		}
		lc_sha256_final(&ctx, d);
		lc_sha256_hex(d, got);
		assert_string_equal(got, want);
	}
}

static void test_default(void **state)
{
	(void)state;
	lc_sha256_use_ni(1);
	check_vectors();
	check_chunking();
}

static void test_portable(void **state)
{
	(void)state;
	lc_sha256_use_ni(0);
	check_vectors();
	check_chunking();
	lc_sha256_use_ni(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default),
	    cmocka_unit_test(test_portable),
	};
	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}

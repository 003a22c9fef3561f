/* SHA-256 (FIPS 180-4), streaming: downloads are hashed while they arrive. */
#ifndef LC_SHA256_H
#define LC_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct lc_sha256 {
	uint32_t h[8];
	uint64_t len; /* bytes so far */
	uint8_t buf[64];
	size_t fill;
};

void lc_sha256_init(struct lc_sha256 *c);
void lc_sha256_update(struct lc_sha256 *c, const void *data, size_t n);
void lc_sha256_final(struct lc_sha256 *c, uint8_t out[32]);
/* 64 lowercase hex digits and a NUL into hex. */
void lc_sha256_hex(const uint8_t digest[32], char hex[65]);
void lc_sha256_buf_hex(const void *data, size_t n, char hex[65]);

/*
 * Whether the x86 SHA extensions are used when the CPU has them (the
 * default): tests turn them off to check the portable code too. Returns
 * whether they are in use afterwards.
 */
int lc_sha256_use_ni(int on);

#endif

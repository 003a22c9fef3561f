/*
 * SHA-256 through GnuTLS (as libvirt's vircrypto.c does): streaming, so
 * downloads are hashed while they arrive, and one-shot for what is in memory.
 * GnuTLS picks the CPU's SHA extensions itself.
 */
#ifndef LC_SHA256_H
#define LC_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define LC_SHA256_LEN 32

struct lc_sha256;

/* A new context (GnuTLS allocates it, and can refuse): NULL with err. */
struct lc_sha256 *lc_sha256_new(struct lc_err *err);
/* NULL is fine. */
void lc_sha256_free(struct lc_sha256 *c);
/* Hash n more bytes; a failure is kept for lc_sha256_final to report. */
void lc_sha256_update(struct lc_sha256 *c, const void *data, size_t n);
/*
 * The digest of everything since the context was made or last finished, and
 * a fresh start for the next message. -1 with err when an update failed.
 */
int lc_sha256_final(struct lc_sha256 *c, uint8_t out[LC_SHA256_LEN], struct lc_err *err);

/*
 * One-shot. GnuTLS fails a one-shot hash only for an algorithm it lacks, and
 * it always has SHA-256: a failure is a broken library and aborts, as running
 * out of memory does.
 */
void lc_sha256_buf(const void *data, size_t n, uint8_t out[LC_SHA256_LEN]);
/* 64 lowercase hex digits and a NUL into hex. */
void lc_sha256_hex(const uint8_t digest[LC_SHA256_LEN], char hex[65]);
void lc_sha256_buf_hex(const void *data, size_t n, char hex[65]);

/*
 * The SHA-512 of a file, as 128 lowercase hex digits: for images whose
 * publisher gives only SHA512SUMS (Debian's cloud images).
 */
#define LC_SHA512_HEX 129
int lc_file_sha512_hex(const char *path, char hex[LC_SHA512_HEX], struct lc_err *err);

#endif

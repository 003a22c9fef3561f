/* SHA-256 over GnuTLS; see sha256.h. */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <fcntl.h>
#include <errno.h>

#include <gnutls/crypto.h>
#include <gnutls/gnutls.h>

#include "sha256.h"

struct lc_sha256 {
	gnutls_hash_hd_t h;
	int failed; /* the first gnutls_hash error since the last final, or 0 */
};

struct lc_sha256 *lc_sha256_new(struct lc_err *err)
{
	struct lc_sha256 *c = lc_calloc(1, sizeof(*c));
	int rc = gnutls_hash_init(&c->h, GNUTLS_DIG_SHA256);
	if (rc < 0) {
		free(c);
		lc_err_set(err, LC_EXIT_RUNTIME, "cannot start a sha256: %s", gnutls_strerror(rc));
		return NULL;
	}
	return c;
}

void lc_sha256_free(struct lc_sha256 *c)
{
	if (!c)
		return;
	gnutls_hash_deinit(c->h, NULL);
	free(c);
}

void lc_sha256_update(struct lc_sha256 *c, const void *data, size_t n)
{
	int rc = gnutls_hash(c->h, data, n);
	if (rc < 0 && !c->failed)
		c->failed = rc;
}

int lc_sha256_final(struct lc_sha256 *c, uint8_t out[LC_SHA256_LEN], struct lc_err *err)
{
	/* also resets the state: the context hashes the next message from scratch */
	gnutls_hash_output(c->h, out);
	int failed = c->failed;
	c->failed = 0;
	if (failed < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot compute a sha256: %s",
				  gnutls_strerror(failed));
	return 0;
}

void lc_sha256_buf(const void *data, size_t n, uint8_t out[LC_SHA256_LEN])
{
	int rc = gnutls_hash_fast(GNUTLS_DIG_SHA256, data, n, out);
	if (rc < 0) {
		fprintf(stderr, "labctl: gnutls cannot compute a sha256: %s\n",
			gnutls_strerror(rc));
		abort();
	}
}

void lc_sha256_hex(const uint8_t d[LC_SHA256_LEN], char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < LC_SHA256_LEN; i++) {
		hex[2 * i] = digits[d[i] >> 4];
		hex[2 * i + 1] = digits[d[i] & 15];
	}
	hex[64] = '\0';
}

void lc_sha256_buf_hex(const void *data, size_t n, char hex[65])
{
	uint8_t d[LC_SHA256_LEN];
	lc_sha256_buf(data, n, d);
	lc_sha256_hex(d, hex);
}

int lc_file_sha512_hex(const char *path, char hex[LC_SHA512_HEX], struct lc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path,
				  strerror(errno));
	gnutls_hash_hd_t h;
	int rc = gnutls_hash_init(&h, GNUTLS_DIG_SHA512);
	if (rc < 0) {
		close(fd);
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot compute a sha512: %s",
				  gnutls_strerror(rc));
	}
	static char buf[1 << 20];
	ssize_t got;
	while ((got = read(fd, buf, sizeof(buf))) > 0 || (got < 0 && errno == EINTR))
		if (got > 0 && (rc = gnutls_hash(h, buf, (size_t)got)) < 0)
			break;
	int e = errno;
	close(fd);
	uint8_t d[64];
	gnutls_hash_deinit(h, d);
	if (got < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read '%s': %s", path, strerror(e));
	if (rc < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot compute a sha512: %s",
				  gnutls_strerror(rc));
	for (size_t i = 0; i < sizeof(d); i++)
		snprintf(hex + 2 * i, 3, "%02x", d[i]);
	return 0;
}

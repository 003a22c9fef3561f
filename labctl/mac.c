/* MAC derivation by hashing; see mac.h. */
#include <stdio.h>
#include <stdint.h>
#include <string.h>

#include "buf.h"
#include "mac.h"
#include "sha256.h"

void lc_mac_derive(const char *lab, const char *node, const char *what, unsigned index,
		   char out[18])
{
	struct lc_buf in = LC_BUF_INIT;
	uint8_t h[LC_SHA256_LEN];
	/* validation plans addresses of a topology that may lack its name */
	if (!lab)
		lab = "";
	/* NUL separators: "a"+"bc" and "ab"+"c" must not collide */
	lc_buf_add(&in, lab, strlen(lab) + 1);
	lc_buf_add(&in, node, strlen(node) + 1);
	lc_buf_add(&in, what, strlen(what) + 1);
	lc_buf_addf(&in, "%u", index);
	lc_sha256_buf(in.s, in.len, h);
	lc_buf_release(&in);
	/* 0x02: locally administered, unicast; the rest from the hash */
	snprintf(out, 18, "02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
}

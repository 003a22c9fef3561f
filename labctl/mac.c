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
	struct lc_sha256 c;
	uint8_t h[32];
	char idx[16];
	snprintf(idx, sizeof(idx), "%u", index);
	lc_sha256_init(&c);
	/* NUL separators: "a"+"bc" and "ab"+"c" must not collide */
	lc_sha256_update(&c, lab, strlen(lab) + 1);
	lc_sha256_update(&c, node, strlen(node) + 1);
	lc_sha256_update(&c, what, strlen(what) + 1);
	lc_sha256_update(&c, idx, strlen(idx));
	lc_sha256_final(&c, h);
	/* 0x02: locally administered, unicast; the rest from the hash */
	snprintf(out, 18, "02:%02x:%02x:%02x:%02x:%02x", h[0], h[1], h[2], h[3], h[4]);
}

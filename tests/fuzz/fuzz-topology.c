/*
 * libFuzzer harness: bytes in as a topology file, through the parser and
 * the validator. Any crash, leak or sanitizer report is a finding; problems
 * must come out as diagnostics only.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "topology.h"
#include "validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const kinds[] = {"esxi", "generic", "hyperv", "kvm", "xen", "xenserver"};
	static const char *const images[] = {"tiny"};
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse("fuzz.yaml", (const char *)data, size, &d);
	/* errors only through the normal path: no model means at least one diagnostic */
	if (!t && d.n == 0)
		abort();
	if (t) {
		struct lc_validate_ctx vc = {kinds, 6, images, 1, NULL, NULL, NULL, NULL, NULL};
		lc_validate(t, &vc, &d);
	}
	struct lc_err err = LC_ERR_INIT;
	lc_diags_to_err(&d, &err);
	lc_err_release(&err);
	lc_diags_release(&d);
	lc_topology_free(t);
	return 0;
}

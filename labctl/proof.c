/* The nested proof on a boot line: fields, l2= values, and the verdict against nested:. */
#include <string.h>

#include "alloc.h"
#include "banned.h"
#include "proof.h"

/*
 * Every fail-REASON the tiny, debian and debian-xen images give; README's
 * host section says the same.
 */
static const struct {
	const char *reason, *meaning;
} fail_reasons[] = {
    {"modprobe", "kvm_intel or kvm_amd refused to load in the L1: nested off on the host "
		 "(labctl host check: nested), or a CPU model missing what KVM needs; the "
		 "node's console log has the kernel's reason"},
    {"nodevkvm", "KVM loaded in the L1 but made no /dev/kvm"},
    {"open", "the L1 could not open /dev/kvm"},
    {"api", "the L1's /dev/kvm speaks another KVM API version"},
    {"createvm", "KVM_CREATE_VM failed in the L1"},
    {"vcpu", "the L1 could not set up the L2's vCPU"},
    {"run", "KVM_RUN failed in the L1: the host refused the nested entry"},
    {"exit", "the L2 stopped for another reason than its I/O write and halt (an entry "
	     "failure or a shutdown)"},
    {"timeout", "the L2 did not exit within 20 s"},
    {"value", "the L2's I/O write arrived with a wrong port, size or value"},
    {"probe", "the L1's probe printed nothing: it crashed or is missing from the image"},
    {"xlinfo", "xl info failed in the Xen L1: dom0's toolstack (xenstored, the xen "
	       "service) is not up; the node's console log has Xen's and dom0's messages"},
    {"xlcreate", "xl create refused the L2 in the Xen L1 (a PVH L2 without npt: 'neither "
		 "hap nor shadow paging available'); /var/log/xen/labctl-l2-create.log "
		 "in the node says why"},
    {"l2exit", "the Xen L1's L2 stopped before it printed its line; "
	       "/var/log/xen/console/guest-labctl-l2.log in the node has its console"},
    {"l2timeout", "the Xen L1's L2 printed no line within 180 s"},
};

char *lc_boot_field(const char *line, const char *key)
{
	size_t kl = strlen(key);
	char *found = NULL;
	const char *p = line;
	while (p && *p) {
		p += strspn(p, " \t");
		size_t wl = strcspn(p, " \t\r\n");
		if (wl > kl + 1 && strncmp(p, key, kl) == 0 && p[kl] == '=') {
			free(found);
			found = lc_strndup(p + kl + 1, wl - kl - 1);
		}
		p += wl;
		if (*p == '\r' || *p == '\n')
			break;
	}
	return found;
}

char *lc_proof_hv(const char *line, const char *image_hv)
{
	char *hv = line ? lc_boot_field(line, "hv") : NULL;
	if (!hv && image_hv)
		hv = lc_strdup(image_hv);
	return hv;
}

int lc_l2_decode(const char *value, enum lc_l2 *l2, const char **meaning, struct lc_err *err)
{
	*meaning = NULL;
	if (strcmp(value, "ok") == 0) {
		*l2 = LC_L2_OK;
		return 0;
	}
	if (strcmp(value, "none") == 0) {
		*l2 = LC_L2_NONE;
		*meaning = "the L1's CPU shows no vmx or svm flag";
		return 0;
	}
	if (strncmp(value, "fail-", 5) == 0)
		for (size_t i = 0; i < LC_ARRAY_SIZE(fail_reasons); i++)
			if (strcmp(value + 5, fail_reasons[i].reason) == 0) {
				*l2 = LC_L2_FAIL;
				*meaning = fail_reasons[i].meaning;
				return 0;
			}
	return lc_err_set(err, LC_EXIT_RUNTIME,
			  "unknown l2 value '%s' on its boot line (want ok, none or fail-REASON)",
			  value);
}

int lc_proof_check(const char *line, bool nested, char **value, struct lc_err *err)
{
	*value = lc_boot_field(line, "l2");
	if (!*value)
		return 0;
	enum lc_l2 l2;
	const char *meaning;
	if (lc_l2_decode(*value, &l2, &meaning, err) < 0)
		return -1;
	if (l2 == (nested ? LC_L2_OK : LC_L2_NONE))
		return 0;
	if (nested)
		return lc_err_set(err, LC_EXIT_RUNTIME, "nested: true wants l2=ok, got l2=%s (%s)",
				  *value, meaning);
	return lc_err_set(err, LC_EXIT_RUNTIME, "nested: false wants l2=none, got l2=%s (%s)",
			  *value,
			  l2 == LC_L2_OK ? "the L1 ran an L2: the flag was not hidden" : meaning);
}

char *lc_proof_last_line(const char *text)
{
	char *last = NULL;
	const char *line = text;
	for (;;) {
		const char *end = strpbrk(line, "\r\n");
		if (!end)
			break; /* no line end: still being written */
		char *l = lc_strndup(line, (size_t)(end - line));
		char *v = lc_boot_field(l, "l2");
		if (v) {
			free(last);
			last = l;
			l = NULL;
		}
		free(v);
		free(l);
		line = end + 1;
	}
	return last;
}

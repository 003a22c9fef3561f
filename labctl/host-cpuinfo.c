/* cpuinfo text; see host-cpuinfo.h. */
#include <ctype.h>
#include <string.h>

#include "host-cpuinfo.h"

/* The first line of cpuinfo starting with key ("flags", "vmx flags"): its value, length in *len. */
static const char *cpu_line(const char *cpuinfo, const char *key, size_t *len)
{
	size_t kl = strlen(key);
	for (const char *line = cpuinfo; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);
		if (strncmp(line, key, kl) == 0 &&
		    (line[kl] == '\t' || line[kl] == ' ' || line[kl] == ':')) {
			const char *v = memchr(line, ':', n);
			if (!v)
				return NULL;
			for (v++; v < line + n && isspace((unsigned char)*v); v++)
				;
			*len = (size_t)(line + n - v);
			return v;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

bool lc_cpuinfo_has(const char *cpuinfo, const char *key, const char *word)
{
	size_t len, wl = strlen(word);
	const char *line = cpuinfo ? cpu_line(cpuinfo, key, &len) : NULL;
	for (const char *p = line; p && p + wl <= line + len; p++)
		if (memcmp(p, word, wl) == 0 && (p == line || p[-1] == ' ') &&
		    (p + wl == line + len || p[wl] == ' '))
			return true;
	return false;
}

enum lc_cpu_vendor lc_cpuinfo_vendor(const char *cpuinfo)
{
	size_t len;
	const char *v = cpuinfo ? cpu_line(cpuinfo, "vendor_id", &len) : NULL;
	while (v && len && isspace((unsigned char)v[len - 1]))
		len--;
	if (v && len == 12 && memcmp(v, "GenuineIntel", 12) == 0)
		return LC_VENDOR_INTEL;
	/* Hygon's Dhyana is AMD's Zen: svm and kvm_amd */
	if (v && len == 12 &&
	    (memcmp(v, "AuthenticAMD", 12) == 0 || memcmp(v, "HygonGenuine", 12) == 0))
		return LC_VENDOR_AMD;
	if (lc_cpuinfo_has(cpuinfo, "flags", "svm"))
		return LC_VENDOR_AMD;
	if (lc_cpuinfo_has(cpuinfo, "flags", "vmx"))
		return LC_VENDOR_INTEL;
	return LC_VENDOR_UNKNOWN;
}

/*
 * /proc/cpuinfo's text: the CPU's vendor and its flags. Pure: host check,
 * host prepare and accel auto read the file through their roots and ask here.
 */
#ifndef LC_CPUINFO_H
#define LC_CPUINFO_H

#include <stdbool.h>

enum lc_cpu_vendor { LC_VENDOR_UNKNOWN, LC_VENDOR_INTEL, LC_VENDOR_AMD };

/* A word in the first line whose key is key ("flags", "vmx flags"); false for NULL text. */
bool lc_cpuinfo_has(const char *cpuinfo, const char *key, const char *word);

/*
 * Which KVM the CPU takes: AMD-style (svm, kvm_amd) for AMD and Hygon,
 * Intel-style (vmx, kvm_intel) for Intel; another vendor by its flag.
 */
enum lc_cpu_vendor lc_cpuinfo_vendor(const char *cpuinfo);

#endif

/*
 * The nested proof on a node's boot line (README "Nested, proven"):
 *   LABCTL-BOOT-OK node=NAME virt=<vmx|svm|none> [hv=<kvm|xen|none>] l2=<ok|none|fail-REASON>
 * [l2type=<pv|pvh|hvm>] disk=... where l2=ok means the L1's hypervisor (hv=; KVM when the line does
 * not say) ran an L2 guest. Words are KEY=VALUE in any order; keys labctl does not know are
 * ignored, so an image may add its own. Pure: no I/O.
 */
#ifndef LC_PROOF_H
#define LC_PROOF_H

#include <stdbool.h>

#include "err.h"

enum lc_l2 {
	LC_L2_ABSENT, /* the line has no l2=: the image proves nothing */
	LC_L2_OK,     /* the L1 ran an L2 */
	LC_L2_NONE,   /* the L1's CPU shows no virt flag */
	LC_L2_FAIL,   /* the flag is there, the L2 did not run */
};

/*
 * The value of KEY in a boot line (the last word KEY=VALUE), as a string
 * the caller frees, or NULL when the line has no such word.
 */
char *lc_boot_field(const char *line, const char *key);

/*
 * Decode an l2= value: "ok", "none" or "fail-REASON" with a REASON l2probe
 * or the tiny image's init gives. *meaning (static text, may be NULL) says
 * what a fail-REASON means and where to look. An unknown value or reason
 * is an error (LC_EXIT_RUNTIME) naming it.
 */
int lc_l2_decode(const char *value, enum lc_l2 *l2, const char **meaning, struct lc_err *err);

/*
 * The hypervisor a node runs as an L1, as a string the caller frees: the
 * line's hv= when it has one, else image_hv (what the image's catalog entry
 * says, may be NULL), else NULL.
 */
char *lc_proof_hv(const char *line, const char *image_hv);

/*
 * Check a boot line's proof against the node's nested: setting: nested
 * wants l2=ok, not nested wants l2=none. A line without l2= passes. On a
 * contradiction (or an undecodable value) err says what the node reported
 * and what it means, without the node's name (the caller adds it).
 * *value gets the line's l2= value (caller frees; NULL when absent).
 */
int lc_proof_check(const char *line, bool nested, char **value, struct lc_err *err);

/*
 * The last line of a console log that carries a proof (a word l2=...),
 * without its line end, as a string the caller frees; NULL when none. A
 * line still being written (no line end yet) does not count.
 */
char *lc_proof_last_line(const char *text);

#endif

/*
 * A node's "xml:" tweaks: set / remove / append by XPath on a rendered
 * domain, through libxml2's tree API only.
 */
#ifndef LC_TWEAK_H
#define LC_TWEAK_H

#include <libxml/tree.h>

#include "model.h"

/* The namespace of labctl's ownership metadata; "labctl:" in tweak XPaths. */
#define LC_XMLNS	"https://labctl.dev/xmlns/labctl/1"
#define LC_XMLNS_PREFIX "labctl"

/*
 * Check a tweak without the node's document: an appended fragment is
 * well-formed XML, and the tweak runs on a stub domain as render will run it
 * (the XPath evaluates with labctl's prefixes and reaches nothing labctl
 * owns; matching nothing is fine there). On failure records LC_EXIT_USAGE when the fragment or
 * value is at fault and LC_EXIT_RUNTIME for the XPath (the caller picks the
 * mark from that), and returns -1.
 */
int lc_tweak_check(const struct lc_tweak *tw, struct lc_err *err);

/* "set", "remove" or "append", as a topology writes it. */
const char *lc_tweak_op_name(enum lc_tweak_op op);

/*
 * Apply one tweak to doc. "set" on an attribute or a simple child name that
 * is missing creates it under each match of the parent path; "remove" of
 * nothing is not an error (the template may lack the element); "append" to
 * nothing is.
 */
int lc_tweak_apply(xmlDocPtr doc, const struct lc_tweak *tw, struct lc_err *err);
/* lc_tweak_apply, also telling where the fault lies: the value's mark or the XPath's. */
int lc_tweak_apply_at(xmlDocPtr doc, const struct lc_tweak *tw, struct lc_mark *at,
		      struct lc_err *err);

#endif

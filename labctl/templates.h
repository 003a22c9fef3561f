/*
 * Templates on disk: one domain XML per node kind (KIND.xml) and one network
 * XML per network mode (net-MODE.xml) in the templates directory.
 */
#ifndef LC_TEMPLATES_H
#define LC_TEMPLATES_H

#include <libxml/tree.h>

#include "err.h"
#include "strv.h"

/* The node kinds: every KIND.xml not named net-*.xml, sorted (kinds is emptied first). */
int lc_template_kinds(const char *dir, struct lc_strv *kinds, struct lc_err *err);
/* The network modes: MODE of every net-MODE.xml, sorted (modes is emptied first). */
int lc_template_net_modes(const char *dir, struct lc_strv *modes, struct lc_err *err);
/* Parse a template (no network, no entities, blanks dropped so output indents). */
xmlDocPtr lc_template_load(const char *path, struct lc_err *err);
/* DIR/KIND.xml, DIR/net-MODE.xml; caller frees. */
char *lc_template_kind_path(const char *dir, const char *kind);
char *lc_template_net_path(const char *dir, const char *mode);
/* Parse XML text the same way (tests, and reading back what libvirt holds). */
xmlDocPtr lc_xml_parse(const char *what, const char *text, size_t len, struct lc_err *err);
/* The string an XPath expression ("string(...)") gives in doc; NULL when empty. Caller frees. */
char *lc_xml_xpath_string(xmlDocPtr doc, const char *expr);

#endif

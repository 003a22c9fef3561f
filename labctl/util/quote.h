/* Quoting text for the formats labctl writes by hand: YAML scalars, shell-like words. */
#ifndef LC_QUOTE_H
#define LC_QUOTE_H

#include "buf.h"

/* s as a YAML double-quoted scalar: whatever it holds stays one string. */
void lc_quote_yaml(struct lc_buf *b, const char *s);
/* s as one word for a shell or an Ansible INI value: in single quotes, ' escaped. */
void lc_quote_sh(struct lc_buf *b, const char *s);

#endif

/* Output helpers for commands: JSON strings, ISO times. Only cmd-* write to stdout. */
#ifndef LC_OUTPUT_H
#define LC_OUTPUT_H

#include <stdio.h>

#include "buf.h"

/* Append s as a JSON string literal (quoted, escaped); NULL becomes null. */
void lc_json_str(struct lc_buf *b, const char *s);

#endif

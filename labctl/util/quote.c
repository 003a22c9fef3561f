/* Quoting; see quote.h. */
#include "quote.h"

void lc_quote_yaml(struct lc_buf *b, const char *s)
{
	lc_buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			lc_buf_addf(b, "\\%c", *p);
		else if (*p < 0x20)
			lc_buf_addf(b, "\\x%02x", *p);
		else
			lc_buf_addc(b, (char)*p);
	}
	lc_buf_addc(b, '"');
}

void lc_quote_sh(struct lc_buf *b, const char *s)
{
	lc_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			lc_buf_adds(b, "'\\''");
		else
			lc_buf_addc(b, *s);
	}
	lc_buf_addc(b, '\'');
}

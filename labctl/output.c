/* JSON string escaping and friends. */
#include "output.h"

void lc_json_str(struct lc_buf *b, const char *s)
{
	if (!s) {
		lc_buf_adds(b, "null");
		return;
	}
	lc_buf_addc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			lc_buf_adds(b, "\\\"");
			break;
		case '\\':
			lc_buf_adds(b, "\\\\");
			break;
		case '\n':
			lc_buf_adds(b, "\\n");
			break;
		case '\t':
			lc_buf_adds(b, "\\t");
			break;
		case '\r':
			lc_buf_adds(b, "\\r");
			break;
		default:
			if (*p < 0x20)
				lc_buf_addf(b, "\\u%04x", *p);
			else
				lc_buf_addc(b, (char)*p);
		}
	}
	lc_buf_addc(b, '"');
}

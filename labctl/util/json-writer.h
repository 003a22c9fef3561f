/*
 * A JSON writer (after git's json-writer.h): a document is built by calls
 * that open objects and arrays, add members and close them, and the writer
 * places every comma, colon, brace and quote and escapes every string. It
 * writes one line, no spaces, members in the order they were added.
 *
 *	struct lc_jw jw = LC_JW_INIT;
 *	lc_jw_object_begin(&jw);
 *	lc_jw_object_string(&jw, "lab", "demo");
 *	lc_jw_object_inline_begin_array(&jw, "nodes");
 *	lc_jw_array_string(&jw, "kvm1");
 *	lc_jw_end(&jw);
 *	lc_jw_end(&jw);
 *	puts(lc_jw_str(&jw));	-> {"lab":"demo","nodes":["kvm1"]}
 *	lc_jw_release(&jw);
 *
 * Strings: '"' and '\\' are escaped, control characters too (\b \f \n \r \t,
 * the others as \u00XX); valid UTF-8 passes through, and a byte that is not
 * part of a valid UTF-8 sequence becomes \ufffd, so the document is always
 * valid JSON. A NULL string is written as null. Numbers that JSON cannot
 * hold (NaN, infinities) are written as null.
 *
 * Using the writer out of turn (a key outside an object, a bare value in an
 * object, an end with nothing open, a second document, lc_jw_str before the
 * last end) is a bug in labctl and aborts.
 */
#ifndef LC_JSON_WRITER_H
#define LC_JSON_WRITER_H

#include <stdbool.h>
#include <stdint.h>

#include "buf.h"

struct lc_jw {
	struct lc_buf json;
	struct lc_buf open; /* the containers open, innermost last: '{' or '[' */
	bool need_comma;    /* the innermost container holds a member already */
	bool started;	    /* the document's outermost value was begun */
};

#define LC_JW_INIT                                                                                 \
	{                                                                                          \
		LC_BUF_INIT, LC_BUF_INIT, false, false                                             \
	}

void lc_jw_init(struct lc_jw *jw);
void lc_jw_release(struct lc_jw *jw);

/* Begin the document's outermost object or array. */
void lc_jw_object_begin(struct lc_jw *jw);
void lc_jw_array_begin(struct lc_jw *jw);
/* Close the innermost open object or array. */
void lc_jw_end(struct lc_jw *jw);

/* Members of the innermost object: "key":value. */
void lc_jw_object_string(struct lc_jw *jw, const char *key, const char *value);
void lc_jw_object_int(struct lc_jw *jw, const char *key, intmax_t value);
void lc_jw_object_uint(struct lc_jw *jw, const char *key, uintmax_t value);
/* precision: digits after the point (printf's %.*f) */
void lc_jw_object_double(struct lc_jw *jw, const char *key, int precision, double value);
void lc_jw_object_bool(struct lc_jw *jw, const char *key, bool value);
void lc_jw_object_null(struct lc_jw *jw, const char *key);
/* "key": and an object or array that the next calls fill, up to its lc_jw_end */
void lc_jw_object_inline_begin_object(struct lc_jw *jw, const char *key);
void lc_jw_object_inline_begin_array(struct lc_jw *jw, const char *key);

/* Elements of the innermost array. */
void lc_jw_array_string(struct lc_jw *jw, const char *value);
void lc_jw_array_int(struct lc_jw *jw, intmax_t value);
void lc_jw_array_uint(struct lc_jw *jw, uintmax_t value);
void lc_jw_array_double(struct lc_jw *jw, int precision, double value);
void lc_jw_array_bool(struct lc_jw *jw, bool value);
void lc_jw_array_null(struct lc_jw *jw);
void lc_jw_array_inline_begin_object(struct lc_jw *jw);
void lc_jw_array_inline_begin_array(struct lc_jw *jw);

/* Whether the document was begun and every container closed. */
bool lc_jw_is_terminated(const struct lc_jw *jw);
/* The document (borrowed from jw); only once it is terminated. */
const char *lc_jw_str(const struct lc_jw *jw);

#endif

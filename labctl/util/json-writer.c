/* The JSON writer; see json-writer.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json-writer.h"

static void bug(const char *what)
{
	fprintf(stderr, "labctl: BUG: json writer: %s\n", what);
	abort();
}

void lc_jw_init(struct lc_jw *jw)
{
	lc_buf_init(&jw->json);
	lc_buf_init(&jw->open);
	jw->need_comma = false;
	jw->started = false;
}

void lc_jw_release(struct lc_jw *jw)
{
	lc_buf_release(&jw->json);
	lc_buf_release(&jw->open);
	lc_jw_init(jw);
}

/*
 * The length of the valid UTF-8 sequence p starts (1 to 4), or 0: no
 * overlong forms, no surrogates, nothing above U+10FFFF. A NUL is never a
 * continuation byte, so the check stops at the string's end.
 */
static size_t utf8_len(const unsigned char *p)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (p[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
		return p[1] >= lo && p[1] <= hi && (p[2] & 0xc0) == 0x80 && (p[3] & 0xc0) == 0x80
			   ? 4
			   : 0;
	}
	return 0;
}

static void add_string(struct lc_buf *b, const char *s)
{
	if (!s) {
		lc_buf_adds(b, "null");
		return;
	}
	lc_buf_addc(b, '"');
	const unsigned char *p = (const unsigned char *)s, *run = p;
	while (*p) {
		size_t n = *p >= 0x20 && *p != '"' && *p != '\\' ? utf8_len(p) : 0;
		if (n) {
			p += n;
			continue;
		}
		/* plain bytes go in one piece, up to the one that needs escaping */
		lc_buf_add(b, run, (size_t)(p - run));
		switch (*p) {
		case '"':
			lc_buf_adds(b, "\\\"");
			break;
		case '\\':
			lc_buf_adds(b, "\\\\");
			break;
		case '\b':
			lc_buf_adds(b, "\\b");
			break;
		case '\f':
			lc_buf_adds(b, "\\f");
			break;
		case '\n':
			lc_buf_adds(b, "\\n");
			break;
		case '\r':
			lc_buf_adds(b, "\\r");
			break;
		case '\t':
			lc_buf_adds(b, "\\t");
			break;
		default:
			if (*p < 0x20)
				lc_buf_addf(b, "\\u%04x", *p);
			else /* not UTF-8: the replacement character, never a broken document */
				lc_buf_adds(b, "\\ufffd");
		}
		run = ++p;
	}
	lc_buf_add(b, run, (size_t)(p - run));
	lc_buf_addc(b, '"');
}

static char innermost(const struct lc_jw *jw)
{
	return jw->open.len ? jw->open.s[jw->open.len - 1] : '\0';
}

/* Before a member of the innermost object: the comma and "key":. */
static void object_key(struct lc_jw *jw, const char *key)
{
	if (innermost(jw) != '{')
		bug("a key outside an object");
	if (!key)
		bug("a member without a key");
	if (jw->need_comma)
		lc_buf_addc(&jw->json, ',');
	jw->need_comma = true;
	add_string(&jw->json, key);
	lc_buf_addc(&jw->json, ':');
}

/* Before an element of the innermost array: the comma. */
static void array_item(struct lc_jw *jw)
{
	if (innermost(jw) != '[')
		bug("an element outside an array");
	if (jw->need_comma)
		lc_buf_addc(&jw->json, ',');
	jw->need_comma = true;
}

static void open_container(struct lc_jw *jw, char c)
{
	lc_buf_addc(&jw->json, c);
	lc_buf_addc(&jw->open, c);
	jw->need_comma = false;
}

static void begin(struct lc_jw *jw, char c)
{
	if (jw->started)
		bug("a second document");
	jw->started = true;
	open_container(jw, c);
}

void lc_jw_object_begin(struct lc_jw *jw)
{
	begin(jw, '{');
}

void lc_jw_array_begin(struct lc_jw *jw)
{
	begin(jw, '[');
}

void lc_jw_end(struct lc_jw *jw)
{
	char c = innermost(jw);
	if (!c)
		bug("an end with nothing open");
	lc_buf_addc(&jw->json, c == '{' ? '}' : ']');
	jw->open.s[--jw->open.len] = '\0';
	/* the container just closed is a member of the one around it */
	jw->need_comma = true;
}

static void add_double(struct lc_buf *b, int precision, double v)
{
	if (!isfinite(v))
		lc_buf_adds(b, "null");
	else
		lc_buf_addf(b, "%.*f", precision, v);
}

void lc_jw_object_string(struct lc_jw *jw, const char *key, const char *value)
{
	object_key(jw, key);
	add_string(&jw->json, value);
}

void lc_jw_object_int(struct lc_jw *jw, const char *key, intmax_t value)
{
	object_key(jw, key);
	lc_buf_addf(&jw->json, "%jd", value);
}

void lc_jw_object_uint(struct lc_jw *jw, const char *key, uintmax_t value)
{
	object_key(jw, key);
	lc_buf_addf(&jw->json, "%ju", value);
}

void lc_jw_object_double(struct lc_jw *jw, const char *key, int precision, double value)
{
	object_key(jw, key);
	add_double(&jw->json, precision, value);
}

void lc_jw_object_bool(struct lc_jw *jw, const char *key, bool value)
{
	object_key(jw, key);
	lc_buf_adds(&jw->json, value ? "true" : "false");
}

void lc_jw_object_null(struct lc_jw *jw, const char *key)
{
	object_key(jw, key);
	lc_buf_adds(&jw->json, "null");
}

void lc_jw_object_inline_begin_object(struct lc_jw *jw, const char *key)
{
	object_key(jw, key);
	open_container(jw, '{');
}

void lc_jw_object_inline_begin_array(struct lc_jw *jw, const char *key)
{
	object_key(jw, key);
	open_container(jw, '[');
}

void lc_jw_array_string(struct lc_jw *jw, const char *value)
{
	array_item(jw);
	add_string(&jw->json, value);
}

void lc_jw_array_int(struct lc_jw *jw, intmax_t value)
{
	array_item(jw);
	lc_buf_addf(&jw->json, "%jd", value);
}

void lc_jw_array_uint(struct lc_jw *jw, uintmax_t value)
{
	array_item(jw);
	lc_buf_addf(&jw->json, "%ju", value);
}

void lc_jw_array_double(struct lc_jw *jw, int precision, double value)
{
	array_item(jw);
	add_double(&jw->json, precision, value);
}

void lc_jw_array_bool(struct lc_jw *jw, bool value)
{
	array_item(jw);
	lc_buf_adds(&jw->json, value ? "true" : "false");
}

void lc_jw_array_null(struct lc_jw *jw)
{
	array_item(jw);
	lc_buf_adds(&jw->json, "null");
}

void lc_jw_array_inline_begin_object(struct lc_jw *jw)
{
	array_item(jw);
	open_container(jw, '{');
}

void lc_jw_array_inline_begin_array(struct lc_jw *jw)
{
	array_item(jw);
	open_container(jw, '[');
}

bool lc_jw_is_terminated(const struct lc_jw *jw)
{
	return jw->started && jw->open.len == 0;
}

const char *lc_jw_str(const struct lc_jw *jw)
{
	if (!lc_jw_is_terminated(jw))
		bug("the document was read before it was closed");
	return lc_buf_str(&jw->json);
}

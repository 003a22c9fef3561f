/*
 * Helpers shared by the cmocka tests: the source tree, golden files chosen
 * by name (LABCTL_TEST_REGENERATE=1 rewrites them), canonical XML.
 */
#ifndef LC_TESTUTIL_H
#define LC_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libxml/c14n.h>
#include <libxml/parser.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "fsutil.h"
#include "templates.h"

/* A pid that no process has: a child's, once reaped. */
static inline long t_dead_pid(void)
{
	pid_t p = fork();
	assert_true(p >= 0);
	if (p == 0)
		_exit(0);
	assert_int_equal(waitpid(p, NULL, 0), p);
	return p;
}

static inline const char *t_srcdir(void)
{
	const char *s = getenv("LABCTL_SRCDIR");
	return s && *s ? s : ".";
}

static inline char *t_path(const char *rel)
{
	return lc_asprintf("%s/%s", t_srcdir(), rel);
}

static inline char *t_read(const char *rel, size_t *len)
{
	char *p = t_path(rel), *data = NULL;
	size_t l = 0;
	struct lc_err err = LC_ERR_INIT;
	if (lc_read_file(p, &data, &l, &err) < 0)
		fail_msg("%s", err.msg);
	free(p);
	if (len)
		*len = l;
	return data;
}

/* Canonical form (C14N, blanks dropped): two equal documents compare equal as strings. */
static inline char *t_canon(const char *xml)
{
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = lc_xml_parse("canon", xml, strlen(xml), &err);
	if (!doc)
		fail_msg("not XML: %s", err.msg);
	xmlChar *out = NULL;
	int n = xmlC14NDocDumpMemory(doc, NULL, XML_C14N_1_0, NULL, 0, &out);
	assert_true(n >= 0);
	char *s = lc_strdup((const char *)out);
	xmlFree(out);
	xmlFreeDoc(doc);
	return s;
}

/* Compare xml with tests/golden/NAME.xml, or rewrite it when regenerating. */
static inline void t_golden(const char *name, const char *xml)
{
	char *rel = lc_asprintf("tests/golden/%s.xml", name);
	char *path = t_path(rel);
	const char *regen = getenv("LABCTL_TEST_REGENERATE");
	if (regen && strcmp(regen, "1") == 0) {
		struct lc_err err = LC_ERR_INIT;
		if (lc_write_file(path, xml, strlen(xml), &err) < 0)
			fail_msg("%s", err.msg);
	} else {
		char *want = t_read(rel, NULL);
		char *a = t_canon(want), *b = t_canon(xml);
		if (strcmp(a, b) != 0) {
			fprintf(
			    stderr,
			    "golden %s differs; got:\n%s\n(LABCTL_TEST_REGENERATE=1 rewrites it)\n",
			    rel, xml);
			fail_msg("golden mismatch: %s", rel);
		}
		free(a);
		free(b);
		free(want);
	}
	free(path);
	free(rel);
}

/* A text golden file, tests/golden/FILE, compared byte for byte. */
static inline void t_golden_text(const char *file, const char *text)
{
	char *rel = lc_asprintf("tests/golden/%s", file);
	char *path = t_path(rel);
	const char *regen = getenv("LABCTL_TEST_REGENERATE");
	if (regen && strcmp(regen, "1") == 0) {
		struct lc_err err = LC_ERR_INIT;
		if (lc_write_file(path, text, strlen(text), &err) < 0)
			fail_msg("%s", err.msg);
	} else {
		char *want = t_read(rel, NULL);
		if (strcmp(want, text) != 0) {
			fprintf(
			    stderr,
			    "golden %s differs; got:\n%s\n(LABCTL_TEST_REGENERATE=1 rewrites it)\n",
			    rel, text);
			fail_msg("golden mismatch: %s", rel);
		}
		free(want);
	}
	free(path);
	free(rel);
}

#endif

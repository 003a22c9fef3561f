/* Reading templates; see templates.h. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xpath.h>

#include "fsutil.h"
#include "templates.h"

/* The templates named net-*.xml (net) or the others, without the suffix or prefix, sorted. */
static int list(const char *dir, bool net, struct lc_strv *out, struct lc_err *err)
{
	struct lc_strv all;
	lc_strv_init(out);
	if (lc_list_dir(dir, ".xml", &all, err) < 0) {
		lc_err_prefix(err, "templates: ");
		return -1;
	}
	for (size_t i = 0; i < all.n; i++)
		if ((strncmp(all.v[i], "net-", 4) == 0) == net)
			lc_strv_push(out, all.v[i] + (net ? 4 : 0));
	lc_strv_release(&all);
	return 0;
}

int lc_template_kinds(const char *dir, struct lc_strv *kinds, struct lc_err *err)
{
	return list(dir, false, kinds, err);
}

int lc_template_net_modes(const char *dir, struct lc_strv *modes, struct lc_err *err)
{
	return list(dir, true, modes, err);
}

char *lc_template_kind_path(const char *dir, const char *kind)
{
	return lc_asprintf("%s/%s.xml", dir, kind);
}

char *lc_template_net_path(const char *dir, const char *mode)
{
	return lc_asprintf("%s/net-%s.xml", dir, mode);
}

static void quiet(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

xmlDocPtr lc_xml_parse(const char *what, const char *text, size_t len, struct lc_err *err)
{
	xmlSetGenericErrorFunc(NULL, quiet);
	xmlDocPtr doc = xmlReadMemory(text, (int)len, what, NULL,
				      XML_PARSE_NONET | XML_PARSE_NOBLANKS | XML_PARSE_NOERROR |
					  XML_PARSE_NOWARNING);
	if (!doc) {
		xmlErrorPtr e = xmlGetLastError();
		lc_err_set(err, LC_EXIT_RUNTIME, "'%s' is not well-formed XML: line %d: %s", what,
			   e ? e->line : 0, e && e->message ? e->message : "parse error");
		if (err && err->msg) {
			size_t l = strlen(err->msg);
			if (l && err->msg[l - 1] == '\n')
				err->msg[l - 1] = '\0';
		}
	}
	xmlSetGenericErrorFunc(NULL, NULL);
	return doc;
}

xmlDocPtr lc_template_load(const char *path, struct lc_err *err)
{
	char *data;
	size_t len;
	if (lc_read_file(path, &data, &len, err) < 0)
		return NULL;
	xmlDocPtr doc = lc_xml_parse(path, data, len, err);
	free(data);
	return doc;
}

char *lc_xml_xpath_string(xmlDocPtr doc, const char *expr)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST expr, x);
	char *s = NULL;
	if (r && r->type == XPATH_STRING && r->stringval && r->stringval[0])
		s = lc_strdup((const char *)r->stringval);
	xmlXPathFreeObject(r);
	xmlXPathFreeContext(x);
	return s;
}

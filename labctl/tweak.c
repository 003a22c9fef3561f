/* XPath tweaks on domain XML; see tweak.h. */
#include <ctype.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "buf.h"
#include "tweak.h"

/* libxml2 reports through a global handler; catch its message instead of printing it. */
struct catcher {
	struct lc_buf msg;
};

static void catch_error(void *ctx, xmlErrorPtr e)
{
	struct catcher *c = ctx;
	if (c->msg.len || !e->message)
		return;
	lc_buf_adds(&c->msg, e->message);
	while (c->msg.len && isspace((unsigned char)c->msg.s[c->msg.len - 1]))
		c->msg.s[--c->msg.len] = '\0';
}

/* Some XPath errors (unknown functions, prefixes) go to the generic handler instead. */
static void catch_generic(void *ctx, const char *fmt, ...)
{
	struct catcher *c = ctx;
	if (c->msg.len)
		return;
	va_list ap;
	va_start(ap, fmt);
	lc_buf_vaddf(&c->msg, fmt, ap);
	va_end(ap);
	while (c->msg.len && isspace((unsigned char)c->msg.s[c->msg.len - 1]))
		c->msg.s[--c->msg.len] = '\0';
}

static void catch_begin(struct catcher *c)
{
	lc_buf_init(&c->msg);
	xmlSetStructuredErrorFunc(c, catch_error);
	xmlSetGenericErrorFunc(c, catch_generic);
}

static const char *catch_end(struct catcher *c)
{
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlSetGenericErrorFunc(NULL, NULL);
	return c->msg.len ? c->msg.s : "invalid";
}

const char *lc_tweak_op_name(enum lc_tweak_op op)
{
	return op == LC_TWEAK_SET ? "set" : op == LC_TWEAK_REMOVE ? "remove" : "append";
}

/*
 * What labctl sets and relies on: the <domain> element itself, its <name>
 * and <uuid>, and <metadata>, which holds the ownership element that down
 * and status find the domain by. Returns the guarded root child n is or
 * lies in ("name", "uuid", "metadata"), or NULL.
 */
static const char *guarded_area(xmlNodePtr n)
{
	static const char *const guarded[] = {"name", "uuid", "metadata"};
	for (; n && n->parent; n = n->parent) {
		if (n->type != XML_ELEMENT_NODE || !n->parent->parent ||
		    n->parent->parent->type != XML_DOCUMENT_NODE)
			continue;
		/* n is a child of the root element */
		for (size_t i = 0; i < sizeof(guarded) / sizeof(*guarded); i++)
			if (!n->ns && xmlStrEqual(n->name, BAD_CAST guarded[i]))
				return guarded[i];
		return NULL;
	}
	return NULL;
}

static bool is_root(xmlNodePtr n)
{
	return n->type == XML_ELEMENT_NODE && n->parent && n->parent->type == XML_DOCUMENT_NODE;
}

/* A set or remove may not reach the root or a guarded part; the root's attributes are fair. */
static const char *guarded_match(xmlNodePtr n)
{
	if (n->type == XML_DOCUMENT_NODE || is_root(n))
		return "domain";
	return guarded_area(n->type == XML_ATTRIBUTE_NODE ? n->parent : n);
}

static int guard_err(const struct lc_tweak *tw, const char *what, enum lc_exit code,
		     struct lc_err *err)
{
	return lc_err_set(err, code,
			  "xml %s: \"%s\" reaches <%s>, which labctl owns (the domain's name, "
			  "uuid and ownership metadata cannot be tweaked)",
			  lc_tweak_op_name(tw->op), tw->xpath.v, what);
}

/* Parse a fragment as the children of a scratch element; NULL on error. */
static xmlNodePtr parse_fragment(xmlNodePtr context, const char *frag, struct catcher *c)
{
	xmlNodePtr list = NULL;
	if (xmlParseInNodeContext(context, frag, (int)strlen(frag), XML_PARSE_NONET, &list) !=
	    XML_ERR_OK) {
		xmlFreeNodeList(list);
		if (!c->msg.len)
			lc_buf_adds(&c->msg, "not well-formed XML");
		return NULL;
	}
	return list;
}

static xmlXPathObjectPtr eval(xmlDocPtr doc, const char *xpath, struct catcher *c)
{
	xmlXPathContextPtr x = xmlXPathNewContext(doc);
	xmlXPathRegisterNs(x, BAD_CAST LC_XMLNS_PREFIX, BAD_CAST LC_XMLNS);
	xmlXPathObjectPtr r = xmlXPathEvalExpression(BAD_CAST xpath, x);
	xmlXPathFreeContext(x);
	if (r && r->type != XPATH_NODESET) {
		xmlXPathFreeObject(r);
		if (!c->msg.len)
			lc_buf_adds(&c->msg, "the XPath does not select nodes");
		return NULL;
	}
	return r;
}

static size_t count(xmlXPathObjectPtr r)
{
	return r && r->nodesetval ? (size_t)r->nodesetval->nodeNr : 0;
}

/*
 * The matched nodes, and the XPath result freed: libxml2 reads every node of
 * a result when it frees it, so nothing may be freed while it is alive.
 */
static xmlNodePtr *take_nodes(xmlXPathObjectPtr r, size_t *n)
{
	size_t all = count(r);
	xmlNodePtr *v = lc_calloc(all + 1, sizeof(*v));
	*n = 0;
	/* namespace nodes in a result are copies it owns: they go with it */
	for (size_t i = 0; i < all; i++)
		if (r->nodesetval->nodeTab[i]->type != XML_NAMESPACE_DECL)
			v[(*n)++] = r->nodesetval->nodeTab[i];
	xmlXPathFreeObject(r);
	return v;
}

static void set_node(xmlNodePtr n, const char *value)
{
	/* the document itself has no value to set */
	if (n->type == XML_DOCUMENT_NODE)
		return;
	if (n->type == XML_ATTRIBUTE_NODE) {
		/* xmlSetNsProp stores the value as text: no entity is interpreted */
		xmlSetNsProp(n->parent, n->ns, n->name, BAD_CAST value);
		return;
	}
	if (n->type != XML_ELEMENT_NODE) {
		xmlNodeSetContentLen(n, NULL, 0);
		xmlNodeAddContent(n, BAD_CAST value);
		return;
	}
	while (n->children) {
		xmlNodePtr ch = n->children;
		xmlUnlinkNode(ch);
		xmlFreeNode(ch);
	}
	xmlAddChild(n, xmlNewDocText(n->doc, BAD_CAST value));
}

/* "/a/b/@c" -> parent "/a/b", last "@c"; false unless last is a plain name. */
static bool split_last(const char *xpath, char **parent, const char **last)
{
	const char *slash = strrchr(xpath, '/');
	if (!slash || slash == xpath || slash[-1] == '/')
		return false;
	const char *l = slash + 1;
	const char *p = *l == '@' ? l + 1 : l;
	if (!isalpha((unsigned char)*p) && *p != '_')
		return false;
	for (const char *q = p; *q; q++)
		if (!isalnum((unsigned char)*q) && !strchr("_-.", *q))
			return false;
	*parent = lc_strndup(xpath, (size_t)(slash - xpath));
	*last = l;
	return true;
}

/*
 * How a tweak runs: on the real domain (every failure is the topology's,
 * LC_EXIT_USAGE) or on validate's stub, where matching nothing says nothing
 * and an XPath failure is told from a value's by its code.
 */
struct run {
	bool stub;
	enum lc_exit xpath_code;
	bool *value_fault; /* may be NULL: set when the value or fragment is to blame */
};

static void blame_value(const struct run *how)
{
	if (how->value_fault)
		*how->value_fault = true;
}

/* An element with element children: set would replace them all with text. */
static bool has_element_children(xmlNodePtr n)
{
	for (xmlNodePtr c = n ? n->children : NULL; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE)
			return true;
	return false;
}

/*
 * A fragment appended must be elements (comments and blank text between
 * them aside): text alone would turn a container into mixed content that no
 * libvirt element takes. Returns false and names the culprit in c.
 */
static bool only_elements(xmlNodePtr list, struct catcher *c)
{
	size_t elements = 0;
	for (xmlNodePtr e = list; e; e = e->next) {
		if (e->type == XML_ELEMENT_NODE) {
			elements++;
		} else if (e->type == XML_TEXT_NODE || e->type == XML_CDATA_SECTION_NODE) {
			for (const xmlChar *q = e->content; q && *q; q++)
				if (!isspace(*q)) {
					lc_buf_adds(&c->msg, "the fragment holds text outside an "
							     "element: it must be one or more "
							     "elements");
					return false;
				}
		} else if (e->type != XML_COMMENT_NODE) {
			lc_buf_adds(&c->msg, "the fragment must be one or more elements");
			return false;
		}
	}
	if (!elements)
		lc_buf_adds(&c->msg, "the fragment holds no element: it must be one or more "
				     "elements");
	return elements > 0;
}

static int bad_xpath(const struct run *how, const struct lc_tweak *tw, struct catcher *c,
		     struct lc_err *err)
{
	return lc_err_set(err, how->xpath_code, "xml %s: bad XPath \"%s\": %s",
			  lc_tweak_op_name(tw->op), tw->xpath.v, catch_end(c));
}

static bool guarded_child_name(const char *name)
{
	return strcmp(name, "name") == 0 || strcmp(name, "uuid") == 0 ||
	       strcmp(name, "metadata") == 0;
}

static int do_set(xmlDocPtr doc, const struct lc_tweak *tw, const struct run *how,
		  struct catcher *c, struct lc_err *err)
{
	xmlXPathObjectPtr r = eval(doc, tw->xpath.v, c);
	if (!r)
		return bad_xpath(how, tw, c, err);
	size_t n;
	xmlNodePtr *nodes = take_nodes(r, &n);
	for (size_t i = 0; i < n; i++) {
		const char *g = guarded_match(nodes[i]);
		if (g) {
			free(nodes);
			return guard_err(tw, g, how->xpath_code, err);
		}
	}
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr e = nodes[i]->type == XML_ELEMENT_NODE ? nodes[i]
			       : nodes[i]->type == XML_TEXT_NODE  ? nodes[i]->parent
								  : NULL;
		if (e && has_element_children(e)) {
			free(nodes);
			return lc_err_set(err, how->xpath_code,
					  "xml set: \"%s\" reaches <%s>, which holds elements: set "
					  "would replace them with text (set an attribute or an "
					  "element without children, or remove and append)",
					  tw->xpath.v, (const char *)e->name);
		}
	}
	/* backwards: a node's new text frees its descendants, which come after it */
	for (size_t i = n; i > 0; i--)
		set_node(nodes[i - 1], tw->value.v);
	free(nodes);
	if (n)
		return 0;
	char *parent;
	const char *last;
	if (!split_last(tw->xpath.v, &parent, &last))
		goto none;
	r = eval(doc, parent, c);
	free(parent);
	n = count(r);
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr p = r->nodesetval->nodeTab[i];
		if (p->type != XML_ELEMENT_NODE)
			continue;
		const char *g = guarded_area(p);
		if (!g && is_root(p) && *last != '@' && guarded_child_name(last))
			g = last;
		if (g) {
			xmlXPathFreeObject(r);
			return guard_err(tw, g, how->xpath_code, err);
		}
	}
	for (size_t i = 0; i < n; i++) {
		xmlNodePtr p = r->nodesetval->nodeTab[i];
		if (p->type != XML_ELEMENT_NODE)
			continue;
		if (*last == '@')
			xmlSetProp(p, BAD_CAST(last + 1), BAD_CAST tw->value.v);
		else
			xmlNewTextChild(p, NULL, BAD_CAST last, BAD_CAST tw->value.v);
	}
	xmlXPathFreeObject(r);
	if (n || how->stub)
		return 0;
none:
	if (how->stub)
		return 0;
	return lc_err_set(err, LC_EXIT_USAGE, "xml set: \"%s\" matches nothing in the domain",
			  tw->xpath.v);
}

static int do_remove(xmlDocPtr doc, const struct lc_tweak *tw, const struct run *how,
		     struct catcher *c, struct lc_err *err)
{
	xmlXPathObjectPtr r = eval(doc, tw->xpath.v, c);
	if (!r)
		return bad_xpath(how, tw, c, err);
	size_t n;
	xmlNodePtr *nodes = take_nodes(r, &n);
	for (size_t i = 0; i < n; i++) {
		const char *g = guarded_match(nodes[i]);
		if (g) {
			free(nodes);
			return guard_err(tw, g, how->xpath_code, err);
		}
	}
	/* document order: unlinking backwards detaches descendants before their ancestors */
	xmlNodePtr *gone = lc_calloc(n + 1, sizeof(*gone));
	size_t ng = 0;
	for (size_t i = n; i > 0; i--) {
		xmlNodePtr node = nodes[i - 1];
		if (node->type == XML_NAMESPACE_DECL || node->type == XML_DOCUMENT_NODE ||
		    node == xmlDocGetRootElement(doc))
			continue;
		if (node->type == XML_ATTRIBUTE_NODE) {
			xmlRemoveProp((xmlAttrPtr)node);
			continue;
		}
		xmlUnlinkNode(node);
		gone[ng++] = node;
	}
	free(nodes);
	for (size_t i = 0; i < ng; i++)
		xmlFreeNode(gone[i]);
	free(gone);
	return 0;
}

static int do_append(xmlDocPtr doc, const struct lc_tweak *tw, const struct run *how,
		     struct catcher *c, struct lc_err *err)
{
	xmlXPathObjectPtr r = eval(doc, tw->xpath.v, c);
	if (!r)
		return bad_xpath(how, tw, c, err);
	size_t n = count(r), done = 0;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		xmlNodePtr p = r->nodesetval->nodeTab[i];
		const char *g = p->type == XML_ELEMENT_NODE ? guarded_area(p) : NULL;
		if (g)
			rc = guard_err(tw, g, how->xpath_code, err);
	}
	for (size_t i = 0; i < n && rc == 0; i++) {
		xmlNodePtr p = r->nodesetval->nodeTab[i];
		if (p->type != XML_ELEMENT_NODE)
			continue;
		xmlNodePtr list = parse_fragment(p, tw->value.v, c);
		if (!list || !only_elements(list, c)) {
			xmlFreeNodeList(list);
			blame_value(how);
			rc = lc_err_set(err, LC_EXIT_USAGE, "xml append: bad fragment: %s",
					catch_end(c));
			break;
		}
		/* a second <name> or <metadata> under the root would shadow labctl's */
		for (xmlNodePtr e = list; is_root(p) && e; e = e->next)
			if (e->type == XML_ELEMENT_NODE && !e->ns &&
			    guarded_child_name((const char *)e->name)) {
				blame_value(how);
				rc = lc_err_set(err, LC_EXIT_USAGE,
						"xml append: the fragment adds <%s>, which labctl "
						"owns (the domain's name, uuid and ownership "
						"metadata cannot be tweaked)",
						(const char *)e->name);
				break;
			}
		if (rc) {
			xmlFreeNodeList(list);
			break;
		}
		xmlAddChildList(p, list);
		done++;
	}
	xmlXPathFreeObject(r);
	if (rc == 0 && done == 0 && !how->stub)
		rc = lc_err_set(err, LC_EXIT_USAGE,
				"xml append: \"%s\" matches no element in the domain", tw->xpath.v);
	return rc;
}

static int run_tweak(xmlDocPtr doc, const struct lc_tweak *tw, const struct run *how,
		     struct lc_err *err)
{
	struct catcher c;
	catch_begin(&c);
	int rc;
	switch (tw->op) {
	case LC_TWEAK_SET:
		rc = do_set(doc, tw, how, &c, err);
		break;
	case LC_TWEAK_REMOVE:
		rc = do_remove(doc, tw, how, &c, err);
		break;
	default:
		rc = do_append(doc, tw, how, &c, err);
		break;
	}
	catch_end(&c);
	lc_buf_release(&c.msg);
	return rc;
}

int lc_tweak_apply(xmlDocPtr doc, const struct lc_tweak *tw, struct lc_err *err)
{
	const struct run how = {false, LC_EXIT_USAGE, NULL};
	return run_tweak(doc, tw, &how, err);
}

int lc_tweak_apply_at(xmlDocPtr doc, const struct lc_tweak *tw, struct lc_mark *at,
		      struct lc_err *err)
{
	bool value_fault = false;
	const struct run how = {false, LC_EXIT_USAGE, &value_fault};
	int rc = run_tweak(doc, tw, &how, err);
	*at = value_fault && tw->value.v ? tw->value.at : tw->xpath.at;
	return rc;
}

/*
 * What render fills in, in a stub: enough for an XPath to be evaluated as
 * render will (its errors, its prefixes, whether it reaches what labctl
 * owns) without the node's template.
 */
static const char stub_domain[] =
    "<domain type='kvm'><name>lab-node</name><memory unit='KiB'>1048576</memory>"
    "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
    "<features/><cpu mode='host-passthrough'/><devices/><metadata>"
    "<labctl:node xmlns:labctl='" LC_XMLNS "' lab='lab' node='node' kind='generic' "
    "topology-sha256='' created='' expires=''/></metadata></domain>";

static int check_on_stub(const struct lc_tweak *tw, struct lc_err *err)
{
	xmlDocPtr doc = xmlReadMemory(stub_domain, (int)sizeof(stub_domain) - 1, "stub", NULL,
				      XML_PARSE_NONET | XML_PARSE_NOBLANKS);
	if (!doc)
		return lc_err_set(err, LC_EXIT_RUNTIME, "xml: cannot build the check document");
	const struct run how = {true, LC_EXIT_RUNTIME, NULL};
	/* a missing value or fragment is the topology's to report; the XPath is checked still */
	struct lc_tweak t = *tw;
	if (!t.value.v)
		t.value.v = (char *)(t.op == LC_TWEAK_APPEND ? "<x/>" : "");
	int rc = run_tweak(doc, &t, &how, err);
	xmlFreeDoc(doc);
	return rc;
}

int lc_tweak_check(const struct lc_tweak *tw, struct lc_err *err)
{
	struct catcher c;
	catch_begin(&c);
	int rc = 0;
	if (tw->op == LC_TWEAK_APPEND && tw->value.v) {
		xmlDocPtr doc = xmlNewDoc(BAD_CAST "1.0");
		xmlNodePtr root = xmlNewDocNode(doc, NULL, BAD_CAST "fragment", NULL);
		xmlDocSetRootElement(doc, root);
		xmlNodePtr list = parse_fragment(root, tw->value.v, &c);
		if (list && !only_elements(list, &c))
			rc = lc_err_set(err, LC_EXIT_USAGE, "xml append: bad fragment: %s",
					catch_end(&c));
		else if (!list && tw->value.v[0])
			rc = lc_err_set(err, LC_EXIT_USAGE, "xml append: bad fragment: %s",
					catch_end(&c));
		else if (!list)
			rc = lc_err_set(err, LC_EXIT_USAGE, "xml append: the fragment is empty");
		xmlFreeNodeList(list);
		xmlFreeDoc(doc);
	}
	catch_end(&c);
	lc_buf_release(&c.msg);
	/* the XPath first: its mistake is the one to report */
	struct lc_err xe = LC_ERR_INIT;
	if (check_on_stub(tw, &xe) < 0 && (rc == 0 || xe.code == LC_EXIT_RUNTIME)) {
		lc_err_release(err);
		lc_err_move(err, &xe);
		rc = -1;
	}
	lc_err_release(&xe);
	return rc;
}

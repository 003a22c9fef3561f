/* libyaml events to a position-keeping tree; see yaml-doc.h. */
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "yaml-doc.h"

/* Deep enough for any topology, shallow enough that no input exhausts the stack. */
#define MAX_DEPTH 64

struct anchor {
	char *name;
	struct lc_ynode *node;
};

struct builder {
	struct lc_ydoc *doc;
	struct lc_diags *diags;
	struct lc_ynode *stack[MAX_DEPTH];
	int depth;
	struct anchor *anchors;
	size_t n_anchors, cap_anchors;
	bool failed;
};

static struct lc_mark mark_of(const struct lc_ydoc *doc, yaml_mark_t m)
{
	struct lc_mark at = {doc->file, (int)m.line + 1, (int)m.column + 1};
	return at;
}

static struct lc_ynode *node_new(struct lc_ydoc *doc, enum lc_ytype t, struct lc_mark at)
{
	struct lc_ynode *n = lc_calloc(1, sizeof(*n));
	n->type = t;
	n->at = at;
	LC_GROW(doc->all, doc->cap_all, doc->n_all + 1);
	doc->all[doc->n_all++] = n;
	return n;
}

static void add_child(struct lc_ynode *parent, struct lc_ynode *child)
{
	LC_GROW(parent->kv, parent->cap, parent->n + 1);
	parent->kv[parent->n++] = child;
}

static void remember_anchor(struct builder *b, const yaml_char_t *name, struct lc_ynode *n)
{
	if (!name)
		return;
	/* a later anchor of the same name shadows the earlier, as YAML says */
	LC_GROW(b->anchors, b->cap_anchors, b->n_anchors + 1);
	b->anchors[b->n_anchors].name = lc_strdup((const char *)name);
	b->anchors[b->n_anchors].node = n;
	b->n_anchors++;
}

static struct lc_ynode *find_anchor(struct builder *b, const char *name)
{
	for (size_t i = b->n_anchors; i > 0; i--)
		if (strcmp(b->anchors[i - 1].name, name) == 0)
			return b->anchors[i - 1].node;
	return NULL;
}

/* Attach a finished node to whatever is open above it. */
static void attach(struct builder *b, struct lc_ynode *n)
{
	if (b->depth == 0) {
		b->doc->root = n;
		return;
	}
	struct lc_ynode *top = b->stack[b->depth - 1];
	if (top->type == LC_Y_MAP && top->n % 2 == 0 && n->type != LC_Y_SCALAR) {
		lc_diag_add(b->diags, n->at, "a mapping key must be a plain value, not a %s",
			    lc_ytype_name(n));
		b->failed = true;
	}
	/* YAML 1.1's merge key: libyaml leaves it to the application, and labctl has defaults: */
	if (top->type == LC_Y_MAP && top->n % 2 == 0 && n->type == LC_Y_SCALAR && n->plain &&
	    strcmp(n->scalar, "<<") == 0) {
		lc_diag_add(b->diags, n->at,
			    "YAML merge keys (\"<<\") are not supported: give the keys again, "
			    "or put what nodes share under \"defaults\"");
		b->failed = true;
	}
	add_child(top, n);
}

static void check_duplicates(struct builder *b, const struct lc_ynode *map)
{
	size_t pairs = map->n / 2;
	/* maps in a topology are small; a quadratic scan beats a hash table here */
	for (size_t i = 1; i < pairs; i++) {
		const struct lc_ynode *k = map->kv[2 * i];
		if (k->type != LC_Y_SCALAR)
			continue;
		for (size_t j = 0; j < i; j++) {
			const struct lc_ynode *p = map->kv[2 * j];
			if (p->type == LC_Y_SCALAR && strcmp(p->scalar, k->scalar) == 0) {
				lc_diag_add(b->diags, k->at,
					    "duplicate key \"%s\" (first given at line %d)",
					    k->scalar, p->at.line);
				b->failed = true;
				break;
			}
		}
	}
}

static bool push(struct builder *b, struct lc_ynode *n)
{
	if (b->depth == MAX_DEPTH) {
		lc_diag_add(b->diags, n->at, "nesting deeper than %d levels", MAX_DEPTH);
		b->failed = true;
		return false;
	}
	attach(b, n);
	b->stack[b->depth++] = n;
	return true;
}

static bool on_event(struct builder *b, const yaml_event_t *ev, int *docs)
{
	struct lc_mark at = mark_of(b->doc, ev->start_mark);
	struct lc_ynode *n;
	switch (ev->type) {
	case YAML_DOCUMENT_START_EVENT:
		if (++*docs > 1) {
			lc_diag_add(b->diags, at, "more than one YAML document in the file");
			b->failed = true;
			return false;
		}
		return true;
	case YAML_SCALAR_EVENT:
		n = node_new(b->doc, LC_Y_SCALAR, at);
		n->scalar = lc_strndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (strlen(n->scalar) != ev->data.scalar.length) {
			lc_diag_add(b->diags, at, "a value contains a NUL character");
			b->failed = true;
		}
		n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		remember_anchor(b, ev->data.scalar.anchor, n);
		attach(b, n);
		return true;
	case YAML_SEQUENCE_START_EVENT:
		n = node_new(b->doc, LC_Y_SEQ, at);
		remember_anchor(b, ev->data.sequence_start.anchor, n);
		return push(b, n);
	case YAML_MAPPING_START_EVENT:
		n = node_new(b->doc, LC_Y_MAP, at);
		remember_anchor(b, ev->data.mapping_start.anchor, n);
		return push(b, n);
	case YAML_SEQUENCE_END_EVENT:
		b->depth--;
		return true;
	case YAML_MAPPING_END_EVENT:
		check_duplicates(b, b->stack[b->depth - 1]);
		b->depth--;
		return true;
	case YAML_ALIAS_EVENT: {
		const char *name = (const char *)ev->data.alias.anchor;
		struct lc_ynode *target = find_anchor(b, name);
		if (!target) {
			lc_diag_add(b->diags, at,
				    "alias \"*%s\" refers to no anchor defined before it", name);
			b->failed = true;
			return false;
		}
		for (int i = 0; i < b->depth; i++) {
			if (b->stack[i] == target) {
				lc_diag_add(b->diags, at,
					    "alias \"*%s\" refers to a node that contains it",
					    name);
				b->failed = true;
				return false;
			}
		}
		attach(b, target);
		return true;
	}
	default:
		return true;
	}
}

struct lc_ydoc *lc_ydoc_parse(const char *file, const char *data, size_t len,
			      struct lc_diags *diags)
{
	struct lc_ydoc *doc = lc_calloc(1, sizeof(*doc));
	doc->file = file;
	struct builder b = {.doc = doc, .diags = diags};
	yaml_parser_t p;
	if (!yaml_parser_initialize(&p)) {
		lc_diag_add(diags, (struct lc_mark){doc->file, 1, 1},
			    "cannot start the YAML parser");
		lc_ydoc_free(doc);
		return NULL;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
	int docs = 0;
	for (;;) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&p, &ev)) {
			struct lc_mark at = mark_of(doc, p.problem ? p.problem_mark : p.mark);
			/*
			 * libyaml takes a plain key of at most 1024 characters; past
			 * that it says only that a value is not allowed here
			 */
			if (p.problem && at.col > 1024 &&
			    strcmp(p.problem, "mapping values are not allowed in this context") ==
				0)
				lc_diag_add(
				    diags, at,
				    "malformed YAML: a key of more than 1024 characters "
				    "(YAML's limit for a simple key; names are at most 63)");
			else if (p.context)
				lc_diag_add(diags, at, "malformed YAML: %s %s",
					    p.problem ? p.problem : "error", p.context);
			else
				lc_diag_add(diags, at, "malformed YAML: %s",
					    p.problem ? p.problem : "error");
			b.failed = true;
			break;
		}
		bool go = on_event(&b, &ev, &docs);
		bool end = ev.type == YAML_STREAM_END_EVENT;
		yaml_event_delete(&ev);
		if (!go || end)
			break;
	}
	yaml_parser_delete(&p);
	for (size_t i = 0; i < b.n_anchors; i++)
		free(b.anchors[i].name);
	free(b.anchors);
	if (b.failed) {
		lc_ydoc_free(doc);
		return NULL;
	}
	return doc;
}

void lc_ydoc_free(struct lc_ydoc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_all; i++) {
		free(doc->all[i]->scalar);
		free(doc->all[i]->kv);
		free(doc->all[i]);
	}
	free(doc->all);
	free(doc);
}

const struct lc_ynode *lc_ymap_get(const struct lc_ynode *map, const char *key,
				   const struct lc_ynode **keyp)
{
	if (!map || map->type != LC_Y_MAP)
		return NULL;
	for (size_t i = 0; i + 1 < map->n; i += 2) {
		const struct lc_ynode *k = map->kv[i];
		if (k->type == LC_Y_SCALAR && strcmp(k->scalar, key) == 0) {
			if (keyp)
				*keyp = k;
			return map->kv[i + 1];
		}
	}
	return NULL;
}

bool lc_ynode_is_null(const struct lc_ynode *n)
{
	return n->type == LC_Y_SCALAR && n->plain &&
	       (!n->scalar[0] || strcmp(n->scalar, "~") == 0 || strcmp(n->scalar, "null") == 0 ||
		strcmp(n->scalar, "Null") == 0 || strcmp(n->scalar, "NULL") == 0);
}

const char *lc_ytype_name(const struct lc_ynode *n)
{
	switch (n->type) {
	case LC_Y_MAP:
		return "mapping";
	case LC_Y_SEQ:
		return "list";
	default:
		return "scalar";
	}
}

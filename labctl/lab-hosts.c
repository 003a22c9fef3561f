/* A lab's domains on every host its journal names; see lab-hosts.h. */
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "journal.h"
#include "lab-hosts.h"
#include "virt.h"

/* The hosts the journals of lab (NULL: every lab) record, first name per URI. */
static int journal_hosts(const char *state_dir, const char *lab, struct lc_strv *uris,
			 struct lc_strv *names, struct lc_err *err)
{
	struct lc_strv jl;
	if (lc_journal_labs(state_dir, &jl, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < jl.n; i++) {
		struct lc_journal j;
		if ((lab && strcmp(lab, jl.v[i]) != 0) ||
		    (rc = lc_journal_read(state_dir, jl.v[i], &j, err)) < 0)
			continue;
		for (size_t k = 0; k < j.hosts.n; k++) {
			char *sp = strchr(j.hosts.v[k], ' ');
			if (!sp || lc_strv_has(uris, sp + 1))
				continue;
			*sp = '\0';
			lc_strv_push(uris, sp + 1);
			lc_strv_push(names, j.hosts.v[k]);
		}
		lc_journal_release(&j);
	}
	lc_strv_release(&jl);
	return rc;
}

struct entry {
	struct lc_virt_obj obj;
	const char *host;
	struct lc_virt *virt;
	size_t order;
};

/* By name; one name on two hosts keeps -c's first, then the journals' order. */
static int cmp_entry(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->obj.name, y->obj.name);
	return c ? c : (x->order > y->order) - (x->order < y->order);
}

static void sort_doms(struct lc_lab_doms *ld)
{
	if (ld->n < 2)
		return;
	struct entry *e = lc_calloc(ld->n, sizeof(*e));
	for (size_t i = 0; i < ld->n; i++)
		e[i] = (struct entry){ld->doms[i], ld->host[i], ld->virt[i], i};
	qsort(e, ld->n, sizeof(*e), cmp_entry);
	for (size_t i = 0; i < ld->n; i++) {
		ld->doms[i] = e[i].obj;
		ld->host[i] = e[i].host;
		ld->virt[i] = e[i].virt;
	}
	free(e);
}

static void add_doms(struct lc_lab_doms *ld, struct lc_virt_obj *more, size_t nm, const char *host,
		     struct lc_virt *v)
{
	ld->doms = lc_realloc(ld->doms, (ld->n + nm + 1) * sizeof(*ld->doms));
	ld->host = lc_realloc(ld->host, (ld->n + nm + 1) * sizeof(*ld->host));
	ld->virt = lc_realloc(ld->virt, (ld->n + nm + 1) * sizeof(*ld->virt));
	for (size_t i = 0; i < nm; i++) {
		ld->doms[ld->n] = more[i];
		ld->host[ld->n] = host;
		ld->virt[ld->n++] = v;
	}
	free(more);
}

int lc_lab_doms_init(struct lc_lab_doms *ld, const struct lc_opts *o, struct lc_virt *v0,
		     const char *lab, struct lc_err *err)
{
	memset(ld, 0, sizeof(*ld));
	lc_strv_init(&ld->uris);
	lc_strv_init(&ld->names);
	struct lc_virt_obj *doms;
	size_t nd;
	if (lc_virt_lab_domains(v0, lab, &doms, &nd, err) < 0)
		return -1;
	if (journal_hosts(o->state_dir, lab, &ld->uris, &ld->names, err) < 0) {
		lc_virt_objs_free(doms, nd);
		lc_lab_doms_release(ld);
		return -1;
	}
	const char *c_uri = o->uri ? o->uri : lc_virt_uri(v0);
	ld->conns = lc_calloc(ld->uris.n + 1, sizeof(*ld->conns));
	/* -c's host is named as a journal names its URI; "-" is up's word for no name */
	const char *c_name = c_uri;
	for (size_t k = 0; k < ld->uris.n; k++)
		if ((strcmp(ld->uris.v[k], c_uri) == 0 ||
		     strcmp(ld->uris.v[k], lc_virt_uri(v0)) == 0) &&
		    strcmp(ld->names.v[k], "-") != 0)
			c_name = ld->names.v[k];
	ld->c_name = lc_strdup(c_name);
	add_doms(ld, doms, nd, ld->c_name, v0);
	for (size_t k = 0; k < ld->uris.n; k++) {
		const char *uri = ld->uris.v[k];
		if (strcmp(uri, c_uri) == 0 || strcmp(uri, lc_virt_uri(v0)) == 0)
			continue;
		const char *label = strcmp(ld->names.v[k], "-") != 0 ? ld->names.v[k] : uri;
		struct lc_virt_obj *more;
		size_t nm;
		struct lc_err herr = LC_ERR_INIT;
		if (!(ld->conns[k] = lc_virt_open(uri, &herr)) ||
		    lc_virt_lab_domains(ld->conns[k], lab, &more, &nm, &herr) < 0) {
			ld->unreached = lc_realloc(ld->unreached,
						   (ld->n_unreached + 1) * sizeof(*ld->unreached));
			ld->unreached[ld->n_unreached++] =
			    (struct lc_lab_unreached){lc_strdup(label), lc_strdup(herr.msg)};
			lc_err_release(&herr);
			continue;
		}
		add_doms(ld, more, nm, label, ld->conns[k]);
	}
	sort_doms(ld);
	return 0;
}

void lc_lab_doms_release(struct lc_lab_doms *ld)
{
	lc_virt_objs_free(ld->doms, ld->n);
	free(ld->host);
	free(ld->virt);
	for (size_t i = 0; i < ld->n_unreached; i++) {
		free(ld->unreached[i].host);
		free(ld->unreached[i].why);
	}
	free(ld->unreached);
	for (size_t k = 0; ld->conns && k < ld->uris.n; k++)
		lc_virt_close(ld->conns[k]);
	free(ld->conns);
	lc_strv_release(&ld->uris);
	lc_strv_release(&ld->names);
	free(ld->c_name);
	memset(ld, 0, sizeof(*ld));
}

/* Load and validate a topology with its catalog and kinds; see load.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "buf.h"
#include "fsutil.h"
#include "interrupt.h"
#include "load.h"
#include "pci-addr.h"
#include "render.h"
#include "templates.h"
#include "topology.h"
#include "tweak.h"
#include "validate.h"

struct lc_catalog *lc_load_catalog(const struct lc_opts *o, struct lc_err *err)
{
	struct lc_catalog *all = lc_calloc(1, sizeof(*all));
	all->file = lc_strdup(o->catalog);
	all->dir = lc_strdup(".");
	char *state_cat = lc_asprintf("%s/catalog.yaml", o->state_dir);
	const char *files[] = {o->catalog, state_cat};
	for (size_t i = 0; i < LC_ARRAY_SIZE(files); i++) {
		/* the state dir's catalog (images built here) is optional */
		if (i == 1 && !lc_file_exists(files[i]))
			continue;
		char *data;
		size_t len;
		if (lc_read_file(files[i], &data, &len, err) < 0) {
			lc_err_prefix(err, "image catalog: ");
			goto fail;
		}
		struct lc_diags d;
		lc_diags_init(&d);
		struct lc_catalog *c = lc_catalog_parse(files[i], data, len, &d);
		free(data);
		int bad = lc_diags_to_err(&d, err);
		lc_diags_release(&d);
		if (bad == 0)
			lc_catalog_merge(all, c);
		lc_catalog_free(c);
		if (bad)
			goto fail;
	}
	free(state_cat);
	return all;
fail:
	free(state_cat);
	lc_catalog_free(all);
	return NULL;
}

int lc_load_topology_text(const char *path, char **data, size_t *len, struct lc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_USAGE, "cannot open '%s': %s", path,
				  strerror(errno));
	struct stat st;
	/* a pipe is read with the same cap (labctl validate <(generate)); a device is a mistake */
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode))) {
		close(fd);
		return lc_err_set(err, LC_EXIT_USAGE,
				  "'%s' is not a regular file: a topology is a YAML file", path);
	}
	int rc = lc_read_fd(fd, path, LC_MAX_TOPOLOGY_BYTES, LC_EXIT_USAGE, data, len, err);
	close(fd);
	return rc;
}

/* validate's look at a node's own template: render would need it to be a domain. */
static int check_template(const char *path, struct lc_err *err)
{
	xmlDocPtr doc = lc_template_load(path, err);
	if (!doc)
		return -1;
	xmlNodePtr root = xmlDocGetRootElement(doc);
	int rc = 0;
	if (!root || !xmlStrEqual(root->name, BAD_CAST "domain"))
		rc = lc_err_set(err, LC_EXIT_USAGE, "'%s' is not a <domain> document", path);
	xmlFreeDoc(doc);
	return rc;
}

/*
 * ---- validate's rendering check ----
 *
 * A tweak's effect depends on the document it runs on, so each node whose
 * XML is tweaked or comes from the user's own template is rendered as
 * render would (with placeholder devices for its VFs, and a host assumed to
 * run KVM), every tweak is run on it, and the result is checked against
 * libvirt's own domain schema. libvirt ships that schema with its library;
 * without it the schema check is skipped.
 */

#ifndef LC_DOMAIN_RNG
#define LC_DOMAIN_RNG "/usr/share/libvirt/schemas/domain.rng"
#endif

struct schema {
	xmlRelaxNGPtr rng; /* NULL: not found or not loadable: no schema check */
	bool loaded;
	struct lc_buf msg; /* the first validity error */
};

static void schema_error(void *ctx, xmlErrorPtr e)
{
	struct schema *sc = ctx;
	if (sc->msg.len || !e || !e->message)
		return;
	xmlChar *path = e->node ? xmlGetNodePath((xmlNodePtr)e->node) : NULL;
	if (path)
		lc_buf_addf(&sc->msg, "%s: ", (const char *)path);
	xmlFree(path);
	lc_buf_adds(&sc->msg, e->message);
	while (sc->msg.len &&
	       (sc->msg.s[sc->msg.len - 1] == '\n' || sc->msg.s[sc->msg.len - 1] == ' '))
		sc->msg.s[--sc->msg.len] = '\0';
}

static void schema_quiet(void *ctx, const char *fmt, ...)
{
	(void)ctx;
	(void)fmt;
}

/* Parsed once per run, on first use: only tweaked or user-templated nodes need it. */
static xmlRelaxNGPtr schema_get(struct schema *sc)
{
	if (sc->loaded)
		return sc->rng;
	sc->loaded = true;
	const char *path = getenv("LABCTL_DOMAIN_RNG");
	if (!path)
		path = LC_DOMAIN_RNG;
	if (!*path || !lc_file_exists(path))
		return NULL;
	xmlSetGenericErrorFunc(NULL, schema_quiet);
	xmlSetStructuredErrorFunc(NULL, NULL);
	xmlRelaxNGParserCtxtPtr pc = xmlRelaxNGNewParserCtxt(path);
	xmlRelaxNGSetParserStructuredErrors(pc, NULL, NULL);
	sc->rng = pc ? xmlRelaxNGParse(pc) : NULL;
	xmlRelaxNGFreeParserCtxt(pc);
	xmlSetGenericErrorFunc(NULL, NULL);
	return sc->rng;
}

/* 0 when doc is a valid libvirt domain (or no schema is at hand); -1 with sc->msg. */
static int schema_check(struct schema *sc, xmlDocPtr doc)
{
	xmlRelaxNGPtr rng = schema_get(sc);
	if (!rng)
		return 0;
	lc_buf_release(&sc->msg);
	xmlRelaxNGValidCtxtPtr vc = xmlRelaxNGNewValidCtxt(rng);
	xmlRelaxNGSetValidStructuredErrors(vc, schema_error, sc);
	xmlSetGenericErrorFunc(NULL, schema_quiet);
	int rc = xmlRelaxNGValidateDoc(vc, doc);
	xmlSetGenericErrorFunc(NULL, NULL);
	xmlRelaxNGFreeValidCtxt(vc);
	if (rc != 0 && !sc->msg.len)
		lc_buf_adds(&sc->msg, "does not validate");
	return rc == 0 ? 0 : -1;
}

/* Stand-ins for a node's devices: render's output has their shape, not the host's. */
static struct lc_hostdev *placeholder_devices(const struct lc_node *n, size_t *count)
{
	size_t total = n->n_pci;
	for (size_t i = 0; i < n->n_vfs; i++)
		total += n->vfs[i].count.v;
	struct lc_hostdev *hd = lc_calloc(total + 1, sizeof(*hd));
	size_t k = 0;
	for (size_t i = 0; i < n->n_vfs; i++)
		for (size_t j = 0; j < n->vfs[i].count.v; j++, k++) {
			hd[k] = (struct lc_hostdev){0,
						    0x80 + (unsigned)(k >> 8 & 0x7f),
						    (unsigned)(k >> 3 & 31),
						    (unsigned)(k & 7),
						    true,
						    "",
						    (unsigned)n->vfs[i].vlan.v};
			if (j < n->vfs[i].macs.n)
				snprintf(hd[k].mac, sizeof(hd[k].mac), "%s", n->vfs[i].macs.v[j].v);
			else
				snprintf(hd[k].mac, sizeof(hd[k].mac), "02:00:00:%02x:%02x:%02x",
					 (unsigned)(k >> 16 & 255), (unsigned)(k >> 8 & 255),
					 (unsigned)(k & 255));
		}
	for (size_t i = 0; i < n->n_pci; i++, k++) {
		struct lc_pci_addr a = {0};
		lc_pci_addr_parse(n->pci[i].address.v, &a);
		hd[k] = (struct lc_hostdev){a.dom, a.bus, a.slot, a.fn, false, "", 0};
	}
	*count = k;
	return hd;
}

/* The node rendered without its tweaks; NULL with err set. */
static xmlDocPtr render_bare(const struct lc_render_ctx *rc, const struct lc_node *n,
			     xmlDocPtr tmpl, struct lc_err *err)
{
	struct lc_node bare = *n;
	bare.n_xml = 0;
	size_t nhd;
	struct lc_hostdev *hd = placeholder_devices(n, &nhd);
	xmlDocPtr doc = lc_render_domain(rc, &bare, tmpl, hd, nhd, err);
	free(hd);
	return doc;
}

static void check_rendered_node(const struct lc_render_ctx *rc, const struct lc_node *n,
				xmlDocPtr tmpl, struct schema *sc, struct lc_diags *d)
{
	struct lc_err err = LC_ERR_INIT;
	xmlDocPtr doc = render_bare(rc, n, tmpl, &err);
	if (!doc) {
		lc_diag_add(d, n->template_path.v ? n->template_path.at : n->at, "node \"%s\": %s",
			    n->name, err.msg);
		lc_err_release(&err);
		return;
	}
	bool tweak_failed = false;
	for (size_t i = 0; i < n->n_xml; i++) {
		struct lc_mark at;
		if (lc_tweak_apply_at(doc, &n->xml[i], &at, &err) < 0) {
			lc_diag_add(d, at, "node \"%s\": %s", n->name, err.msg);
			tweak_failed = true;
		}
		lc_err_release(&err);
	}
	if (tweak_failed || schema_check(sc, doc) == 0) {
		xmlFreeDoc(doc);
		return;
	}
	xmlFreeDoc(doc);
	/* find what broke it: the template itself, or the first tweak after which it is invalid */
	doc = render_bare(rc, n, tmpl, &err);
	if (schema_check(sc, doc) < 0) {
		if (n->template_path.v)
			lc_diag_add(d, n->template_path.at,
				    "node \"%s\": template: the rendered domain is not valid for "
				    "libvirt: %s",
				    n->name, lc_buf_str(&sc->msg));
		else
			lc_diag_add(
			    d, n->at,
			    "node \"%s\": kind \"%s\": the rendered domain is not valid for "
			    "libvirt: %s",
			    n->name, n->kind.v, lc_buf_str(&sc->msg));
	}
	for (size_t i = 0; i < n->n_xml && !sc->msg.len; i++) {
		struct lc_mark at;
		lc_tweak_apply_at(doc, &n->xml[i], &at, &err);
		lc_err_release(&err);
		if (schema_check(sc, doc) < 0)
			lc_diag_add(
			    d, n->xml[i].at,
			    "node \"%s\": xml %s: \"%s\" leaves a domain libvirt refuses: %s",
			    n->name, lc_tweak_op_name(n->xml[i].op), n->xml[i].xpath.v,
			    lc_buf_str(&sc->msg));
	}
	xmlFreeDoc(doc);
}

/*
 * Every node whose XML the user shaped (tweaks, own template), rendered and
 * checked as render and up will meet it. Templates are loaded once per file.
 */
static void check_rendered(const struct lc_opts *o, const struct lc_loaded *l, struct lc_diags *d)
{
	const struct lc_topology *t = l->topo;
	struct lc_host_facts facts = {.vendor = LC_VENDOR_INTEL, .kvm = true};
	struct lc_render_ctx rc = {t, &facts, l->catalog, o->state_dir, o->cache_dir,
				   0, NULL,   NULL};
	struct schema sc = {0};
	char **paths = NULL;
	xmlDocPtr *docs = NULL;
	size_t np = 0, cap = 0, cap2 = 0;
	for (size_t i = 0; i < t->n_nodes && !lc_interrupted(); i++) {
		const struct lc_node *n = &t->nodes[i];
		/* replicas differ only in their names: the first one speaks for all */
		if ((!n->n_xml && !n->template_path.v) || n->replica > 1)
			continue;
		char *path = n->template_path.v ? lc_strdup(n->template_path.v)
						: lc_template_kind_path(o->templates, n->kind.v);
		xmlDocPtr tmpl = NULL;
		for (size_t k = 0; k < np && !tmpl; k++)
			if (strcmp(paths[k], path) == 0)
				tmpl = docs[k];
		if (!tmpl) {
			struct lc_err err = LC_ERR_INIT;
			tmpl = lc_template_load(path, &err);
			lc_err_release(
			    &err); /* a missing template is reported by the checks before */
			LC_GROW(paths, cap, np + 1);
			LC_GROW(docs, cap2, np + 1);
			paths[np] = lc_strdup(path);
			docs[np++] = tmpl;
		}
		free(path);
		if (tmpl)
			check_rendered_node(&rc, n, tmpl, &sc, d);
	}
	for (size_t k = 0; k < np; k++) {
		free(paths[k]);
		xmlFreeDoc(docs[k]);
	}
	free(paths);
	free(docs);
	xmlRelaxNGFree(sc.rng);
	lc_buf_release(&sc.msg);
}

/* validate's look at a file a domain reads: QEMU will open it, so it must be readable. */
static int check_file(const char *path, struct lc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_USAGE, "cannot read '%s': %s", path,
				  strerror(errno));
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		rc = lc_err_set(err, LC_EXIT_USAGE, "'%s' is a directory", path);
	close(fd);
	return rc;
}

/* A small file a topology names (a cloud-config, a public key): a regular file of at most 1 MiB. */
static int read_user_file(const char *path, char **data, size_t *len, struct lc_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return lc_err_set(err, LC_EXIT_USAGE, "cannot open '%s': %s", path,
				  strerror(errno));
	struct stat st;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return lc_err_set(err, LC_EXIT_USAGE, "'%s' is not a regular file", path);
	}
	int rc = lc_read_fd(fd, path, 1 << 20, LC_EXIT_USAGE, data, len, err);
	close(fd);
	return rc;
}

/* Files a topology names for their contents: cloud_init: files, ssh_key:. */
static void read_user_files(struct lc_topology *t, struct lc_diags *d)
{
	struct lc_err e = LC_ERR_INIT;
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct lc_node *n = &t->nodes[i];
		size_t len;
		if (!n->cloud_init.v || n->cloud_init_inline)
			continue;
		if (read_user_file(n->cloud_init.v, &n->cloud_init_text, &len, &e) < 0) {
			lc_diag_add(d, n->cloud_init.at, "node \"%s\": \"cloud_init\": %s", n->name,
				    e.msg);
			lc_err_release(&e);
		}
	}
	size_t len;
	if (t->ssh_key.v && read_user_file(t->ssh_key.v, &t->ssh_key_text, &len, &e) < 0) {
		lc_diag_add(d, t->ssh_key.at, "\"ssh_key\": %s", e.msg);
		lc_err_release(&e);
	}
}

static int load(const struct lc_opts *o, const char *path, bool files, struct lc_loaded *out,
		struct lc_err *err)
{
	memset(out, 0, sizeof(*out));
	char *data;
	size_t len;
	if (lc_load_topology_text(path, &data, &len, err) < 0)
		return -1;
	struct lc_diags d;
	lc_diags_init(&d);
	out->topo = lc_topology_parse(path, data, len, &d);
	free(data);
	if (!out->topo) {
		/* the YAML itself is broken: checking further would only add noise */
		lc_diags_to_err(&d, err);
		lc_diags_release(&d);
		lc_loaded_release(out);
		return -1;
	}
	if (lc_template_kinds(o->templates, &out->kinds, err) < 0 ||
	    !(out->catalog = lc_load_catalog(o, err))) {
		lc_diags_release(&d);
		lc_loaded_release(out);
		return -1;
	}
	const char **images = lc_calloc(out->catalog->n + 1, sizeof(*images));
	bool *ci = lc_calloc(out->catalog->n + 1, sizeof(*ci));
	for (size_t i = 0; i < out->catalog->n; i++) {
		images[i] = out->catalog->images[i].name.v;
		ci[i] = out->catalog->images[i].cloud_init;
	}
	read_user_files(out->topo, &d);
	struct lc_validate_ctx vc = {(const char *const *)out->kinds.v,
				     out->kinds.n,
				     images,
				     out->catalog->n,
				     ci,
				     check_template,
				     files ? check_file : NULL,
				     o->uri,
				     out->catalog};
	/*
	 * Rendering a topology with mistakes would only add noise. render and
	 * graph meet the tweaks' errors when they render for real: the rendered
	 * check (and its schema) is for validate and up, which must say before
	 * anything is leased or defined.
	 */
	if (lc_validate(out->topo, &vc, &d) == 0 && d.n == 0 && files)
		check_rendered(o, out, &d);
	if (lc_interrupted()) {
		lc_diags_release(&d);
		free(images);
		free(ci);
		lc_loaded_release(out);
		return lc_err_set(err, LC_EXIT_RUNTIME, "interrupted while checking the topology");
	}
	free(images);
	free(ci);
	int rc = lc_diags_to_err(&d, err);
	lc_diags_release(&d);
	if (rc < 0)
		lc_loaded_release(out);
	return rc;
}

int lc_load(const struct lc_opts *o, const char *path, struct lc_loaded *out, struct lc_err *err)
{
	return load(o, path, false, out, err);
}

int lc_load_checked(const struct lc_opts *o, const char *path, struct lc_loaded *out,
		    struct lc_err *err)
{
	return load(o, path, true, out, err);
}

void lc_loaded_release(struct lc_loaded *l)
{
	lc_topology_free(l->topo);
	lc_catalog_free(l->catalog);
	lc_strv_release(&l->kinds);
	memset(l, 0, sizeof(*l));
}

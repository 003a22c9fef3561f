/* Load and validate a topology with its catalog and kinds; see load.h. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libxml/tree.h>

#include "fsutil.h"
#include "load.h"
#include "templates.h"
#include "topology.h"
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

int lc_load(const struct lc_opts *o, const char *path, struct lc_loaded *out, struct lc_err *err)
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
		ci[i] = out->catalog->images[i].cloud_init.v;
	}
	read_user_files(out->topo, &d);
	struct lc_validate_ctx vc = {(const char *const *)out->kinds.v,
				     out->kinds.n,
				     images,
				     out->catalog->n,
				     ci,
				     check_template};
	lc_validate(out->topo, &vc, &d);
	free(images);
	free(ci);
	int rc = lc_diags_to_err(&d, err);
	lc_diags_release(&d);
	if (rc < 0)
		lc_loaded_release(out);
	return rc;
}

void lc_loaded_release(struct lc_loaded *l)
{
	lc_topology_free(l->topo);
	lc_catalog_free(l->catalog);
	lc_strv_release(&l->kinds);
	memset(l, 0, sizeof(*l));
}

/* The hosts of a lab; see hosts.h. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "buf.h"
#include "fsutil.h"
#include "host-facts.h"
#include "hosts.h"
#include "sha256.h"
#include "uri.h"
#include "virt.h"

/*
 * Where labctl makes a pool on a remote host that has none: under libvirt's
 * own tree there, one directory per pool (libvirt refuses two pools of one
 * directory).
 */
#define REMOTE_POOL_DIR "/var/lib/libvirt/labctl"

static bool same_uri(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static size_t add_host(struct lc_hosts *hs, const char *name, const char *uri)
{
	hs->v = lc_realloc(hs->v, (hs->n + 1) * sizeof(*hs->v));
	struct lc_lab_host *h = &hs->v[hs->n];
	memset(h, 0, sizeof(*h));
	h->name = name ? lc_strdup(name) : NULL;
	h->uri = lc_strdup(uri);
	h->remote = lc_uri_remote(uri);
	lc_strv_init(&h->img_keys);
	lc_strv_init(&h->img_paths);
	return hs->n++;
}

/* The index of the host of that URI, connecting to it the first time. */
static int host_for(struct lc_hosts *hs, const char *name, const char *uri, size_t *idx,
		    struct lc_err *err)
{
	for (size_t k = 0; k < hs->n; k++)
		if (same_uri(hs->v[k].uri, uri)) {
			if (!hs->v[k].name && name)
				hs->v[k].name = lc_strdup(name);
			*idx = k;
			return 0;
		}
	struct lc_virt *v = lc_virt_open(uri, err);
	if (!v) {
		lc_err_prefix(err, "host %s: ", name ? name : uri);
		return -1;
	}
	*idx = add_host(hs, name, uri);
	hs->v[*idx].v = v;
	return 0;
}

static void open_first(const struct lc_opts *o, struct lc_virt *v0, struct lc_hosts *hs)
{
	memset(hs, 0, sizeof(*hs));
	add_host(hs, NULL, o->uri ? o->uri : lc_virt_uri(v0));
	hs->v[0].v = v0;
}

int lc_hosts_open(const struct lc_opts *o, struct lc_virt *v0, const struct lc_topology *t,
		  struct lc_hosts *hs, struct lc_err *err)
{
	open_first(o, v0, hs);
	for (size_t i = 0; i < t->n_hosts; i++)
		if (same_uri(t->hosts[i].uri.v, hs->v[0].uri) ||
		    same_uri(t->hosts[i].uri.v, lc_virt_uri(v0)))
			if (!hs->v[0].name)
				hs->v[0].name = lc_strdup(t->hosts[i].name.v);
	hs->n_nodes = t->n_nodes;
	hs->node_host = lc_calloc(t->n_nodes + 1, sizeof(size_t));
	for (size_t i = 0; i < t->n_nodes; i++) {
		const struct lc_node *n = &t->nodes[i];
		const struct lc_host *h = NULL;
		for (size_t k = 0; n->host.v && k < t->n_hosts && !h; k++)
			if (t->hosts[k].name.v && strcmp(t->hosts[k].name.v, n->host.v) == 0)
				h = &t->hosts[k];
		if (!h || same_uri(h->uri.v, lc_virt_uri(v0)))
			continue; /* -c's: index 0 */
		if (host_for(hs, h->name.v, h->uri.v, &hs->node_host[i], err) < 0) {
			lc_err_prefix(err, "node %s: ", n->name);
			lc_hosts_release(hs);
			return -1;
		}
	}
	return 0;
}

int lc_hosts_of_lab(const struct lc_opts *o, struct lc_virt *v0, const char *lab,
		    struct lc_hosts *hs, struct lc_err *err)
{
	open_first(o, v0, hs);
	struct lc_journal j;
	if (lc_journal_read(o->state_dir, lab, &j, err) < 0) {
		lc_hosts_release(hs);
		return -1;
	}
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < j.hosts.n; i++) {
		char *sp = strchr(j.hosts.v[i], ' ');
		if (!sp)
			continue;
		*sp = '\0';
		const char *name = strcmp(j.hosts.v[i], "-") == 0 ? NULL : j.hosts.v[i];
		size_t idx;
		if (same_uri(sp + 1, lc_virt_uri(v0))) {
			if (!hs->v[0].name && name)
				hs->v[0].name = lc_strdup(name);
			continue;
		}
		if ((rc = host_for(hs, name, sp + 1, &idx, err)) < 0)
			lc_err_prefix(err, "lab %s: ", lab);
	}
	lc_journal_release(&j);
	if (rc < 0)
		lc_hosts_release(hs);
	return rc;
}

void lc_hosts_release(struct lc_hosts *hs)
{
	for (size_t i = 0; i < hs->n; i++) {
		struct lc_lab_host *h = &hs->v[i];
		if (i > 0)
			lc_virt_close(h->v);
		free(h->name);
		free(h->uri);
		free(h->pool_dir);
		lc_strv_release(&h->img_keys);
		lc_strv_release(&h->img_paths);
	}
	free(hs->v);
	free(hs->node_host);
	memset(hs, 0, sizeof(*hs));
}

const char *lc_host_label(const struct lc_lab_host *h)
{
	return h->name ? h->name : h->uri;
}

struct lc_lab_host *lc_hosts_of_node(const struct lc_hosts *hs, size_t i)
{
	return &hs->v[hs->node_host && i < hs->n_nodes ? hs->node_host[i] : 0];
}

int lc_hosts_probe(const struct lc_opts *o, struct lc_hosts *hs, struct lc_err *err)
{
	for (size_t i = 0; i < hs->n; i++) {
		struct lc_lab_host *h = &hs->v[i];
		int rc = h->remote ? lc_host_facts_probe_remote(h->v, &h->facts, err)
				   : lc_host_facts_probe(o, h->v, &h->facts, err);
		if (rc < 0) {
			if (i)
				lc_err_prefix(err, "host %s: ", lc_host_label(h));
			return -1;
		}
	}
	return 0;
}

/* ---- images on a remote host ---- */

static int file_sha256(const char *path, char hex[65], unsigned long long *size, struct lc_err *err)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path,
				  strerror(errno));
	struct lc_sha256 *c = lc_sha256_new(err);
	if (!c) {
		fclose(f);
		return -1;
	}
	char *buf = lc_malloc(1 << 20);
	size_t got;
	*size = 0;
	while ((got = fread(buf, 1, 1 << 20, f)) > 0) {
		lc_sha256_update(c, buf, got);
		*size += got;
	}
	int rc = ferror(f) ? lc_err_set(err, LC_EXIT_RUNTIME, "cannot read '%s': %s", path,
					strerror(errno))
			   : 0;
	uint8_t d[LC_SHA256_LEN];
	if (rc == 0 && (rc = lc_sha256_final(c, d, err)) == 0)
		lc_sha256_hex(d, hex);
	free(buf);
	fclose(f);
	lc_sha256_free(c);
	return rc;
}

static int hash_sink(void *ctx, const char *buf, size_t n)
{
	lc_sha256_update(ctx, buf, n);
	return 0;
}

struct upload_progress {
	const struct lc_image_progress *p;
	const char *image, *part;
};

static void on_upload(void *ctx, unsigned long long done, unsigned long long total)
{
	struct upload_progress *u = ctx;
	u->p->fn(u->p->ctx, u->image, u->part, done, total);
}

/*
 * One part of an image on host h: the volume sha256-HEX of the pool, there
 * already (same size: an upload that broke is shorter and is made again)
 * or uploaded now and read back to check its sum.
 */
static int ensure_part(const struct lc_opts *o, struct lc_hosts *hs, struct lc_lab_host *h,
		       const char *pool, const struct lc_image *img, const char *part,
		       const struct lc_image_progress *progress, struct lc_err *err)
{
	char *key = lc_asprintf("%s/%s", img->name.v, part);
	if (lc_strv_has(&h->img_keys, key)) {
		free(key);
		return 0;
	}
	char *local = lc_image_cache_path(o->cache_dir, img, part);
	char hex[65];
	unsigned long long size = 0, there = 0;
	char *vol = NULL, *path = NULL;
	bool found = false;
	int rc = file_sha256(local, hex, &size, err);
	if (rc == 0) {
		vol = lc_asprintf("sha256-%s", hex);
		rc = lc_virt_volume_stat(h->v, pool, vol, &path, &there, &found, err);
	}
	if (rc == 0 && found && there != size) {
		free(path);
		path = NULL;
		found = false;
		rc = lc_virt_volume_delete(h->v, pool, vol, NULL, err);
	}
	if (rc == 0 && !found) {
		xmlDocPtr doc = lc_render_raw_volume(vol, size);
		char *xml = lc_xml_format(doc);
		xmlFreeDoc(doc);
		struct upload_progress up = {progress, img->name.v, part};
		rc = lc_virt_volume_upload_file(h->v, pool, vol, xml, local,
						progress ? on_upload : NULL, &up, err);
		free(xml);
		/* what arrived is what the cache holds, or it does not stay */
		struct lc_sha256 *c = rc == 0 ? lc_sha256_new(err) : NULL;
		bool got;
		if (rc == 0 && !c)
			rc = -1;
		if (rc == 0)
			rc = lc_virt_volume_download(h->v, pool, vol, hash_sink, c, &got, err);
		uint8_t d[LC_SHA256_LEN];
		char back[65] = "";
		if (rc == 0 && (rc = lc_sha256_final(c, d, err)) == 0)
			lc_sha256_hex(d, back);
		lc_sha256_free(c);
		if (rc == 0 && strcmp(back, hex) != 0) {
			lc_virt_volume_delete(h->v, pool, vol, NULL, NULL);
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"volume %s: its sha256 after the upload is %s", vol, back);
		}
		if (rc == 0)
			rc = lc_virt_volume_stat(h->v, pool, vol, &path, &there, &found, err);
		hs->n_uploaded += rc == 0;
	}
	if (rc == 0) {
		lc_strv_push(&h->img_keys, key);
		lc_strv_push(&h->img_paths, path);
	} else {
		lc_err_prefix(err, "host %s: image %s (%s): ", lc_host_label(h), img->name.v, part);
	}
	free(path);
	free(vol);
	free(local);
	free(key);
	return rc;
}

static const char *site_image_path(const void *ctx, const struct lc_image *img, const char *part)
{
	const struct lc_lab_host *h = ctx;
	char *key = lc_asprintf("%s/%s", img->name.v, part);
	size_t k = lc_strv_find(&h->img_keys, key);
	free(key);
	return k < h->img_keys.n ? h->img_paths.v[k] : NULL;
}

int lc_hosts_prepare(const struct lc_opts *o, struct lc_hosts *hs, const struct lc_loaded *l,
		     const struct lc_image_progress *progress, struct lc_err *err)
{
	const struct lc_topology *t = l->topo;
	const char *pool = t->storage_pool.v;
	for (size_t i = 0; i < hs->n; i++) {
		struct lc_lab_host *h = &hs->v[i];
		if (!h->remote)
			continue;
		char *dir = lc_asprintf("%s/%s", REMOTE_POOL_DIR, pool);
		xmlDocPtr doc = lc_render_pool(pool, dir);
		free(dir);
		char *xml = lc_xml_format(doc);
		xmlFreeDoc(doc);
		int rc = lc_virt_pool_ensure(h->v, pool, xml, err);
		free(xml);
		if (rc == 0)
			rc = lc_virt_pool_path(h->v, pool, &h->pool_dir, err);
		if (rc < 0) {
			lc_err_prefix(err, "host %s: ", lc_host_label(h));
			return -1;
		}
		h->site = (struct lc_render_site){h->pool_dir, site_image_path, h};
	}
	for (size_t i = 0; i < t->n_nodes; i++) {
		struct lc_lab_host *h = lc_hosts_of_node(hs, i);
		const struct lc_node *n = &t->nodes[i];
		const struct lc_image *img =
		    n->image.v ? lc_catalog_find(l->catalog, n->image.v) : NULL;
		if (!h->remote || !img)
			continue;
		static const char *const parts[] = {"kernel", "initrd", "disk"};
		const struct lc_source *src[] = {&img->kernel, &img->initrd, &img->disk};
		for (size_t k = 0; k < LC_ARRAY_SIZE(parts); k++)
			if (src[k]->url.v &&
			    ensure_part(o, hs, h, pool, img, parts[k], progress, err) < 0)
				return -1;
	}
	return 0;
}

struct lc_node_host *lc_hosts_node_hosts(const struct lc_hosts *hs)
{
	struct lc_node_host *pn = lc_calloc(hs->n_nodes + 1, sizeof(*pn));
	for (size_t i = 0; i < hs->n_nodes; i++) {
		const struct lc_lab_host *h = lc_hosts_of_node(hs, i);
		pn[i].facts = &h->facts;
		pn[i].site = h->remote ? &h->site : NULL;
	}
	return pn;
}

void lc_hosts_journal(const struct lc_hosts *hs, const struct lc_topology *t, struct lc_journal *j)
{
	for (size_t i = 0; i < hs->n_nodes; i++) {
		const struct lc_lab_host *h = lc_hosts_of_node(hs, i);
		lc_journal_add_host(j, h->name ? h->name : "-", h->uri);
		if (h->remote) {
			char *vol = lc_render_log_volume_name(t, &t->nodes[i]);
			lc_journal_add_volume(j, t->storage_pool.v, vol);
			free(vol);
		}
	}
}

static int buf_sink(void *ctx, const char *buf, size_t n)
{
	struct lc_buf *b = ctx;
	/* a console that floods is cut: up --wait looks for one line */
	if (b->len > (64u << 20))
		return 0;
	lc_buf_add(b, buf, n);
	return 0;
}

int lc_hosts_mirror_log(const struct lc_hosts *hs, const struct lc_topology *t, size_t i,
			const char *local_path, struct lc_err *err)
{
	const struct lc_lab_host *h = lc_hosts_of_node(hs, i);
	char *vol = lc_render_log_volume_name(t, &t->nodes[i]);
	struct lc_buf b = LC_BUF_INIT;
	bool found;
	int rc = lc_virt_volume_download(h->v, t->storage_pool.v, vol, buf_sink, &b, &found, err);
	if (rc == 0 && found)
		rc = lc_write_file(local_path, b.len ? lc_buf_str(&b) : "", b.len, err);
	lc_buf_release(&b);
	free(vol);
	return rc;
}

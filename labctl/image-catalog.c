/* Image catalog parsing; see image-catalog.h. */
#include <string.h>

#include "image-catalog.h"
#include "suggest.h"
#include "yaml-doc.h"

static const char *const fmt_names[] = {"qcow2", "raw", "kernel"};

const char *lc_image_format_name(enum lc_image_format f)
{
	return fmt_names[f];
}

static const char *const boot_names[] = {"", "kernel", "disk"};
static const char *const firmware_names[] = {"any", "bios", "uefi"};

const char *lc_image_firmware_name(enum lc_image_firmware f)
{
	return firmware_names[f];
}

bool lc_image_boots_kernel(const struct lc_image *img)
{
	if (img->boot == LC_BOOT_DEFAULT)
		return img->format == LC_IMG_KERNEL;
	return img->boot == LC_BOOT_KERNEL;
}

/* One of names[from..n) as its index; an error naming the choices otherwise. */
static size_t enum_of(struct lc_diags *d, const char *who, const char *key,
		      const struct lc_ynode *v, const char *const *names, size_t from, size_t n,
		      const char *choices)
{
	if (v->type == LC_Y_SCALAR && !lc_ynode_is_null(v))
		for (size_t i = from; i < n; i++)
			if (strcmp(v->scalar, names[i]) == 0)
				return i;
	lc_diag_add(d, v->at, "image \"%s\": \"%s\" must be %s%s%s%s", who, key, choices,
		    v->type == LC_Y_SCALAR ? ", not \"" : "",
		    v->type == LC_Y_SCALAR ? v->scalar : "", v->type == LC_Y_SCALAR ? "\"" : "");
	return 0;
}

/* A hypervisor is a word: lowercase letters, digits and '-' ("kvm", "xen", "esxi", "none"). */
static bool is_word(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '-'))
			return false;
	return true;
}

static void str_of(struct lc_diags *d, const char *who, const char *key, const struct lc_ynode *v,
		   struct lc_str *out)
{
	if (v->type != LC_Y_SCALAR || lc_ynode_is_null(v)) {
		lc_diag_add(d, v->at, "image \"%s\": \"%s\" must be a string", who, key);
		return;
	}
	lc_str_set(out, v->scalar, v->at);
}

/* YAML 1.1's spellings, as the topology takes them; a quoted "true" is a string */
static void bool_of(struct lc_diags *d, const char *who, const char *key, const struct lc_ynode *v,
		    bool *out)
{
	static const char *const yes[] = {"true", "True", "TRUE", "yes", "Yes", "on", "On"};
	static const char *const no[] = {"false", "False", "FALSE", "no", "No", "off", "Off"};
	for (size_t i = 0; v->type == LC_Y_SCALAR && v->plain && i < LC_ARRAY_SIZE(yes); i++) {
		if (strcmp(v->scalar, yes[i]) == 0 || strcmp(v->scalar, no[i]) == 0) {
			*out = strcmp(v->scalar, yes[i]) == 0;
			return;
		}
	}
	lc_diag_add(d, v->at, "image \"%s\": \"%s\" must be true or false%s%s%s", who, key,
		    v->type == LC_Y_SCALAR ? ", not \"" : "",
		    v->type == LC_Y_SCALAR ? v->scalar : "", v->type == LC_Y_SCALAR ? "\"" : "");
}

static bool is_hex(const char *s, size_t len)
{
	if (strlen(s) != len)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

/* A name becomes a file name in the cache: nothing that could leave it or hide there. */
static bool is_image_name(const char *s)
{
	if (!*s || *s == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

static bool is_remote(const char *url)
{
	return strncmp(url, "http://", 7) == 0 || strncmp(url, "https://", 8) == 0;
}

static void check_source(struct lc_diags *d, const char *who, const char *what,
			 const struct lc_source *s, struct lc_mark at)
{
	if (!s->url.v) {
		lc_diag_add(d, at, "image \"%s\": missing %s \"url\"", who, what);
		return;
	}
	/* nothing to fetch would be "pulled" as an empty file */
	if (!*s->url.v || strcmp(s->url.v, "file://") == 0) {
		lc_diag_add(d, s->url.at, "image \"%s\": \"url\" must not be empty", who);
		return;
	}
	if (strstr(s->url.v, "://") && !is_remote(s->url.v) && strncmp(s->url.v, "file://", 7) != 0)
		lc_diag_add(d, s->url.at,
			    "image \"%s\": unsupported URL \"%s\" (http, https or file)", who,
			    s->url.v);
	if (s->sha256.v && !is_hex(s->sha256.v, 64))
		lc_diag_add(d, s->sha256.at,
			    "image \"%s\": \"sha256\" must be 64 lowercase hex digits", who);
	if (s->sha512.v && !is_hex(s->sha512.v, 128))
		lc_diag_add(d, s->sha512.at,
			    "image \"%s\": \"sha512\" must be 128 lowercase hex digits", who);
	/* a download from the network is trusted only through its sum */
	if (!s->sha256.v && !s->sha512.v && is_remote(s->url.v))
		lc_diag_add(d, s->url.at,
			    "image \"%s\": a %s from http(s) needs \"sha256\" or \"sha512\"", who,
			    what);
}

static void read_source(struct lc_diags *d, const char *who, const char *key,
			const struct lc_ynode *v, struct lc_source *s)
{
	if (v->type != LC_Y_MAP) {
		lc_diag_add(d, v->at, "image \"%s\": \"%s\" must be a mapping of url and sha256",
			    who, key);
		return;
	}
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct lc_ynode *k = v->kv[i], *e = v->kv[i + 1];
		if (k->type != LC_Y_SCALAR)
			continue;
		if (strcmp(k->scalar, "url") == 0)
			str_of(d, who, "url", e, &s->url);
		else if (strcmp(k->scalar, "sha256") == 0)
			str_of(d, who, "sha256", e, &s->sha256);
		else if (strcmp(k->scalar, "sha512") == 0)
			str_of(d, who, "sha512", e, &s->sha512);
		else
			lc_diag_add(d, k->at, "image \"%s\": unknown key \"%s\" in \"%s\"", who,
				    k->scalar, key);
	}
	check_source(d, who, key, s, v->at);
}

static void read_image(struct lc_diags *d, const struct lc_ynode *k, const struct lc_ynode *v,
		       struct lc_image *img)
{
	static const char *const keys[] = {
	    "url",     "sha256", "sha512",     "format", "kernel",   "initrd",	   "disk",
	    "cmdline", "ready",	 "cloud_init", "boot",	 "firmware", "hypervisor", "guest_agent"};
	const char *who = k->scalar;
	lc_str_set(&img->name, who, k->at);
	if (!is_image_name(who))
		lc_diag_add(d, k->at,
			    "image \"%s\": a name is letters, digits, '-', '_' and '.', and does "
			    "not start with '.'",
			    who);
	if (v->type != LC_Y_MAP) {
		lc_diag_add(d, v->at, "image \"%s\": must be a mapping", who);
		return;
	}
	struct lc_str fmt = {0};
	for (size_t i = 0; i + 1 < v->n; i += 2) {
		const struct lc_ynode *kk = v->kv[i], *e = v->kv[i + 1];
		if (kk->type != LC_Y_SCALAR)
			continue;
		const char *key = kk->scalar;
		if (strcmp(key, "url") == 0)
			str_of(d, who, key, e, &img->disk.url);
		else if (strcmp(key, "sha256") == 0)
			str_of(d, who, key, e, &img->disk.sha256);
		else if (strcmp(key, "sha512") == 0)
			str_of(d, who, key, e, &img->disk.sha512);
		else if (strcmp(key, "format") == 0)
			str_of(d, who, key, e, &fmt);
		else if (strcmp(key, "kernel") == 0)
			read_source(d, who, key, e, &img->kernel);
		else if (strcmp(key, "initrd") == 0)
			read_source(d, who, key, e, &img->initrd);
		else if (strcmp(key, "disk") == 0)
			read_source(d, who, key, e, &img->disk);
		else if (strcmp(key, "cmdline") == 0)
			str_of(d, who, key, e, &img->cmdline);
		else if (strcmp(key, "ready") == 0)
			str_of(d, who, key, e, &img->ready);
		else if (strcmp(key, "cloud_init") == 0)
			bool_of(d, who, key, e, &img->cloud_init);
		else if (strcmp(key, "guest_agent") == 0)
			bool_of(d, who, key, e, &img->guest_agent);
		else if (strcmp(key, "boot") == 0)
			img->boot = (enum lc_image_boot)enum_of(d, who, key, e, boot_names, 1,
								LC_ARRAY_SIZE(boot_names),
								"kernel or disk");
		else if (strcmp(key, "firmware") == 0)
			img->firmware = (enum lc_image_firmware)enum_of(
			    d, who, key, e, firmware_names, 0, LC_ARRAY_SIZE(firmware_names),
			    "bios, uefi or any");
		else if (strcmp(key, "hypervisor") == 0) {
			str_of(d, who, key, e, &img->hypervisor);
			if (img->hypervisor.v && !is_word(img->hypervisor.v))
				lc_diag_add(
				    d, e->at,
				    "image \"%s\": \"hypervisor\" is one word of lowercase "
				    "letters, digits and '-' (kvm, xen, hyperv, esxi, none)",
				    who);
		} else {
			const char *s = lc_suggest(key, keys, LC_ARRAY_SIZE(keys));
			lc_diag_add(d, kk->at, "image \"%s\": unknown key \"%s\"%s%s%s", who, key,
				    s ? " (did you mean \"" : "", s ? s : "", s ? "\"?)" : "");
		}
	}
	size_t f = 0;
	if (fmt.v) {
		for (f = 0; f < LC_ARRAY_SIZE(fmt_names); f++)
			if (strcmp(fmt.v, fmt_names[f]) == 0)
				break;
		if (f == LC_ARRAY_SIZE(fmt_names)) {
			lc_diag_add(d, fmt.at,
				    "image \"%s\": \"format\" must be qcow2, raw or kernel", who);
			f = 0;
		}
	}
	img->format = (enum lc_image_format)f;
	if (img->format == LC_IMG_KERNEL) {
		if (!img->kernel.url.v)
			lc_diag_add(d, v->at, "image \"%s\": format kernel needs \"kernel\"", who);
		if (img->disk.url.v && !lc_ymap_get(v, "disk", NULL))
			lc_diag_add(d, img->disk.url.at,
				    "image \"%s\": format kernel takes \"kernel\", \"initrd\" and "
				    "\"disk\", not \"url\"",
				    who);
	} else {
		check_source(d, who, "image", &img->disk, v->at);
	}
	/* direct kernel boot needs a kernel to boot */
	if (img->boot == LC_BOOT_KERNEL && img->format != LC_IMG_KERNEL)
		lc_diag_add(d, lc_ymap_get(v, "boot", NULL)->at,
			    "image \"%s\": \"boot: kernel\" needs format kernel; a %s image "
			    "boots from its disk",
			    who, fmt_names[img->format]);
	/* booting the disk of a format kernel image needs that disk */
	if (img->boot == LC_BOOT_DISK && img->format == LC_IMG_KERNEL && !img->disk.url.v)
		lc_diag_add(d, lc_ymap_get(v, "boot", NULL)->at,
			    "image \"%s\": \"boot: disk\" with format kernel needs \"disk\"", who);
	lc_str_release(&fmt);
}

struct lc_catalog *lc_catalog_parse(const char *file, const char *data, size_t len,
				    struct lc_diags *diags)
{
	struct lc_catalog *c = lc_calloc(1, sizeof(*c));
	c->file = lc_strdup(file);
	const char *slash = strrchr(file, '/');
	char *dir = slash ? lc_strndup(file, (size_t)(slash - file)) : lc_strdup(".");
	/* relative URLs become absolute paths: they are used from other directories */
	char *abs = realpath(dir, NULL);
	c->dir = abs ? lc_strdup(abs) : lc_strdup(dir);
	free(abs);
	free(dir);
	struct lc_ydoc *doc = lc_ydoc_parse(c->file, data, len, diags);
	if (!doc)
		return c;
	const struct lc_ynode *imgs = lc_ymap_get(doc->root, "images", NULL);
	if (!doc->root || doc->root->type != LC_Y_MAP || !imgs) {
		lc_diag_add(diags, (struct lc_mark){c->file, 1, 1},
			    "catalog: expected a mapping with the key \"images\"");
	} else if (imgs->type == LC_Y_MAP) {
		for (size_t i = 0; i + 1 < imgs->n; i += 2) {
			if (imgs->kv[i]->type != LC_Y_SCALAR)
				continue;
			LC_GROW(c->images, c->cap, c->n + 1);
			struct lc_image *img = &c->images[c->n++];
			memset(img, 0, sizeof(*img));
			read_image(diags, imgs->kv[i], imgs->kv[i + 1], img);
		}
	} else if (!lc_ynode_is_null(imgs)) {
		lc_diag_add(diags, imgs->at, "catalog: \"images\" must be a mapping");
	}
	lc_ydoc_free(doc);
	return c;
}

static void source_release(struct lc_source *s)
{
	lc_str_release(&s->url);
	lc_str_release(&s->sha256);
	lc_str_release(&s->sha512);
}

static void image_release(struct lc_image *img)
{
	lc_str_release(&img->name);
	source_release(&img->disk);
	source_release(&img->kernel);
	source_release(&img->initrd);
	lc_str_release(&img->cmdline);
	lc_str_release(&img->ready);
	lc_str_release(&img->hypervisor);
}

void lc_catalog_free(struct lc_catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		image_release(&c->images[i]);
	free(c->images);
	free(c->file);
	free(c->dir);
	free(c);
}

static void source_copy(struct lc_source *d, const struct lc_source *s, const char *dir)
{
	/* a relative path keeps meaning what its own catalog meant */
	if (s->url.v && !strstr(s->url.v, "://") && s->url.v[0] != '/') {
		char *abs = lc_asprintf("%s/%s", dir, s->url.v);
		lc_str_set(&d->url, abs, s->url.at);
		free(abs);
	} else if (s->url.v) {
		lc_str_set(&d->url, s->url.v, s->url.at);
	}
	if (s->sha256.v)
		lc_str_set(&d->sha256, s->sha256.v, s->sha256.at);
	if (s->sha512.v)
		lc_str_set(&d->sha512, s->sha512.v, s->sha512.at);
}

void lc_catalog_merge(struct lc_catalog *dst, const struct lc_catalog *src)
{
	for (size_t i = 0; i < src->n; i++) {
		const struct lc_image *s = &src->images[i];
		struct lc_image *d = (struct lc_image *)lc_catalog_find(dst, s->name.v);
		if (d) {
			image_release(d);
		} else {
			LC_GROW(dst->images, dst->cap, dst->n + 1);
			d = &dst->images[dst->n++];
		}
		memset(d, 0, sizeof(*d));
		lc_str_set(&d->name, s->name.v, s->name.at);
		d->format = s->format;
		d->cloud_init = s->cloud_init;
		d->guest_agent = s->guest_agent;
		d->boot = s->boot;
		d->firmware = s->firmware;
		source_copy(&d->disk, &s->disk, src->dir);
		source_copy(&d->kernel, &s->kernel, src->dir);
		source_copy(&d->initrd, &s->initrd, src->dir);
		if (s->cmdline.v)
			lc_str_set(&d->cmdline, s->cmdline.v, s->cmdline.at);
		if (s->ready.v)
			lc_str_set(&d->ready, s->ready.v, s->ready.at);
		if (s->hypervisor.v)
			lc_str_set(&d->hypervisor, s->hypervisor.v, s->hypervisor.at);
	}
}

const struct lc_image *lc_catalog_find(const struct lc_catalog *c, const char *name)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (c->images[i].name.v && strcmp(c->images[i].name.v, name) == 0)
			return &c->images[i];
	return NULL;
}

char *lc_image_cache_path(const char *cache_dir, const struct lc_image *img, const char *part)
{
	if (strcmp(part, "disk") == 0)
		return lc_asprintf("%s/%s.%s", cache_dir, img->name.v,
				   img->format == LC_IMG_RAW ? "raw" : "qcow2");
	return lc_asprintf("%s/%s.%s", cache_dir, img->name.v, part);
}

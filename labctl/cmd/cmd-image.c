/* labctl image pull|ls|rm [NAME]: the image cache (README.md, "Images"). */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd.h"
#include "image-cache.h"
#include "interrupt.h"
#include "load.h"
#include "json-writer.h"

struct bar_state {
	struct timespec last; /* of the last redraw */
	uint64_t last_done;
	const char *last_part;
};

/* A progress bar on a terminal, redrawn at most ten times a second, and once at the end. */
static void bar(void *ctx, const char *image, const char *part, uint64_t done, uint64_t total)
{
	struct bar_state *b = ctx;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	double dt =
	    (double)(now.tv_sec - b->last.tv_sec) + (double)(now.tv_nsec - b->last.tv_nsec) / 1e9;
	/* libcurl reports the same finished (or not yet started) count many times */
	bool news = part != b->last_part || done != b->last_done;
	bool finished = total && done == total;
	if (!news || (dt < 0.1 && !finished))
		return;
	b->last = now;
	b->last_done = done;
	b->last_part = part;
	if (total)
		fprintf(stderr, "\r%s %-6s %3d%% %8.1f / %.1f MiB", image, part,
			(int)(done * 100 / total), (double)done / 1048576, (double)total / 1048576);
	else
		fprintf(stderr, "\r%s %-6s %8.1f MiB", image, part, (double)done / 1048576);
}

static const struct lc_image *find(const struct lc_catalog *c, const char *name, struct lc_err *err)
{
	const struct lc_image *img = lc_catalog_find(c, name);
	if (!img)
		lc_err_set(err, LC_EXIT_USAGE, "no image named '%s' in the catalog", name);
	return img;
}

static int pull(struct lc_session *s, const struct lc_catalog *c, const char *name,
		struct lc_err *err)
{
	const struct lc_image *img = find(c, name, err);
	if (!img)
		return -1;
	struct bar_state bs = {{0, 0}, 0, NULL};
	struct lc_image_progress p = {bar, &bs};
	/* labctl.1: progress only when stdout is a terminal; drawn on stderr, so it too */
	bool tty = isatty(STDOUT_FILENO) && isatty(STDERR_FILENO) && s->opts.verbosity >= 0;
	size_t fetched;
	int rc = lc_image_ensure(s->opts.cache_dir, img, tty ? &p : NULL, &fetched, err);
	if (tty)
		fputs("\r\033[K", stderr);
	bool sums = lc_image_sums_known(img);
	/* a publisher with only SHA512SUMS: say which sum the parts were checked against */
	const struct lc_source *parts[] = {&img->disk, &img->kernel, &img->initrd};
	bool by512 = false;
	for (size_t i = 0; i < LC_ARRAY_SIZE(parts); i++)
		by512 |= parts[i]->url.v && !parts[i]->sha256.v && parts[i]->sha512.v;
	if (rc == 0 && s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_string(&jw, "image", name);
		lc_jw_object_uint(&jw, "fetched", fetched);
		lc_jw_object_bool(&jw, "verified", sums);
		lc_jw_end(&jw);
		printf("%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	} else if (rc == 0 && s->opts.verbosity >= 0)
		printf("%s: %s\n", name,
		       !fetched	       ? "already cached"
		       : sums && by512 ? "pulled, sha512 verified"
		       : sums	       ? "pulled, sha256 verified"
				       : "pulled (no sha256 is known for some parts)");
	return rc;
}

static void ls(struct lc_session *s, const struct lc_catalog *c)
{
	struct lc_buf b = LC_BUF_INIT;
	struct lc_jw jw = LC_JW_INIT;
	if (s->opts.json) {
		lc_jw_object_begin(&jw);
		lc_jw_object_inline_begin_array(&jw, "images");
	} else {
		lc_buf_addf(&b, "%-16s %-7s %-7s %12s  %s\n", "NAME", "FORMAT", "CACHED", "SIZE",
			    "PATH");
	}
	for (size_t i = 0; i < c->n; i++) {
		const struct lc_image *img = &c->images[i];
		struct lc_image_state st;
		lc_image_state(s->opts.cache_dir, img, &st);
		if (s->opts.json) {
			lc_jw_array_inline_begin_object(&jw);
			lc_jw_object_string(&jw, "name", img->name.v);
			lc_jw_object_string(&jw, "format", lc_image_format_name(img->format));
			lc_jw_object_bool(&jw, "cached", st.cached);
			lc_jw_object_string(&jw, "path", st.path);
			lc_jw_object_uint(&jw, "size", st.size);
			lc_jw_end(&jw);
		} else {
			lc_buf_addf(&b, "%-16s %-7s %-7s %12llu  %s\n", img->name.v,
				    lc_image_format_name(img->format), st.cached ? "yes" : "no",
				    (unsigned long long)st.size, st.path ? st.path : "-");
		}
		free(st.path);
	}
	if (s->opts.json) {
		lc_jw_end(&jw);
		lc_jw_end(&jw);
		lc_buf_addf(&b, "%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	}
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
}

/* The catalog alone (no topology): the installed one and STATE/catalog.yaml. */
static int cmd_image(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	const char *verb = argc >= 2 ? argv[1] : "";
	bool named = strcmp(verb, "pull") == 0 || strcmp(verb, "rm") == 0;
	if (!(named && argc == 3) && !(strcmp(verb, "ls") == 0 && argc == 2))
		return lc_cmd_usage(&lc_cmd_image_entry, err);
	struct lc_catalog *c = lc_load_catalog(&s->opts, err);
	if (!c)
		return -1;
	int rc = 0;
	if (strcmp(verb, "ls") == 0) {
		lc_interrupt_set_immediate(true); /* changes nothing */
		ls(s, c);
	} else if (strcmp(verb, "pull") == 0) {
		rc = pull(s, c, argv[2], err);
	} else {
		const struct lc_image *img = find(c, argv[2], err);
		size_t removed = 0;
		rc = img ? lc_image_remove(s->opts.cache_dir, img, &removed, err) : -1;
		if (rc == 0 && s->opts.json) {
			struct lc_jw jw = LC_JW_INIT;
			lc_jw_object_begin(&jw);
			lc_jw_object_string(&jw, "image", argv[2]);
			lc_jw_object_uint(&jw, "removed", removed);
			lc_jw_end(&jw);
			printf("%s\n", lc_jw_str(&jw));
			lc_jw_release(&jw);
		} else if (rc == 0 && s->opts.verbosity >= 0)
			printf("%s: %zu file%s removed\n", argv[2], removed,
			       removed == 1 ? "" : "s");
	}
	lc_catalog_free(c);
	return rc;
}

const struct lc_cmd_entry lc_cmd_image_entry = {
    .name = "image",
    .usage = "pull NAME | ls | rm NAME",
    .summary = "the image cache: fetch and verify, list, remove",
    .flags = LC_CMD_JSON,
    .exec = cmd_image,
};

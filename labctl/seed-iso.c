/*
 * The seed's ISO 9660 volume through libisofs, in memory: the only file
 * that includes libisofs. libisofs writes an image on a thread of its own
 * and hands it out as a burn_source, read here to the end.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sys/types.h>

/* labctl reads the image itself: libisofs then declares struct burn_source */
#define LIBISOFS_WITHOUT_LIBBURN 1
#include <libisofs.h>

#include "buf.h"
#include "seed.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int init_rc;

static void init(void)
{
	init_rc = iso_init();
	/* libisofs prints its messages itself unless told not to */
	iso_set_msgs_severities("NEVER", "NEVER", "labctl");
}

int lc_iso_build(const char *label, const struct lc_iso_file *files, size_t n, time_t when,
		 unsigned char **out, size_t *len, struct lc_err *err)
{
	*out = NULL;
	*len = 0;
	pthread_once(&once, init);
	if (init_rc < 0)
		return lc_err_set(err, LC_EXIT_RUNTIME, "libisofs: cannot initialize (%d)",
				  init_rc);
	IsoImage *img = NULL;
	IsoWriteOpts *opts = NULL;
	struct burn_source *src = NULL;
	int rc = iso_image_new(label, &img);
	if (rc >= 0) {
		iso_image_set_volume_id(img, label);
		IsoDir *root = iso_image_get_root(img);
		for (size_t i = 0; rc >= 0 && i < n; i++) {
			/* the stream takes a malloc'd buffer of its own and frees it */
			unsigned char *copy = lc_malloc(files[i].len ? files[i].len : 1);
			memcpy(copy, files[i].data, files[i].len);
			IsoStream *st = NULL;
			rc = iso_memory_stream_new(copy, files[i].len, &st);
			if (rc < 0) {
				free(copy);
				break;
			}
			IsoFile *f = NULL;
			/* the new file takes the stream's reference */
			rc = iso_tree_add_new_file(root, files[i].name, st, &f);
			if (rc < 0)
				iso_stream_unref(st);
			else
				iso_node_set_permissions((IsoNode *)f, 0444);
		}
	}
	if (rc >= 0)
		rc = iso_write_opts_new(&opts, 0);
	if (rc >= 0) {
		iso_write_opts_set_rockridge(opts, 1);
		iso_write_opts_set_joliet(opts, 1);
		/* keep the label lowercase, as cloud-localds and genisoimage -V write it */
		iso_write_opts_set_relaxed_vol_atts(opts, 1);
		/* the same files on the same day give the same bytes */
		iso_write_opts_set_replace_timestamps(opts, 1);
		iso_write_opts_set_default_timestamp(opts, when);
		iso_write_opts_set_always_gmt(opts, 1);
		/* the volume's own date, as ISO 9660 writes it; the epoch if the clock is absurd */
		char uuid[17] = "1970010100000000";
		struct tm tm;
		if (gmtime_r(&when, &tm) && tm.tm_year + 1900 >= 1970 && tm.tm_year + 1900 <= 9999)
			strftime(uuid, sizeof(uuid), "%Y%m%d%H%M%S00", &tm);
		iso_write_opts_set_pvd_times(opts, when, when, 0, when, uuid);
		rc = iso_image_create_burn_source(img, opts, &src);
	}
	struct lc_buf b = LC_BUF_INIT;
	if (rc >= 0) {
		unsigned char block[2048];
		int got;
		while ((got = src->read_xt ? src->read_xt(src, block, sizeof(block))
					   : src->read(src, block, sizeof(block))) > 0)
			lc_buf_add(&b, (const char *)block, (size_t)got);
		if (got < 0)
			rc = got;
		src->free_data(src);
		free(src);
	}
	if (opts)
		iso_write_opts_free(opts);
	if (img)
		iso_image_unref(img);
	if (rc < 0) {
		lc_buf_release(&b);
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot build the ISO volume '%s': %s",
				  label, iso_error_to_msg(rc));
	}
	*len = b.len;
	*out = (unsigned char *)lc_buf_detach(&b);
	return 0;
}

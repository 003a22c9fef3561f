/* Resumable, verified downloads through libcurl; see image-fetch.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "image-fetch.h"
#include "fsutil.h"
#include "interrupt.h"
#include "sha256.h"
#include "image-sink.h"

struct xfer {
	struct lc_sink *sink; /* .part: hashes and writes what arrives */
	uint64_t start;	      /* the offset this attempt asked for */
	bool checked;	      /* the response's status was looked at */
	bool write_failed;
	int write_errno;
	CURL *curl;
	const struct lc_fetch_opts *fo;
	struct lc_fetch_stats *st;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct xfer *x = arg;
	size_t n = size * nmemb;
	if (!x->checked) {
		long code = 0;
		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &code);
		x->checked = true;
		/* a 200 to a Range request is the whole file again */
		if (x->start > 0 && code == 200) {
			int e = lc_sink_reset(x->sink);
			if (e) {
				x->write_failed = true;
				x->write_errno = e;
				return 0;
			}
		}
	}
	int e = lc_sink_write(x->sink, data, n);
	if (e) {
		x->write_failed = true;
		x->write_errno = e;
		return 0;
	}
	x->st->bytes += n;
	return n;
}

static int on_progress(void *arg, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ut,
		       curl_off_t un)
{
	(void)ut;
	(void)un;
	struct xfer *x = arg;
	if (x->fo->progress)
		x->fo->progress(x->fo->ctx, x->start + (uint64_t)dlnow,
				dltotal ? x->start + (uint64_t)dltotal : 0);
	/* non-zero aborts the transfer; .part stays for the next run to resume */
	return lc_interrupted() != 0;
}

static bool transient(CURLcode rc, long code)
{
	switch (rc) {
	case CURLE_PARTIAL_FILE:
	case CURLE_RECV_ERROR:
	case CURLE_SEND_ERROR:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_GOT_NOTHING:
	case CURLE_COULDNT_CONNECT:
		return true;
	case CURLE_HTTP_RETURNED_ERROR:
		return code >= 500;
	default:
		return false;
	}
}

static void backoff(int attempt)
{
	/* 0.2 s, 0.4 s, 0.8 s, ... capped at 5 s */
	long ms = 200L << (attempt < 5 ? attempt : 5);
	if (ms > 5000)
		ms = 5000;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static int transfer(const char *url, const char *part, struct xfer *x, struct lc_err *err)
{
	char errbuf[CURL_ERROR_SIZE] = "";
	int attempts = 1 + (x->fo->retries > 0 ? x->fo->retries : 0);
	for (int a = 0; a < attempts; a++) {
		x->st->attempts++;
		CURL *c = curl_easy_init();
		if (!c)
			return lc_err_set(err, LC_EXIT_RUNTIME, "cannot start libcurl");
		x->curl = c;
		x->start = lc_sink_size(x->sink);
		x->checked = x->write_failed = false;
		if (x->start && !x->st->resumed_from)
			x->st->resumed_from = x->start;
		curl_easy_setopt(c, CURLOPT_URL, url);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
		curl_easy_setopt(c, CURLOPT_WRITEDATA, x);
		/*
		 * A Range header rather than CURLOPT_RESUME_FROM, which fails the
		 * transfer when a server answers 200: on_data starts over instead.
		 */
		char range[32];
		snprintf(range, sizeof(range), "%llu-", (unsigned long long)x->start);
		curl_easy_setopt(c, CURLOPT_RANGE, x->start ? range : NULL);
		curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
		curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
		curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
		curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
		curl_easy_setopt(c, CURLOPT_USERAGENT, "labctl");
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
		/* a stalled transfer is a broken one: resume it */
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
		curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L); /* the callback also sees signals */
		curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(c, CURLOPT_XFERINFODATA, x);
		curl_easy_setopt(c, CURLOPT_BUFFERSIZE, 512L * 1024);
		CURLcode rc = curl_easy_perform(c);
		long code = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
		curl_easy_cleanup(c);
		if (x->write_failed)
			return lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s': %s", part,
					  strerror(x->write_errno));
		if (rc == CURLE_OK)
			return 0;
		/* asked for bytes past the end: what we have is the whole file */
		if (code == 416 && lc_sink_size(x->sink) > 0)
			return 0;
		if (rc == CURLE_ABORTED_BY_CALLBACK)
			return lc_err_set(err, LC_EXIT_RUNTIME,
					  "download of %s interrupted; '%s' is kept to resume", url,
					  part);
		if (!transient(rc, code) || a + 1 == attempts) {
			if (code >= 400)
				return lc_err_set(err, LC_EXIT_RUNTIME,
						  "cannot download %s: HTTP %ld", url, code);
			return lc_err_set(err, LC_EXIT_RUNTIME, "cannot download %s: %s", url,
					  errbuf[0] ? errbuf : curl_easy_strerror(rc));
		}
		backoff(a);
	}
	return -1;
}

/* DEST.sha256: "SUM SIZE MTIME ORIGIN\n", ORIGIN "-" when there is none. */
static char *record_stat(const struct stat *st)
{
	return lc_asprintf(" %llu %lld.%09ld ", (unsigned long long)st->st_size,
			   (long long)st->st_mtim.tv_sec, (long)st->st_mtim.tv_nsec);
}

static int write_record(const char *dest, const char *hex, const struct stat *st,
			const char *origin, struct lc_err *err)
{
	char *rec = lc_asprintf("%s.sha256", dest), *mid = record_stat(st);
	char *line = lc_asprintf("%s%s%s\n", hex, mid, origin ? origin : "-");
	int rc = lc_write_file(rec, line, strlen(line), err);
	free(line);
	free(mid);
	free(rec);
	return rc;
}

bool lc_fetch_cached(const char *dest, const char *sha256, const char *origin)
{
	struct stat st;
	if (stat(dest, &st) < 0 || !S_ISREG(st.st_mode))
		return false;
	char *rec = lc_asprintf("%s.sha256", dest), *data = NULL, *mid = record_stat(&st);
	size_t len = 0, ml = strlen(mid);
	struct lc_err e = LC_ERR_INIT;
	bool ok = lc_read_file(rec, &data, &len, &e) == 0 && len > 64 + ml &&
		  strspn(data, "0123456789abcdef") == 64 && strncmp(data + 64, mid, ml) == 0 &&
		  data[len - 1] == '\n' && (!sha256 || strncmp(data, sha256, 64) == 0);
	/* without an origin to compare (a local source gone), the copy stands */
	if (ok && origin) {
		data[len - 1] = '\0';
		ok = strcmp(data + 64 + ml, origin) == 0;
	}
	lc_err_release(&e);
	free(data);
	free(mid);
	free(rec);
	return ok;
}

/*
 * DEST without a matching record but with the expected sum (a run stopped
 * between the rename and the record, or a cache older than records): record
 * it rather than download it again. False when it does not match.
 */
/* A whole download checked against the catalog's sha512; refused ones are removed. */
static bool sha512_refused(const char *part, const char *url, const char *want, struct lc_err *err)
{
	char hex[LC_SHA512_HEX];
	if (lc_file_sha512_hex(part, hex, err) < 0)
		return true;
	if (strcmp(hex, want) == 0)
		return false;
	unlink(part);
	lc_err_set(err, LC_EXIT_RUNTIME, "%s: sha512 %s, but the catalog expects %s: refused", url,
		   hex, want);
	return true;
}

static bool adopt(const char *dest, const char *sha256)
{
	int fd = open(dest, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0)
		return false;
	/* a hash that cannot start or finish adopts nothing: the download reports it */
	struct lc_err herr = LC_ERR_INIT;
	struct lc_sha256 *h = lc_sha256_new(&herr);
	bool ok = h && fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	size_t bufsz = 1u << 20;
	uint8_t *buf = ok ? lc_malloc(bufsz) : NULL;
	for (ssize_t r; ok && (r = read(fd, buf, bufsz)) != 0;) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			ok = false;
		else
			lc_sha256_update(h, buf, (size_t)r);
	}
	free(buf);
	close(fd);
	uint8_t d[LC_SHA256_LEN];
	char hex[65];
	ok = ok && lc_sha256_final(h, d, &herr) == 0;
	lc_sha256_free(h);
	if (ok)
		lc_sha256_hex(d, hex);
	/* a record that cannot be written is the download's to report, too */
	ok = ok && strcmp(hex, sha256) == 0 && write_record(dest, hex, &st, NULL, &herr) == 0;
	lc_err_release(&herr);
	return ok;
}

int lc_fetch(const char *url, const char *dest, const struct lc_fetch_opts *fo,
	     struct lc_fetch_stats *st, struct lc_err *err)
{
	memset(st, 0, sizeof(*st));
	static bool curl_ready;
	if (!curl_ready) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		curl_ready = true;
	}
	char *lock = lc_asprintf("%s.lock", dest), *part = lc_asprintf("%s.part", dest);
	char *rec = lc_asprintf("%s.sha256", dest);
	int rc = 0, lfd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (lfd < 0 || flock(lfd, LOCK_EX) < 0) {
		rc =
		    lc_err_set(err, LC_EXIT_RUNTIME, "cannot lock '%s': %s", lock, strerror(errno));
		goto out;
	}
	/* another run finished it while we waited */
	if (lc_fetch_cached(dest, fo->sha256, fo->origin) ||
	    (fo->sha256 && lc_file_exists(dest) && adopt(dest, fo->sha256))) {
		st->already = true;
		goto out;
	}
	struct xfer x = {.fo = fo, .st = st};
	x.sink = lc_sink_open(part, true, err);
	if (!x.sink) {
		rc = -1;
		goto out;
	}
	dev_t dev;
	ino_t ino;
	lc_sink_ident(x.sink, &dev, &ino);
	rc = transfer(url, part, &x, err);
	uint8_t d[32];
	struct lc_err cerr = LC_ERR_INIT;
	if (lc_sink_close(x.sink, rc == 0, d, &cerr) < 0 && rc == 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "%s", cerr.msg);
	lc_err_release(&cerr);
	/* a failed transfer's .part keeps what arrived, for the next run to resume */
	if (rc < 0)
		goto out;
	char hex[65];
	lc_sha256_hex(d, hex);
	struct stat ps;
	if (stat(part, &ps) < 0 || ps.st_dev != dev || ps.st_ino != ino) {
		/* what the path holds now is not what was hashed: neither use nor delete it */
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"'%s' was removed or replaced during the download: not used", part);
	} else if (fo->sha256 && strcmp(fo->sha256, hex) != 0) {
		/* a corrupt or substituted file is never kept, not even to resume */
		unlink(part);
		rc = lc_err_set(err, LC_EXIT_RUNTIME,
				"%s: sha256 %s, but the catalog expects %s: refused", url, hex,
				fo->sha256);
	} else if (fo->sha512 && sha512_refused(part, url, fo->sha512, err)) {
		rc = -1;
	} else if (unlink(rec) < 0 && errno != ENOENT) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", rec,
				strerror(errno));
	} else if (rename(part, dest) < 0) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot rename '%s': %s", part,
				strerror(errno));
	} else {
		/* the rename kept the inode, so ps describes dest */
		rc = write_record(dest, hex, &ps, fo->origin, err);
	}
out:
	/* the lock file stays: unlinking it would let a third run lock a new one */
	if (lfd >= 0)
		close(lfd);
	free(rec);
	free(lock);
	free(part);
	return rc;
}

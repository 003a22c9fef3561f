/* The hashing file writer; see image-sink.h. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sha256.h"
#include "image-sink.h"

/* O_DIRECT wants buffer, offset and length aligned to the logical block size. */
#define ALIGN 4096u
/* Large writes amortise the per-call cost; eight slabs let the receiver fill
 * one while the hasher hashes the next and the writer writes the one
 * before: a durable file then costs the slowest of the three, not their sum. */
#define SLAB   (4u << 20)
#define NSLABS 8

struct slab {
	uint8_t *buf;
	size_t len;
	uint64_t off; /* of buf[0] in the file */
	bool full;    /* handed to the hasher and the writer */
	bool hashed;  /* the hasher is done with it: the writer may take it */
};

struct lc_sink {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	bool direct;
	struct lc_sha256 *sha; /* the hasher's while slabs are in flight */
	struct slab slabs[NSLABS];
	size_t fill;  /* the slab the caller fills */
	size_t next;  /* the slab the writer takes next */
	size_t hnext; /* the slab the hasher takes next */
	uint64_t size;
	int error; /* errno of the first failed write */
	bool quit, threaded, hthreaded;
	pthread_t thread, hasher;
	pthread_mutex_t mu;
	pthread_cond_t cv;
};

static int set_direct(struct lc_sink *s, bool on)
{
	int fl = fcntl(s->fd, F_GETFL);
	if (fl < 0 || fcntl(s->fd, F_SETFL, on ? fl | O_DIRECT : fl & ~O_DIRECT) < 0)
		return errno;
	s->direct = on;
	return 0;
}

/* Write a slab where it belongs. 0 or an errno. */
static int write_slab(struct lc_sink *s, struct slab *b)
{
	/* an unaligned tail cannot go O_DIRECT: it goes through the page cache */
	if (s->direct && (b->len % ALIGN || b->off % ALIGN)) {
		int e = set_direct(s, false);
		if (e)
			return e;
	}
	for (size_t done = 0; done < b->len;) {
		ssize_t w = pwrite(s->fd, b->buf + done, b->len - done, (off_t)(b->off + done));
		if (w < 0 && errno == EINTR)
			continue;
		/* a file system that opened with O_DIRECT but refuses this write */
		if (w < 0 && errno == EINVAL && s->direct) {
			int e = set_direct(s, false);
			if (e)
				return e;
			continue;
		}
		if (w < 0)
			return errno;
		done += (size_t)w;
	}
	return 0;
}

/* Hash a slab and write it: where no thread does either. 0 or an errno. */
static int put(struct lc_sink *s, struct slab *b)
{
	lc_sha256_update(s->sha, b->buf, b->len);
	return write_slab(s, b);
}

/* The slabs in the order they were filled, each once: the hash sees the file's bytes in order. */
static void *hasher(void *arg)
{
	struct lc_sink *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct slab *b = &s->slabs[s->hnext];
		while (!s->quit && !(b->full && !b->hashed))
			pthread_cond_wait(&s->cv, &s->mu);
		if (!(b->full && !b->hashed))
			break;
		pthread_mutex_unlock(&s->mu);
		lc_sha256_update(s->sha, b->buf, b->len);
		pthread_mutex_lock(&s->mu);
		b->hashed = true;
		s->hnext = (s->hnext + 1) % NSLABS;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void *writer(void *arg)
{
	struct lc_sink *s = arg;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		struct slab *b = &s->slabs[s->next];
		/* without a hasher thread, the writer hashes each slab itself */
		while (!s->quit && !(b->full && (b->hashed || !s->hthreaded)))
			pthread_cond_wait(&s->cv, &s->mu);
		if (!(b->full && (b->hashed || !s->hthreaded)))
			break;
		bool failed = s->error != 0;
		bool hash = !s->hthreaded;
		pthread_mutex_unlock(&s->mu);
		int e = failed ? 0 : hash ? put(s, b) : write_slab(s, b);
		pthread_mutex_lock(&s->mu);
		if (e && !s->error)
			s->error = e;
		b->full = false;
		b->hashed = false;
		s->next = (s->next + 1) % NSLABS;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Wait until the writer has every full slab done; the first error, or 0. */
static int drain(struct lc_sink *s)
{
	if (!s->threaded)
		return s->error;
	pthread_mutex_lock(&s->mu);
	for (;;) {
		bool busy = false;
		for (size_t i = 0; i < NSLABS; i++)
			busy |= s->slabs[i].full;
		if (!busy)
			break;
		pthread_cond_wait(&s->cv, &s->mu);
	}
	int e = s->error;
	pthread_mutex_unlock(&s->mu);
	return e;
}

/* Give the filled slab to the writer and take the next free one. */
static int hand_off(struct lc_sink *s)
{
	struct slab *b = &s->slabs[s->fill];
	if (!s->threaded) {
		if (!s->error)
			s->error = put(s, b);
		b->len = 0;
		b->off = s->size;
		return s->error;
	}
	pthread_mutex_lock(&s->mu);
	b->full = true;
	pthread_cond_broadcast(&s->cv);
	s->fill = (s->fill + 1) % NSLABS;
	b = &s->slabs[s->fill];
	while (b->full)
		pthread_cond_wait(&s->cv, &s->mu);
	b->len = 0;
	b->off = s->size;
	int e = s->error;
	pthread_mutex_unlock(&s->mu);
	return e;
}

/* Hash the first n bytes an earlier run left: the one time a file is read back. */
static int hash_existing(struct lc_sink *s, uint64_t n)
{
	int fd = open(s->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	uint8_t *buf = s->slabs[0].buf;
	int e = 0;
	for (uint64_t done = 0; done < n;) {
		size_t want = n - done < SLAB ? (size_t)(n - done) : SLAB;
		ssize_t r = read(fd, buf, want);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			e = r < 0 ? errno : EIO;
			break;
		}
		lc_sha256_update(s->sha, buf, (size_t)r);
		done += (uint64_t)r;
	}
	close(fd);
	return e;
}

static void sink_free(struct lc_sink *s)
{
	if (s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->quit = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		if (s->hthreaded)
			pthread_join(s->hasher, NULL);
	}
	pthread_cond_destroy(&s->cv);
	pthread_mutex_destroy(&s->mu);
	for (size_t i = 0; i < NSLABS; i++)
		free(s->slabs[i].buf);
	lc_sha256_free(s->sha);
	if (s->fd >= 0)
		close(s->fd);
	free(s->path);
	free(s);
}

struct lc_sink *lc_sink_open(const char *path, bool direct, struct lc_err *err)
{
	struct lc_sha256 *sha = lc_sha256_new(err);
	if (!sha)
		return NULL;
	struct lc_sink *s = lc_calloc(1, sizeof(*s));
	s->sha = sha;
	s->path = lc_strdup(path);
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	for (size_t i = 0; i < NSLABS; i++)
		s->slabs[i].buf = lc_aligned_alloc(ALIGN, SLAB);
	s->fd = direct ? open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_DIRECT, 0644) : -1;
	s->direct = s->fd >= 0;
	if (!direct || (s->fd < 0 && errno == EINVAL)) /* file systems without O_DIRECT */
		s->fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	struct stat st;
	int e = s->fd < 0 || fstat(s->fd, &st) < 0 ? errno : 0;
	uint64_t have = e ? 0 : (uint64_t)st.st_size;
	/* O_DIRECT appends at aligned offsets: an unaligned tail is fetched again */
	if (!e && s->direct && have % ALIGN) {
		have -= have % ALIGN;
		if (ftruncate(s->fd, (off_t)have) < 0)
			e = errno;
	}
	if (!e)
		e = hash_existing(s, have);
	if (e) {
		lc_err_set(err, LC_EXIT_RUNTIME, "cannot open '%s': %s", path, strerror(e));
		sink_free(s);
		return NULL;
	}
	s->size = have;
	s->slabs[0].off = have;
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	/* the hasher and the writer take no signals: the downloading thread sees them */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->hthreaded = pthread_create(&s->hasher, NULL, hasher, s) == 0;
	s->threaded = pthread_create(&s->thread, NULL, writer, s) == 0;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	/* a hasher with no writer: drain would wait on slabs nobody writes */
	if (s->hthreaded && !s->threaded) {
		pthread_mutex_lock(&s->mu);
		s->quit = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->hasher, NULL);
		s->hthreaded = false;
		s->quit = false;
	}
	return s;
}

uint64_t lc_sink_size(const struct lc_sink *s)
{
	return s->size;
}

void lc_sink_ident(const struct lc_sink *s, dev_t *dev, ino_t *ino)
{
	*dev = s->dev;
	*ino = s->ino;
}

bool lc_sink_direct(const struct lc_sink *s)
{
	return s->direct;
}

int lc_sink_write(struct lc_sink *s, const void *data, size_t n)
{
	const uint8_t *p = data;
	while (n > 0) {
		struct slab *b = &s->slabs[s->fill];
		size_t take = SLAB - b->len < n ? SLAB - b->len : n;
		memcpy(b->buf + b->len, p, take);
		b->len += take;
		s->size += take;
		p += take;
		n -= take;
		if (b->len == SLAB) {
			int e = hand_off(s);
			if (e)
				return e;
		}
	}
	return 0;
}

int lc_sink_reset(struct lc_sink *s)
{
	int e = drain(s);
	if (e)
		return e;
	if (ftruncate(s->fd, 0) < 0)
		return errno;
	/* finishing starts the hash over; a failure before it is dropped with the bytes */
	uint8_t discard[LC_SHA256_LEN];
	lc_sha256_final(s->sha, discard, NULL);
	s->size = 0;
	s->slabs[s->fill].len = 0;
	s->slabs[s->fill].off = 0;
	return 0;
}

int lc_sink_close(struct lc_sink *s, bool durable, uint8_t digest[32], struct lc_err *err)
{
	int e = drain(s);
	struct slab *b = &s->slabs[s->fill];
	if (!e && b->len)
		e = put(s, b);
	/* with O_DIRECT the data is written already: this flushes the device cache and the size */
	if (!e && durable && fdatasync(s->fd) < 0)
		e = errno;
	if (close(s->fd) < 0 && !e)
		e = errno;
	s->fd = -1;
	int rc = 0;
	if (e)
		rc =
		    lc_err_set(err, LC_EXIT_RUNTIME, "cannot write '%s': %s", s->path, strerror(e));
	if (digest && lc_sha256_final(s->sha, digest, err) < 0)
		rc = -1;
	sink_free(s);
	return rc;
}

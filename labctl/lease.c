/* Lease files; see lease.h. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "isotime.h"
#include "lease.h"

static char *lease_dir(const char *state_dir)
{
	return lc_asprintf("%s/leases", state_dir);
}

static char *lease_path(const char *state_dir, int group)
{
	return lc_asprintf("%s/leases/group-%d.lease", state_dir, group);
}

int lc_leases_lock(const char *state_dir, int *fd, struct lc_err *err)
{
	char *dir = lease_dir(state_dir);
	int rc = lc_mkdir_p(dir, err);
	char *path = lc_asprintf("%s/.lock", dir);
	free(dir);
	if (rc == 0) {
		*fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
		if (*fd < 0)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot open lease lock '%s': %s",
					path, strerror(errno));
		else if (flock(*fd, LOCK_EX) < 0) {
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot lock '%s': %s", path,
					strerror(errno));
			close(*fd);
		}
	}
	free(path);
	return rc;
}

void lc_leases_unlock(int fd)
{
	if (fd >= 0)
		close(fd); /* closing drops the flock */
}

static char *field(const char *text, const char *key)
{
	size_t kl = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL) {
		if (strncmp(p, key, kl) == 0 && p[kl] == '=') {
			const char *v = p + kl + 1, *end = strchr(v, '\n');
			return lc_strndup(v, end ? (size_t)(end - v) : strlen(v));
		}
	}
	return NULL;
}

static void lease_free(struct lc_lease *l)
{
	free(l->lab);
	free(l->node);
	free(l->addresses);
	free(l->created);
	free(l->uri);
}

/*
 * Read one lease file. A file without lab or node is returned with lab and
 * node NULL (damaged), not as an error: one bad file must not stop every
 * command that reads leases. Returns 1 when the file is gone.
 */
static int parse_lease(const char *path, int group, struct lc_lease *l, struct lc_err *err)
{
	memset(l, 0, sizeof(*l));
	l->group = group;
	struct stat st;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 1;
		return lc_err_set(err, LC_EXIT_RUNTIME, "cannot read lease '%s': %s", path,
				  strerror(errno));
	}
	l->mtime = st.st_mtime;
	char *text;
	size_t len;
	struct lc_err rerr = LC_ERR_INIT;
	if (lc_read_file(path, &text, &len, &rerr) < 0) {
		int gone = !lc_file_exists(path);
		if (!gone && err)
			lc_err_move(err, &rerr);
		lc_err_release(&rerr);
		return gone ? 1 : -1;
	}
	l->lab = field(text, "lab");
	l->node = field(text, "node");
	l->addresses = field(text, "addresses");
	l->created = field(text, "created");
	l->uri = field(text, "uri");
	char *pid = field(text, "pid");
	l->pid = pid ? atol(pid) : 0;
	free(pid);
	free(text);
	if (!l->lab || !l->lab[0] || !l->node || !l->node[0]) {
		free(l->lab);
		free(l->node);
		l->lab = l->node = NULL;
	}
	return 0;
}

static int cmp_lease(const void *a, const void *b)
{
	int x = ((const struct lc_lease *)a)->group, y = ((const struct lc_lease *)b)->group;
	return (x > y) - (x < y);
}

int lc_leases_read(const char *state_dir, struct lc_leases *out, struct lc_err *err)
{
	memset(out, 0, sizeof(*out));
	char *dir = lease_dir(state_dir);
	if (!lc_file_exists(dir)) {
		free(dir);
		return 0;
	}
	struct lc_strv names;
	int rc = lc_list_dir(dir, ".lease", &names, err);
	for (size_t i = 0; rc == 0 && i < names.n; i++) {
		int group;
		if (sscanf(names.v[i], "group-%d", &group) != 1)
			continue;
		char *path = lc_asprintf("%s/%s.lease", dir, names.v[i]);
		LC_GROW(out->v, out->cap, out->n + 1);
		rc = parse_lease(path, group, &out->v[out->n], err);
		if (rc == 0)
			out->n++;
		rc = rc < 0 ? -1 : 0; /* a lease dropped since the listing is skipped */
		free(path);
	}
	lc_strv_release(&names);
	free(dir);
	if (rc < 0)
		lc_leases_release(out);
	else if (out->n)
		qsort(out->v, out->n, sizeof(*out->v), cmp_lease);
	return rc;
}

void lc_leases_release(struct lc_leases *l)
{
	for (size_t i = 0; i < l->n; i++)
		lease_free(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

bool lc_lease_writer_alive(const struct lc_lease *l)
{
	/* EPERM: the process exists, under another user */
	return l->pid > 0 && (kill((pid_t)l->pid, 0) == 0 || errno == EPERM);
}

bool lc_lease_damaged_stale(const struct lc_lease *l, time_t now)
{
	if (l->lab)
		return false;
	if (l->pid > 0)
		return !lc_lease_writer_alive(l);
	return now - l->mtime > LC_LEASE_DAMAGED_GRACE_S;
}

static char *lease_text(const char *lab, const char *node, const char *addresses, const char *uri)
{
	char ts[LC_ISO8601_SIZE];
	if (lc_iso8601(time(NULL), ts) < 0)
		snprintf(ts, sizeof(ts), "unknown"); /* the clock is past 9999: nobody reads it */
	return lc_asprintf("lab=%s\nnode=%s\naddresses=%s\npid=%ld\ncreated=%s\n%s%s%s", lab, node,
			   addresses, (long)getpid(), ts, uri ? "uri=" : "", uri ? uri : "",
			   uri ? "\n" : "");
}

int lc_lease_take(const char *state_dir, int group, const char *lab, const char *node,
		  const char *addresses, const char *uri, struct lc_err *err)
{
	char *path = lease_path(state_dir, group);
	/* a dot name: lc_leases_read never lists it */
	char *tmp = lc_asprintf("%s/leases/.group-%d.%ld.tmp", state_dir, group, (long)getpid());
	char *text = lease_text(lab, node, addresses, uri);
	int rc = lc_write_file_direct(tmp, text, strlen(text), err);
	if (rc == 0 && link(tmp, path) < 0) {
		struct lc_lease old;
		int prc = errno == EEXIST ? parse_lease(path, group, &old, err) : -2;
		if (prc == -2)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot create lease '%s': %s", path,
					strerror(errno));
		else if (prc < 0)
			rc = -1;
		else if (prc == 1) /* dropped meanwhile: only without the lock */
			rc = lc_err_set(err, LC_EXIT_RUNTIME,
					"lease '%s' changed while it was being taken", path);
		else if (!old.lab)
			rc =
			    lc_err_set(err, LC_EXIT_RESOURCE,
				       "IOMMU group %d has a damaged lease '%s' (labctl gc removes "
				       "it)",
				       group, path);
		else if (strcmp(old.lab, lab) != 0)
			rc = lc_err_set(err, LC_EXIT_RESOURCE,
					"IOMMU group %d is leased to lab %s (node %s)", group,
					old.lab, old.node);
		else if (rename(tmp, path) < 0) /* the same lab: replaced whole */
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot rename '%s' to '%s': %s", tmp,
					path, strerror(errno));
		if (prc == 0)
			lease_free(&old);
	}
	unlink(tmp);
	free(text);
	free(tmp);
	free(path);
	return rc;
}

int lc_leases_sweep_tmp(const char *state_dir, size_t *removed, struct lc_err *err)
{
	char *dir = lease_dir(state_dir);
	size_t n = 0;
	int rc = 0;
	DIR *d = opendir(dir);
	if (!d && errno != ENOENT)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot open directory '%s': %s", dir,
				strerror(errno));
	for (struct dirent *e; d && (e = readdir(d));) {
		int group;
		long pid;
		char tail[8];
		if (sscanf(e->d_name, ".group-%d.%ld.%7s", &group, &pid, tail) != 3 ||
		    strcmp(tail, "tmp") != 0)
			continue;
		struct lc_lease writer = {.pid = pid};
		if (lc_lease_writer_alive(&writer))
			continue;
		char *path = lc_asprintf("%s/%s", dir, e->d_name);
		n += unlink(path) == 0;
		free(path);
	}
	if (d)
		closedir(d);
	free(dir);
	if (removed)
		*removed = n;
	return rc;
}

int lc_lease_drop(const char *state_dir, int group, struct lc_err *err)
{
	char *path = lease_path(state_dir, group);
	int rc = 0;
	if (unlink(path) < 0 && errno != ENOENT)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove lease '%s': %s", path,
				strerror(errno));
	free(path);
	return rc;
}

int lc_leases_drop_lab(const char *state_dir, const char *lab, size_t *dropped, struct lc_err *err)
{
	struct lc_leases all;
	if (lc_leases_read(state_dir, &all, err) < 0)
		return -1;
	int rc = 0;
	size_t n = 0;
	for (size_t i = 0; i < all.n && rc == 0; i++) {
		if (!all.v[i].lab || strcmp(all.v[i].lab, lab) != 0)
			continue;
		rc = lc_lease_drop(state_dir, all.v[i].group, err);
		n += rc == 0;
	}
	lc_leases_release(&all);
	if (dropped)
		*dropped = n;
	return rc;
}

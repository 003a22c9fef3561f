/* Lab journals; see journal.h. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "journal.h"
#include "proof.h"

char *lc_journal_dir(const char *state_dir, const char *lab)
{
	return lc_asprintf("%s/labs/%s", state_dir, lab);
}

void lc_journal_add_node(struct lc_journal *j, const char *node, const char *kind)
{
	char *line = lc_asprintf("%s %s", node, kind);
	lc_strv_push_unique(&j->nodes, line);
	free(line);
}

void lc_journal_add_volume(struct lc_journal *j, const char *pool, const char *volume)
{
	char *line = lc_asprintf("%s/%s", pool, volume);
	lc_strv_push_unique(&j->volumes, line);
	free(line);
}

void lc_journal_add_host(struct lc_journal *j, const char *name, const char *uri)
{
	char *line = lc_asprintf("%s %s", name, uri);
	lc_strv_push_unique(&j->hosts, line);
	free(line);
}

int lc_journal_read(const char *state_dir, const char *lab, struct lc_journal *j,
		    struct lc_err *err)
{
	memset(j, 0, sizeof(*j));
	char *dir = lc_journal_dir(state_dir, lab);
	char *path = lc_asprintf("%s/journal", dir);
	free(dir);
	int rc = 0;
	if (lc_file_exists(path)) {
		char *text;
		size_t len;
		rc = lc_read_file(path, &text, &len, err);
		for (char *line = rc == 0 ? text : NULL, *next; line && *line; line = next) {
			next = strchr(line, '\n');
			if (next)
				*next++ = '\0';
			if (strncmp(line, "node ", 5) == 0)
				lc_strv_push_unique(&j->nodes, line + 5);
			else if (strncmp(line, "volume ", 7) == 0)
				lc_strv_push_unique(&j->volumes, line + 7);
			else if (strncmp(line, "top ", 4) == 0)
				lc_strv_push_unique(&j->tops, line + 4);
			else if (strncmp(line, "host ", 5) == 0)
				lc_strv_push_unique(&j->hosts, line + 5);
		}
		if (rc == 0)
			free(text);
	}
	free(path);
	return rc;
}

int lc_journal_write(const char *state_dir, const char *lab, const struct lc_journal *j,
		     struct lc_err *err)
{
	char *dir = lc_journal_dir(state_dir, lab);
	int rc = lc_mkdir_p(dir, err);
	if (rc == 0) {
		struct lc_buf b = LC_BUF_INIT;
		for (size_t i = 0; i < j->nodes.n; i++)
			lc_buf_addf(&b, "node %s\n", j->nodes.v[i]);
		for (size_t i = 0; i < j->volumes.n; i++)
			lc_buf_addf(&b, "volume %s\n", j->volumes.v[i]);
		for (size_t i = 0; i < j->tops.n; i++)
			lc_buf_addf(&b, "top %s\n", j->tops.v[i]);
		for (size_t i = 0; i < j->hosts.n; i++)
			lc_buf_addf(&b, "host %s\n", j->hosts.v[i]);
		char *path = lc_asprintf("%s/journal", dir);
		rc = lc_write_file(path, lc_buf_str(&b), b.len, err);
		free(path);
		lc_buf_release(&b);
	}
	free(dir);
	return rc;
}

/* The index of node's top line for pool/volume, or tops.n. */
static size_t top_line(const struct lc_journal *j, const char *node, const char *pool,
		       const char *volume)
{
	char *key = lc_asprintf("%s %s/%s ", node, pool, volume);
	size_t i = 0;
	while (i < j->tops.n && strncmp(j->tops.v[i], key, strlen(key)) != 0)
		i++;
	free(key);
	return i;
}

void lc_journal_set_top(struct lc_journal *j, const char *node, const char *pool,
			const char *volume, const char *top)
{
	size_t i = top_line(j, node, pool, volume);
	char *line = lc_asprintf("%s %s/%s %s/%s", node, pool, volume, pool, top);
	if (i < j->tops.n) {
		free(j->tops.v[i]);
		j->tops.v[i] = line;
	} else {
		lc_strv_push_nodup(&j->tops, line);
	}
}

const char *lc_journal_top(const struct lc_journal *j, const char *node, const char *pool,
			   const char *volume)
{
	size_t i = top_line(j, node, pool, volume);
	if (i == j->tops.n)
		return NULL;
	const char *top = strrchr(j->tops.v[i], ' ') + 1;
	const char *slash = strchr(top, '/');
	return slash ? slash + 1 : top;
}

void lc_journal_release(struct lc_journal *j)
{
	lc_strv_release(&j->nodes);
	lc_strv_release(&j->volumes);
	lc_strv_release(&j->tops);
	lc_strv_release(&j->hosts);
	memset(j, 0, sizeof(*j));
}

int lc_journal_save_proof(const char *state_dir, const char *lab, const char *node,
			  const char *line, struct lc_err *err)
{
	char *path = lc_asprintf("%s/labs/%s/%s.proof", state_dir, lab, node);
	char *text = lc_asprintf("%s\n", line);
	int rc = lc_write_file(path, text, strlen(text), err);
	free(text);
	free(path);
	return rc;
}

/* The last proof line in FILE, or NULL when it has none or cannot be read. */
static char *proof_in(const char *state_dir, const char *lab, const char *node, const char *ext)
{
	char *path = lc_asprintf("%s/labs/%s/%s.%s", state_dir, lab, node, ext);
	char *text = NULL, *line = NULL;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_read_file(path, &text, &len, &ignore) == 0)
		line = lc_proof_last_line(text);
	lc_err_release(&ignore);
	free(text);
	free(path);
	return line;
}

char *lc_journal_last_proof(const char *state_dir, const char *lab, const char *node)
{
	char *line = proof_in(state_dir, lab, node, "log");
	return line ? line : proof_in(state_dir, lab, node, "proof");
}

int lc_journal_save_hv(const char *state_dir, const char *lab, const char *node, const char *hv,
		       struct lc_err *err)
{
	char *path = lc_asprintf("%s/labs/%s/%s.hv", state_dir, lab, node);
	char *text = lc_asprintf("%s\n", hv);
	int rc = lc_write_file(path, text, strlen(text), err);
	free(text);
	free(path);
	return rc;
}

char *lc_journal_hv(const char *state_dir, const char *lab, const char *node, const char *proof)
{
	char *path = lc_asprintf("%s/labs/%s/%s.hv", state_dir, lab, node);
	char *text = NULL, *saved = NULL;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_read_file(path, &text, &len, &ignore) == 0)
		saved = lc_strndup(text, strcspn(text, "\r\n"));
	lc_err_release(&ignore);
	free(text);
	free(path);
	char *hv = lc_proof_hv(proof, saved && *saved ? saved : NULL);
	free(saved);
	return hv;
}

int lc_journal_remove(const char *state_dir, const char *lab, struct lc_err *err)
{
	char *dir = lc_journal_dir(state_dir, lab);
	DIR *d = opendir(dir);
	int rc = 0;
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.')
				continue;
			char *p = lc_asprintf("%s/%s", dir, e->d_name);
			if (unlink(p) < 0 && errno != ENOENT)
				rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", p,
						strerror(errno));
			free(p);
		}
		closedir(d);
		if (rc == 0 && rmdir(dir) < 0 && errno != ENOENT)
			rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot remove '%s': %s", dir,
					strerror(errno));
	}
	free(dir);
	return rc;
}

int lc_journal_labs(const char *state_dir, struct lc_strv *labs, struct lc_err *err)
{
	char *dir = lc_asprintf("%s/labs", state_dir);
	lc_strv_init(labs);
	int rc = 0;
	if (lc_file_exists(dir)) {
		struct lc_strv all;
		rc = lc_list_dir(dir, "", &all, err);
		for (size_t i = 0; rc == 0 && i < all.n; i++) {
			char *j = lc_asprintf("%s/%s/journal", dir, all.v[i]);
			if (lc_file_exists(j))
				lc_strv_push_unique(labs, all.v[i]);
			free(j);
		}
		lc_strv_release(&all);
	}
	free(dir);
	return rc;
}

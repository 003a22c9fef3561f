/* Leases on the host that has the devices; see lease-remote.h. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lease-remote.h"
#include "render.h"
#include "strv.h"
#include "virt.h"

static char *lease_name(int group)
{
	return lc_asprintf(LC_REMOTE_LEASE_PREFIX "%d", group);
}

/* Lab and node names have no '+' (the node-name rule), nor has the controller. */
static char *holder_name(int group, const char *lab, const char *node, long pid,
			 const char *controller)
{
	if (!node) /* a lease from before holders named their node */
		return lc_asprintf(LC_REMOTE_LEASE_PREFIX "%d+%s+%ld+%s", group, lab, pid,
				   controller);
	return lc_asprintf(LC_REMOTE_LEASE_PREFIX "%d+%s+%s+%ld+%s", group, lab, node, pid,
			   controller);
}

static int create_empty(struct lc_virt *v, const char *pool, const char *name, bool *exists,
			struct lc_err *err)
{
	xmlDocPtr doc = lc_render_raw_volume(name, 0);
	char *xml = lc_xml_format(doc);
	xmlFreeDoc(doc);
	int rc = lc_virt_volume_create_excl(v, pool, name, xml, NULL, 0, exists, err);
	free(xml);
	return rc;
}

struct wanted {
	int group;
	const char *node;
};

static int cmp_wanted(const void *a, const void *b)
{
	int x = ((const struct wanted *)a)->group, y = ((const struct wanted *)b)->group;
	return (x > y) - (x < y);
}

/* Give back group: the holder's name first, so a lease is never named for a lab that let it go. */
static int give_back(struct lc_virt *v, const char *pool, int group, const char *holder,
		     struct lc_err *err)
{
	if (holder && lc_virt_volume_delete(v, pool, holder, NULL, err) < 0)
		return -1;
	char *name = lease_name(group);
	int rc = lc_virt_volume_delete(v, pool, name, NULL, err);
	free(name);
	return rc;
}

int lc_remote_leases_take(struct lc_virt *v, const char *pool, const char *lab,
			  const char *controller, long pid, const int *groups,
			  const char *const *nodes, size_t n, struct lc_err *err)
{
	struct wanted *w = lc_calloc(n + 1, sizeof(*w));
	for (size_t k = 0; k < n; k++)
		w[k] = (struct wanted){groups[k], nodes[k]};
	qsort(w, n, sizeof(*w), cmp_wanted);
	size_t took = 0;
	int rc = 0;
	for (; rc == 0 && took < n; took++) {
		char *name = lease_name(w[took].group);
		bool exists;
		rc = create_empty(v, pool, name, &exists, err);
		free(name);
		if (rc == 0 && exists) {
			/* say whose it is when the holder has named itself already */
			struct lc_remote_lease *ls = NULL;
			size_t nl = 0;
			struct lc_err ignore = LC_ERR_INIT;
			const char *who = NULL;
			if (lc_remote_leases_read(v, pool, &ls, &nl, &ignore) == 0)
				for (size_t k = 0; k < nl && !who; k++)
					if (ls[k].group == w[took].group)
						who = ls[k].lab;
			lc_err_release(&ignore);
			rc = lc_err_set(err, LC_EXIT_RESOURCE,
					"IOMMU group %d: leased on that host to %s%s%s",
					w[took].group, who ? "lab " : "another run", who ? who : "",
					who ? "" : " (still taking or releasing it)");
			lc_remote_leases_free(ls, nl);
			break;
		}
		if (rc < 0)
			break;
		char *holder = holder_name(w[took].group, lab, w[took].node, pid, controller);
		rc = create_empty(v, pool, holder, &exists, err);
		free(holder);
		if (rc < 0) {
			took++; /* its lease volume is ours: given back below */
			break;
		}
	}
	if (rc < 0) {
		/* all or nothing: what this call took goes back */
		for (size_t k = 0; k < took; k++) {
			char *holder = holder_name(w[k].group, lab, w[k].node, pid, controller);
			struct lc_err ignore = LC_ERR_INIT;
			if (give_back(v, pool, w[k].group, holder, &ignore) < 0)
				lc_err_release(&ignore);
			free(holder);
		}
	}
	free(w);
	return rc;
}

int lc_remote_leases_read(struct lc_virt *v, const char *pool, struct lc_remote_lease **out,
			  size_t *n, struct lc_err *err)
{
	*out = NULL;
	*n = 0;
	struct lc_strv names = LC_STRV_INIT;
	if (lc_virt_pool_volumes(v, pool, &names, err) < 0)
		return -1;
	size_t plen = strlen(LC_REMOTE_LEASE_PREFIX);
	for (size_t i = 0; i < names.n; i++) {
		const char *s = names.v[i];
		if (strncmp(s, LC_REMOTE_LEASE_PREFIX, plen) != 0)
			continue;
		char *end;
		long g = strtol(s + plen, &end, 10);
		if (end == s + plen || g < 0 || g > 1 << 30 || (*end && *end != '+'))
			continue;
		struct lc_remote_lease *l = NULL;
		for (size_t k = 0; k < *n && !l; k++)
			if ((*out)[k].group == (int)g)
				l = &(*out)[k];
		if (!l) {
			*out = lc_realloc(*out, (*n + 1) * sizeof(**out));
			l = &(*out)[(*n)++];
			memset(l, 0, sizeof(*l));
			l->group = (int)g;
		}
		if (*end != '+' || l->lab)
			continue;
		/* +LAB+NODE+PID+CONTROLLER, or +LAB+PID+CONTROLLER from before nodes */
		const char *f[5] = {end + 1};
		size_t nf = 1;
		for (const char *c = f[0]; *c && nf < 5; c++)
			if (*c == '+')
				f[nf++] = c + 1;
		if (nf != 3 && nf != 4)
			continue;
		bool named = nf == 4;
		l->lab = lc_strndup(f[0], (size_t)(f[1] - 1 - f[0]));
		if (named)
			l->node = lc_strndup(f[1], (size_t)(f[2] - 1 - f[1]));
		l->pid = strtol(f[named ? 2 : 1], NULL, 10);
		l->controller = lc_strdup(f[named ? 3 : 2]);
	}
	lc_strv_release(&names);
	for (size_t i = 1; i < *n; i++)
		for (size_t k = i; k > 0 && (*out)[k - 1].group > (*out)[k].group; k--) {
			struct lc_remote_lease t = (*out)[k];
			(*out)[k] = (*out)[k - 1];
			(*out)[k - 1] = t;
		}
	return 0;
}

void lc_remote_leases_free(struct lc_remote_lease *l, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(l[i].lab);
		free(l[i].node);
		free(l[i].controller);
	}
	free(l);
}

/* Give back the leases lab holds there, of groups only (all of them when groups is NULL). */
static int give_back_lab(struct lc_virt *v, const char *pool, const char *lab, const int *groups,
			 size_t n_groups, size_t *dropped, struct lc_err *err)
{
	size_t ignore_n;
	dropped = dropped ? dropped : &ignore_n;
	*dropped = 0;
	struct lc_remote_lease *ls;
	size_t n;
	if (lc_remote_leases_read(v, pool, &ls, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!ls[i].lab || strcmp(ls[i].lab, lab) != 0)
			continue;
		bool wanted = !groups;
		for (size_t k = 0; k < n_groups && !wanted; k++)
			wanted = groups[k] == ls[i].group;
		if (!wanted)
			continue;
		char *holder =
		    holder_name(ls[i].group, ls[i].lab, ls[i].node, ls[i].pid, ls[i].controller);
		rc = give_back(v, pool, ls[i].group, holder, err);
		*dropped += rc == 0;
		free(holder);
	}
	lc_remote_leases_free(ls, n);
	return rc;
}

int lc_remote_leases_drop_lab(struct lc_virt *v, const char *pool, const char *lab, size_t *dropped,
			      struct lc_err *err)
{
	return give_back_lab(v, pool, lab, NULL, 0, dropped, err);
}

int lc_remote_leases_give_back(struct lc_virt *v, const char *pool, const char *lab,
			       const int *groups, size_t n, struct lc_err *err)
{
	return give_back_lab(v, pool, lab, groups, n, NULL, err);
}

void lc_remote_lease_controller(char *buf, size_t size)
{
	if (gethostname(buf, size) < 0 || !buf[0])
		snprintf(buf, size, "unknown");
	buf[size - 1] = 0;
	/* '+' separates the fields of a holder's name */
	for (char *c = buf; *c; c++)
		if (*c == '+' || *c == '/')
			*c = '_';
}

bool lc_remote_lease_writer_gone(const struct lc_remote_lease *l)
{
	char me[256];
	lc_remote_lease_controller(me, sizeof(me));
	return l->lab && l->controller && strcmp(l->controller, me) == 0 && l->pid > 0 &&
	       kill((pid_t)l->pid, 0) < 0 && errno == ESRCH;
}

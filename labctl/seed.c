/* Seed files; see seed.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "quote.h"
#include "seed.h"

bool lc_node_takes_seed(const struct lc_catalog *c, const struct lc_node *n)
{
	const struct lc_image *img = c && n->image.v ? lc_catalog_find(c, n->image.v) : NULL;
	return img && img->cloud_init;
}

char *lc_seed_volume_name(const struct lc_topology *t, const struct lc_node *n)
{
	return lc_asprintf("%s-%s-seed.iso", t->name.v, n->name);
}

static char *meta_data(const struct lc_node *n, const char *instance_id)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "instance-id: ");
	lc_quote_yaml(&b, instance_id);
	lc_buf_adds(&b, "\nlocal-hostname: ");
	lc_quote_yaml(&b, n->name);
	lc_buf_addc(&b, '\n');
	return lc_buf_detach(&b);
}

/* labctl's own cloud-config: the hostname and the lab's user, nothing else. */
static void own_part(struct lc_buf *b, const struct lc_node *n, const char *pubkey)
{
	lc_buf_adds(b, "#cloud-config\nhostname: ");
	lc_quote_yaml(b, n->name);
	lc_buf_adds(b, "\nusers:\n  - default\n  - name: " LC_SEED_USER "\n"
		       "    shell: /bin/bash\n"
		       "    sudo: \"ALL=(ALL) NOPASSWD:ALL\"\n"
		       "    lock_passwd: true\n");
	if (pubkey && *pubkey) {
		lc_buf_adds(b, "    ssh_authorized_keys:\n      - ");
		lc_quote_yaml(b, pubkey);
		lc_buf_addc(b, '\n');
	}
}

static char *user_data(const struct lc_node *n, const char *pubkey)
{
	const char *mine =
	    n->cloud_init.v ? (n->cloud_init_inline ? n->cloud_init.v : n->cloud_init_text) : NULL;
	/* a boundary the user's text does not hold */
	struct lc_buf bound = LC_BUF_INIT;
	lc_buf_adds(&bound, "labctl-seed-boundary");
	while (mine && strstr(mine, lc_buf_str(&bound)))
		lc_buf_addc(&bound, 'x');
	const char *bd = lc_buf_str(&bound);
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_addf(
	    &b,
	    "Content-Type: multipart/mixed; boundary=\"%s\"\nMIME-Version: 1.0\n\n"
	    "--%s\nContent-Type: text/cloud-config; charset=\"utf-8\"\n"
	    "MIME-Version: 1.0\nContent-Disposition: attachment; filename=\"labctl.cfg\"\n\n",
	    bd, bd);
	own_part(&b, n, pubkey);
	if (mine) {
		/* lists append and mappings merge, so the user's runcmd or users add to labctl's */
		lc_buf_addf(&b,
			    "\n--%s\nContent-Type: text/cloud-config; charset=\"utf-8\"\n"
			    "MIME-Version: 1.0\nContent-Disposition: attachment; "
			    "filename=\"user.cfg\"\n"
			    "Merge-Type: list(append)+dict(no_replace,recurse_list)+str()\n\n",
			    bd);
		if (strncmp(mine, "#cloud-config", 13) != 0)
			lc_buf_adds(&b, "#cloud-config\n");
		lc_buf_adds(&b, mine);
		if (!*mine || mine[strlen(mine) - 1] != '\n')
			lc_buf_addc(&b, '\n');
	}
	lc_buf_addf(&b, "\n--%s--\n", bd);
	lc_buf_release(&bound);
	return lc_buf_detach(&b);
}

static void ethernet(struct lc_buf *b, const char *id, const char *mac, bool dhcp)
{
	lc_buf_addf(b, "  %s:\n    match:\n      macaddress: \"%s\"\n", id, mac);
	/* a VF NIC is the user's to configure: up but unaddressed, and not awaited at boot */
	lc_buf_adds(b, dhcp ? "    dhcp4: true\n" : "    dhcp4: false\n    optional: true\n");
}

static char *network_config(const struct lc_node *n, const struct lc_addrs *addrs,
			    const struct lc_hostdev *hd, size_t n_hd)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "version: 2\nethernets:\n");
	size_t k = 0;
	for (size_t i = 0; addrs && i < addrs->n; i++)
		if (addrs->v[i].node == n) {
			char id[32];
			snprintf(id, sizeof(id), "net%zu", k++);
			ethernet(&b, id, addrs->v[i].mac, true);
		}
	k = 0;
	for (size_t i = 0; i < n_hd; i++)
		if (hd[i].nic) {
			char id[32];
			snprintf(id, sizeof(id), "vf%zu", k++);
			ethernet(&b, id, hd[i].mac, false);
		}
	if (!b.len || strcmp(lc_buf_str(&b), "version: 2\nethernets:\n") == 0) {
		lc_buf_release(&b);
		return lc_strdup("version: 2\nethernets: {}\n");
	}
	return lc_buf_detach(&b);
}

void lc_seed_render(const struct lc_topology *t, const struct lc_node *n,
		    const struct lc_addrs *addrs, const struct lc_hostdev *hostdevs,
		    size_t n_hostdevs, const char *pubkey, const char *instance_id,
		    struct lc_seed *out)
{
	(void)t;
	out->meta_data = meta_data(n, instance_id);
	out->user_data = user_data(n, pubkey);
	out->network_config = network_config(n, addrs, hostdevs, n_hostdevs);
}

void lc_seed_release(struct lc_seed *s)
{
	free(s->meta_data);
	free(s->user_data);
	free(s->network_config);
	memset(s, 0, sizeof(*s));
}

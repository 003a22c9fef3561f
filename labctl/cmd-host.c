/* labctl host vfs: the host's VFs, their IOMMU groups and who holds them. */
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "hostvf.h"
#include "output.h"

static void print_table(const struct lc_vf_status *v, size_t n)
{
	printf("%-13s %-13s %-10s %5s %-9s %5s %4s %-11s %-12s %-10s %s\n", "ADDRESS", "PF",
	       "PF-NETDEV", "INDEX", "ID", "GROUP", "NUMA", "STATE", "LAB", "NODE", "REASON");
	for (size_t i = 0; i < n; i++) {
		const struct lc_vf_status *s = &v[i];
		char ids[16];
		snprintf(ids, sizeof(ids), "%04x:%04x", s->vf->vendor, s->vf->device);
		printf("%-13s %-13s %-10s %5d %-9s %5d %4d %-11s %-12s %-10s %s\n", s->vf->addr,
		       s->vf->physfn, s->pf && s->pf->netdev[0] ? s->pf->netdev : "-",
		       s->vf->vf_index, ids, s->vf->group, s->vf->numa, lc_vf_state_name(s->state),
		       s->lab ? s->lab : "-", s->node ? s->node : "-", s->reason);
	}
}

static void print_json(const struct lc_vf_status *v, size_t n)
{
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_adds(&b, "{\"vfs\":[");
	for (size_t i = 0; i < n; i++) {
		const struct lc_vf_status *s = &v[i];
		lc_buf_adds(&b, i ? ",{\"address\":" : "{\"address\":");
		lc_json_str(&b, s->vf->addr);
		lc_buf_adds(&b, ",\"pf\":");
		lc_json_str(&b, s->vf->physfn);
		lc_buf_adds(&b, ",\"pf_netdev\":");
		lc_json_str(&b, s->pf && s->pf->netdev[0] ? s->pf->netdev : NULL);
		lc_buf_addf(&b,
			    ",\"index\":%d,\"vendor\":\"%04x\",\"device\":\"%04x\","
			    "\"iommu_group\":%d,\"numa_node\":%d,\"state\":\"%s\",\"lab\":",
			    s->vf->vf_index, s->vf->vendor, s->vf->device, s->vf->group,
			    s->vf->numa, lc_vf_state_name(s->state));
		lc_json_str(&b, s->lab);
		lc_buf_adds(&b, ",\"node\":");
		lc_json_str(&b, s->node);
		lc_buf_adds(&b, ",\"reason\":");
		lc_json_str(&b, s->reason);
		lc_buf_addc(&b, '}');
	}
	lc_buf_adds(&b, "]}\n");
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
}

static int host_vfs(struct lc_session *s, struct lc_err *err)
{
	struct lc_host_vfs h;
	if (lc_host_vfs_load(&s->opts, s->virt, &h, err) < 0)
		return -1;
	struct lc_topology none = {0};
	struct lc_vf_inputs in;
	lc_host_vfs_inputs(&h, &none, &in);
	struct lc_vf_status *v;
	size_t n;
	lc_vf_status(&in, &v, &n);
	if (s->opts.json)
		print_json(v, n);
	else
		print_table(v, n);
	lc_vf_status_free(v, n);
	lc_host_vfs_release(&h);
	return 0;
}

static int cmd_host(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc == 2 && strcmp(argv[1], "vfs") == 0)
		return host_vfs(s, err);
	return lc_cmd_usage(&lc_cmd_host_entry, err);
}

const struct lc_cmd_entry lc_cmd_host_entry = {
    .name = "host",
    .usage = "vfs",
    .summary = "the VF inventory: PF, VF, IOMMU group, state, lease owner",
    .flags = LC_CMD_WANTS_VIRT,
    .exec = cmd_host,
};

/*
 * Time the VF core in-process: the sysfs inventory of a host and the plan of
 * a lab against it, as labctl up does them (elapsed and CPU time, best of N).
 * Usage: vfbench SYSFS TOPOLOGY [RUNS]
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fsutil.h"
#include "pci.h"
#include "sysfs.h"
#include "topology.h"
#include "vf-alloc.h"

static double ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: vfbench SYSFS TOPOLOGY [RUNS]\n");
		return 2;
	}
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	struct lc_err err = LC_ERR_INIT;
	char *data;
	size_t len;
	if (lc_read_file(argv[2], &data, &len, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	struct lc_diags d;
	lc_diags_init(&d);
	struct lc_topology *t = lc_topology_parse(argv[2], data, len, &d);
	free(data);
	if (!t || d.n) {
		fprintf(stderr, "bad topology\n");
		return 1;
	}
	struct lc_sysroot root = {argv[1], "/proc", NULL};
	struct lc_inventory_source src;
	lc_inventory_sysfs_source(&root, &src);
	double best_inv = 1e9, best_plan = 1e9, best_wall = 1e9, best_cpu = 1e9;
	size_t n_fns = 0, n_vfs = 0;
	for (int r = 0; r < runs; r++) {
		struct lc_inventory inv;
		double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		double t0 = w0;
		if (lc_inventory_load(&src, &inv, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		double t1 = ms(CLOCK_MONOTONIC);
		struct lc_vf_inputs in = {&inv, t, NULL, 0, NULL, 0};
		struct lc_vf_plan plan;
		if (lc_vf_plan(&in, &plan, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		double t2 = ms(CLOCK_MONOTONIC), c2 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (t2 - w0 < best_wall)
			best_wall = t2 - w0;
		if (c2 - c0 < best_cpu)
			best_cpu = c2 - c0;
		n_fns = inv.n;
		n_vfs = 0;
		for (size_t i = 0; i < plan.n; i++)
			n_vfs += plan.nodes[i].n_hd;
		if (t1 - t0 < best_inv)
			best_inv = t1 - t0;
		if (t2 - t1 < best_plan)
			best_plan = t2 - t1;
		lc_vf_plan_release(&plan);
		lc_inventory_release(&inv);
	}
	printf("inventory of %zu functions: %.1f ms\n", n_fns, best_inv);
	printf("plan of %zu nodes, %zu VFs: %.1f ms\n", t->n_nodes, n_vfs, best_plan);
	printf("inventory + plan: %.1f ms (%.1f ms CPU over all threads)\n", best_wall, best_cpu);
	lc_topology_free(t);
	return 0;
}

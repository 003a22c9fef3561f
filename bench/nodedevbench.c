/*
 * Time the two inventory sources on one host in one process: sysfs below
 * SYSFS, and libvirt's node devices at URI (the listing and each device's
 * XML, then the parse), best of N each, elapsed and CPU time. Both must
 * give the same number of functions, or the figures compare nothing.
 * Usage: nodedevbench SYSFS URI [RUNS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pci.h"
#include "strv.h"
#include "sysfs.h"
#include "virt.h"

static double ms(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

struct best {
	double wall, cpu;
};

static void keep(struct best *b, double w0, double c0)
{
	double w = ms(CLOCK_MONOTONIC) - w0, c = ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
	if (w < b->wall)
		b->wall = w;
	if (c < b->cpu)
		b->cpu = c;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: nodedevbench SYSFS URI [RUNS]\n");
		return 2;
	}
	int runs = argc > 3 ? atoi(argv[3]) : 5;
	struct lc_err err = LC_ERR_INIT;
	struct lc_sysroot root = {argv[1], "/proc", NULL};
	struct lc_inventory_source sysfs;
	lc_inventory_sysfs_source(&root, &sysfs);
	double open0 = ms(CLOCK_MONOTONIC);
	struct lc_virt *v = lc_virt_open(argv[2], &err);
	if (!v) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* the test driver parses the whole host file here: a real daemon has its devices */
	double connect = ms(CLOCK_MONOTONIC) - open0;
	struct best s = {1e9, 1e9}, fetch = {1e9, 1e9}, parse = {1e9, 1e9}, all = {1e9, 1e9};
	size_t n_sysfs = 0, n_nodedev = 0, n_xml = 0;
	for (int r = 0; r < runs; r++) {
		struct lc_inventory inv;
		double w0 = ms(CLOCK_MONOTONIC), c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (lc_inventory_load(&sysfs, &inv, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		keep(&s, w0, c0);
		n_sysfs = inv.n;
		lc_inventory_release(&inv);

		struct lc_strv xmls = LC_STRV_INIT;
		w0 = ms(CLOCK_MONOTONIC);
		c0 = ms(CLOCK_PROCESS_CPUTIME_ID);
		if (lc_virt_node_devices_xml(v, &xmls, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		keep(&fetch, w0, c0);
		double w1 = ms(CLOCK_MONOTONIC), c1 = ms(CLOCK_PROCESS_CPUTIME_ID);
		struct lc_inventory_source nd;
		lc_inventory_nodedev_source(&xmls, &nd);
		if (lc_inventory_load(&nd, &inv, &err) < 0) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
		keep(&parse, w1, c1);
		keep(&all, w0, c0);
		n_nodedev = inv.n;
		n_xml = xmls.n;
		lc_inventory_release(&inv);
		lc_strv_release(&xmls);
	}
	lc_virt_close(v);
	if (n_sysfs != n_nodedev) {
		fprintf(stderr, "sysfs has %zu functions, libvirt %zu: not the same host\n",
			n_sysfs, n_nodedev);
		return 1;
	}
	printf("sysfs inventory of %zu functions: %.1f ms (%.1f ms CPU)\n", n_sysfs, s.wall, s.cpu);
	printf("node-device inventory of %zu functions (%zu devices) from %s: %.1f ms (%.1f ms "
	       "CPU)\n",
	       n_nodedev, n_xml, argv[2], all.wall, all.cpu);
	printf("  listing + XML from libvirt: %.1f ms (%.1f ms CPU); parse: %.1f ms (%.1f ms "
	       "CPU)\n",
	       fetch.wall, fetch.cpu, parse.wall, parse.cpu);
	printf("node-device / sysfs ratio: %.2f elapsed, %.2f CPU (this process's CPU: a "
	       "daemon's is not counted)\n",
	       all.wall / s.wall, all.cpu / s.cpu);
	printf("connecting (the test driver loading the host file, not timed above): %.1f ms\n",
	       connect);
	return 0;
}

/*
 * Lab snapshots (README.md "Snapshots"; docs/state-dir.md): a whole lab
 * saved at one moment (every running node paused, its memory saved, its
 * disks frozen as layers under new overlays, then restored where it was),
 * and brought back by restoring every node from the same memory images on
 * fresh overlays over those layers. Files live in STATE/snapshots/LAB/NAME,
 * volumes in the lab's pool, listed in the lab's journal.
 */
#ifndef LC_LAB_SNAPSHOT_H
#define LC_LAB_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

#include "err.h"
#include "journal.h"
#include "opts.h"
#include "strv.h"

struct lc_virt;

struct lc_snap_node {
	char *node;
	char *domain;
	bool running;			/* it had a memory image saved */
	unsigned long long memory_kib;	/* its <memory> */
	char *sha256;			/* rendered-sha256 of its metadata; NULL: none */
	struct lc_strv layers;		/* "POOL/VOLUME": its frozen disk layers */
	unsigned long long image_bytes; /* the memory image's size */
	char *nvram;			/* the NVRAM file it had, NULL: none */
	char *tpm;			/* its swtpm state directory, NULL: no TPM */
	struct lc_strv vfs;		/* "ADDR MAC" of its VFs and pci: devices ("-": no MAC) */
	/* per command run */
	double seconds;
	char *error;   /* "node X: ..." when it failed */
	char *warning; /* "node X: ..." when it was done with something amiss */
};

struct lc_snapshot {
	char *lab, *name;
	char *time;    /* ISO 8601, when it was taken */
	char *version; /* labctl's that took it */
	struct lc_snap_node *nodes;
	size_t n_nodes;
	double seconds; /* the command's */
};

void lc_snapshot_release(struct lc_snapshot *s);

/* Snapshot names follow the node-name rule; LC_EXIT_USAGE otherwise. */
int lc_snapshot_check_name(const char *name, struct lc_err *err);

/* ---- the manifest: STATE/snapshots/LAB/NAME/manifest ---- */
char *lc_snapshot_format(const struct lc_snapshot *s);
/* Parse a manifest's text (what names it in messages); LC_EXIT_RUNTIME when damaged. */
int lc_snapshot_parse(const char *what, const char *text, struct lc_snapshot *s,
		      struct lc_err *err);

/*
 * Point a domain XML's volume disks elsewhere: each writable disk whose
 * source is pool/from[i] gets pool/to[i] and loses its <backingStore> (the
 * new volume's chain is libvirt's to find). Returns how many changed.
 */
size_t lc_snapshot_repoint(xmlDocPtr doc, const struct lc_strv *from, const struct lc_strv *to);
/* The writable volume disks of a domain's XML, as "POOL/VOLUME" (appended to out). */
void lc_snapshot_disks(xmlDocPtr doc, struct lc_strv *out);
/*
 * The volume an overlay of lab's disk volume (LAB-REST.qcow2) gets at
 * generation gen: LAB@REST@GEN.qcow2. '@' is in no lab, node or volume name
 * labctl makes otherwise, so it collides with none of them.
 */
char *lc_snapshot_overlay_name(const char *lab, const char *volume, unsigned gen);
/* The highest generation among the journal's overlays of lab (0: none). */
unsigned lc_snapshot_last_gen(const char *lab, const struct lc_journal *j);
/* render's disks as the journal's tops say they run now (for up, render, --force). */
void lc_snapshot_point_render(const struct lc_journal *j, const char *node, xmlDocPtr doc);

/*
 * The host devices of a domain XML that libvirt cannot save with (VFIO):
 * each PCI <hostdev> and <interface type='hostdev'>, in document order. Each
 * list may be NULL; appended to each: the device's XML for a hot-plug or
 * unplug (its MAC, VLAN and guest address kept, libvirt's alias left out),
 * its host PCI address, and its MAC ("-" for a plain hostdev).
 */
void lc_snapshot_hostdevs(xmlDocPtr doc, struct lc_strv *xmls, struct lc_strv *addrs,
			  struct lc_strv *macs);
/*
 * Wait for a guest to let go of unplugged devices: poll the domain's live
 * XML (live_xml returns it, caller frees, NULL when it cannot be read)
 * every step_s until none of addrs is among its host devices: 0. After
 * timeout_s, or once a signal came (lc_interrupted): -1, with those still
 * there in left (emptied first).
 */
int lc_snapshot_wait_released(char *(*live_xml)(void *ctx), void *ctx, const struct lc_strv *addrs,
			      double timeout_s, double step_s, struct lc_strv *left);

struct lc_snap_opts {
	int jobs;    /* parallel workers */
	bool force;  /* revert: the lab changed since the snapshot */
	bool create; /* revert: define nodes the lab lost since (recreate) */
	/* save: how long a guest has to let go of its VFs and pci: devices; 0: 30 s */
	double unplug_timeout_s;
};

/*
 * Save lab as name. LC_EXIT_USAGE: bad name, a snapshot of that name, a
 * lab with no node here; LC_EXIT_RESOURCE: another snapshot command holds
 * the lab, or the memory images do not fit (checked before any node
 * pauses). A signal stops it with no node left paused or stopped.
 */
int lc_snapshot_save(const struct lc_opts *o, struct lc_virt *v, const char *lab, const char *name,
		     const struct lc_snap_opts *so, struct lc_snapshot *r, struct lc_err *err);
/*
 * Bring lab back to name. LC_EXIT_USAGE: unknown snapshot (listing those
 * there are), or the lab's nodes changed since (added, removed, rendered
 * differently, other memory) unless so->force.
 */
int lc_snapshot_revert(const struct lc_opts *o, struct lc_virt *v, const char *lab,
		       const char *name, const struct lc_snap_opts *so, struct lc_snapshot *r,
		       struct lc_err *err);
/*
 * recreate --from-snapshot: whether name can be reverted to without
 * --force. *why (caller frees) says why not: no such snapshot, nodes the
 * topology (want: its node names, want_kib their memory) or the lab's
 * domains have that the snapshot does not, or the other way round.
 */
int lc_snapshot_matches(const struct lc_opts *o, struct lc_virt *v, const char *lab,
			const char *name, const char *const *want,
			const unsigned long long *want_kib, size_t n_want, char **why,
			struct lc_err *err);
/* Whether lab has a snapshot called name (a finished one). */
bool lc_snapshot_exists(const struct lc_opts *o, const char *lab, const char *name);
/* The snapshots of lab (NULL: every lab), sorted by lab then time. */
int lc_snapshot_list(const struct lc_opts *o, const char *lab, struct lc_snapshot **out, size_t *n,
		     struct lc_err *err);
void lc_snapshots_free(struct lc_snapshot *s, size_t n);
/* Remove a snapshot: its files, and its layers nothing else builds on. */
int lc_snapshot_rm(const struct lc_opts *o, struct lc_virt *v, const char *lab, const char *name,
		   struct lc_err *err);
/*
 * down --node: the nodes pats picks lose their snapshot overlays and the
 * journal's top lines; their volumes ("POOL/VOLUME": the rendered disks,
 * frozen under the overlays, and the overlays) are added to vols for down
 * to delete, and the journal is written. A lab that has snapshots is
 * refused (LC_EXIT_USAGE): the picked nodes' layers are part of them.
 */
int lc_snapshot_forget_nodes(const struct lc_opts *o, const char *lab, const char *const *pats,
			     size_t n_pats, struct lc_strv *vols, struct lc_err *err);
/* down: remove STATE/snapshots/LAB (the volumes go with the journal's). */
int lc_snapshot_remove_lab(const struct lc_opts *o, const char *lab, struct lc_err *err);
/*
 * gc: finish what a killed save or revert left (restore its stopped nodes,
 * remove its partial files), and remove the snapshot files of labs that no
 * longer exist (no journal, no domain); their names go into removed.
 */
int lc_snapshot_gc(const struct lc_opts *o, struct lc_virt *v, struct lc_strv *removed,
		   struct lc_err *err);

#endif

/*
 * Errors: a function that fails records one message with its context in a
 * struct lc_err and returns -1 (or NULL); only main.c prints and exits.
 * Topology problems are collected as a list of diagnostics, each with the
 * file:line:column it is about, and become one error holding every line.
 */
#ifndef LC_ERR_H
#define LC_ERR_H

#include <stdbool.h>
#include <stddef.h>

/* labctl's exit codes (labctl.1, EXIT STATUS), mapped from errors in one place: main.c. */
enum lc_exit {
	LC_EXIT_OK = 0,
	LC_EXIT_RUNTIME = 1,  /* libvirt, I/O, download */
	LC_EXIT_USAGE = 2,    /* bad usage or invalid topology */
	LC_EXIT_RESOURCE = 3, /* not enough free VFs, host check FAIL */
};

/* Where in a topology or catalog file a value came from (1-based). */
struct lc_mark {
	const char *file; /* borrowed from the document that owns the text */
	int line;
	int col;
};

struct lc_err {
	enum lc_exit code;
	char *msg;	 /* NULL while no error is recorded */
	bool positioned; /* msg begins with FILE:LINE:COL: it names its own place */
};

#define LC_ERR_INIT                                                                                \
	{                                                                                          \
		LC_EXIT_OK, NULL, false                                                            \
	}

/* Record an error (the first one recorded wins) and return -1. */
int lc_err_set(struct lc_err *e, enum lc_exit code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Put context in front of the recorded message: "node \"x\": " + msg. */
void lc_err_prefix(struct lc_err *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/*
 * Put a topology position in front of the recorded message ("FILE:L:C: " +
 * the prefix fmt gives + msg) and mark the error as positioned.
 */
void lc_err_prefix_at(struct lc_err *e, struct lc_mark at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void lc_err_release(struct lc_err *e);
/* Move the error out of src into dst (dst must be empty). */
void lc_err_move(struct lc_err *dst, struct lc_err *src);

struct lc_diag {
	struct lc_mark at; /* at.file points at file below */
	char *file;	   /* a copy: diagnostics outlive the document they are about */
	char *msg;
};

struct lc_diags {
	struct lc_diag *v;
	size_t n, cap;
};

void lc_diags_init(struct lc_diags *d);
void lc_diags_release(struct lc_diags *d);
void lc_diag_add(struct lc_diags *d, struct lc_mark at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Sort by position and turn the diagnostics into one LC_EXIT_USAGE error of
 * "FILE:LINE:COL: message" lines; returns -1, or 0 when there are none.
 */
int lc_diags_to_err(struct lc_diags *d, struct lc_err *e);

#include "alloc.h"

#endif

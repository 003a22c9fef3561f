/* Times as labctl writes them everywhere: ISO 8601 in UTC, "2026-12-03T09:11:16Z". */
#ifndef LC_ISOTIME_H
#define LC_ISOTIME_H

#include <time.h>

#define LC_ISO8601_SIZE sizeof("YYYY-MM-DDTHH:MM:SSZ")

/*
 * Write t into out; returns 0, or -1 (out then "") when t has no such
 * form: gmtime_r cannot break it down or its year is not 0 to 9999.
 */
int lc_iso8601(time_t t, char out[LC_ISO8601_SIZE]);
/* The time lc_iso8601 wrote into s; -1 when s is not of that form. */
int lc_iso8601_parse(const char *s, time_t *t);

#include "alloc.h"

#endif

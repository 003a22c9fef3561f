/* "did you mean ...?" for misspelt keys and names. */
#ifndef LC_SUGGEST_H
#define LC_SUGGEST_H

#include <stddef.h>

/* Edit distance (Levenshtein) between two short strings. */
size_t lc_edit_distance(const char *a, const char *b);
/*
 * The candidate closest to word, if close enough to be a plausible typo
 * (at most a third of its length, and at most 3 edits); else NULL. Borrowed.
 */
const char *lc_suggest(const char *word, const char *const *candidates, size_t n);

#endif

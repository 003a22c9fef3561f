/*
 * SIGINT and SIGTERM: the first asks long work to stop starting new things
 * and finish what is in flight, so that up or down can continue later; a
 * second SIGINT exits at once. main.c installs the handlers and turns the
 * signal into the exit code (130, 143); the work polls lc_interrupted().
 */
#ifndef LC_INTERRUPT_H
#define LC_INTERRUPT_H

#include <stdbool.h>

void lc_interrupt_install(void);
/*
 * For work that changes nothing (validate, render, graph, status): the
 * first SIGINT or SIGTERM ends the process at once with 128 + the signal,
 * even in a blocking read. false again around writes that must not be cut
 * (render -o's files); a signal received meanwhile is then only recorded.
 */
void lc_interrupt_set_immediate(bool immediate);
/* The signal received (SIGINT or SIGTERM), or 0. */
int lc_interrupted(void);

#endif

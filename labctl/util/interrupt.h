/*
 * SIGINT and SIGTERM: the first asks long work to stop starting new things
 * and finish what is in flight, so that up or down can continue later; a
 * second SIGINT exits at once. main.c installs the handlers and turns the
 * signal into the exit code (130, 143); the work polls lc_interrupted().
 */
#ifndef LC_INTERRUPT_H
#define LC_INTERRUPT_H

void lc_interrupt_install(void);
/* The signal received (SIGINT or SIGTERM), or 0. */
int lc_interrupted(void);

#endif

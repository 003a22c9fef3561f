/* Signal-driven interruption; see interrupt.h. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "interrupt.h"

static volatile sig_atomic_t received, immediate;

static void on_signal(int sig)
{
	if (immediate)
		_exit(128 + sig); /* nothing to finish: stop at once, even in a read */
	if (received && sig == SIGINT)
		_exit(128 + SIGINT); /* asked twice: the user wants out now */
	received = sig;
}

void lc_interrupt_set_immediate(bool on)
{
	immediate = on;
	if (on && received)
		_exit(128 + received);
}

void lc_interrupt_install(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	/* libvirt and libcurl sit in system calls: let them resume, and poll instead */
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* a libvirtd that goes away must be an error to report, not a silent death */
	signal(SIGPIPE, SIG_IGN);
}

int lc_interrupted(void)
{
	return received;
}

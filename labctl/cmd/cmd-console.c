/*
 * labctl console LAB NODE: the node's serial console through libvirt (the
 * stream virsh console uses), for nodes that never get an address. On a
 * terminal it is raw and Ctrl-] leaves, as in virsh; otherwise stdin is
 * typed in and the output copied until the console closes or a signal.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cmd.h"
#include "interrupt.h"
#include "lab-hosts.h"
#include "virt.h"

#define ESCAPE 0x1d /* Ctrl-] */

struct pump {
	struct lc_console *c;
	volatile int done;
};

/* Console output to stdout, on a thread of its own: the stream's reads block. */
static void *output(void *arg)
{
	struct pump *p = arg;
	char buf[4096];
	int got;
	while (!p->done && (got = lc_console_recv(p->c, buf, sizeof(buf))) > 0) {
		for (ssize_t off = 0, w; off < got; off += w)
			if ((w = write(STDOUT_FILENO, buf + off, (size_t)(got - off))) < 0)
				break;
	}
	p->done = 1;
	return NULL;
}

static int cmd_console(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	if (argc != 3)
		return lc_cmd_usage(&lc_cmd_console_entry, err);
	/* the node may be on any host the lab's journal names: its console is there */
	struct lc_lab_doms ld;
	if (lc_cmd_virt(s, err) < 0 || lc_lab_doms_init(&ld, &s->opts, s->virt, argv[1], err) < 0)
		return -1;
	const struct lc_virt_obj *d = lc_cmd_find_node(ld.doms, ld.n, argv[1], argv[2], err);
	for (size_t i = 0; !d && s->opts.verbosity >= 0 && i < ld.n_unreached; i++)
		fprintf(stderr, "labctl: warning: host %s: %s; its nodes cannot be reached\n",
			ld.unreached[i].host, ld.unreached[i].why);
	/* ld holds the node's host's connection for as long as the console is open */
	struct lc_console *c = d ? lc_virt_console_open(ld.virt[d - ld.doms], d->name, err) : NULL;
	if (!c) {
		lc_lab_doms_release(&ld);
		return -1;
	}
	bool tty = isatty(STDIN_FILENO);
	struct termios saved, raw;
	if (tty && tcgetattr(STDIN_FILENO, &saved) == 0) {
		raw = saved;
		cfmakeraw(&raw);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &raw);
		fprintf(stderr, "labctl: console of %s %s (Ctrl-] leaves)\r\n", argv[1], argv[2]);
	}
	struct pump p = {c, 0};
	pthread_t t;
	int rc = 0;
	if (pthread_create(&t, NULL, output, &p) != 0) {
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "cannot start the console's reader");
		goto out;
	}
	bool in_open = true;
	while (!p.done && !lc_interrupted()) {
		char buf[1024];
		ssize_t got = in_open ? read(STDIN_FILENO, buf, sizeof(buf)) : 0;
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0) {
			/* stdin ended (a script): keep copying the output until stopped */
			in_open = false;
			usleep(100 * 1000);
			continue;
		}
		char *esc = tty ? memchr(buf, ESCAPE, (size_t)got) : NULL;
		if (lc_console_send(c, buf, esc ? (size_t)(esc - buf) : (size_t)got) < 0 || esc)
			break;
	}
	p.done = 1;
	/* the reader may be blocked in the stream: closing it wakes the reader */
	lc_console_close(c);
	c = NULL;
	pthread_join(t, NULL);
out:
	lc_console_close(c);
	lc_lab_doms_release(&ld);
	if (tty)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	return rc;
}

const struct lc_cmd_entry lc_cmd_console_entry = {
    .name = "console",
    .usage = "LAB NODE",
    .summary = "the node's serial console through libvirt (Ctrl-] leaves)",
    .flags = LC_CMD_NEEDS_VIRT,
    .exec = cmd_console,
};

/* The lab's SSH key and ssh's files; see lab-ssh.h. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "buf.h"
#include "fsutil.h"
#include "journal.h"
#include "lab-ssh.h"
#include "seed.h"
#include "virt.h"

extern char **environ;

char *lc_lab_file(const char *state_dir, const char *lab, const char *name)
{
	char *dir = lc_journal_dir(state_dir, lab);
	char *p = lc_asprintf("%s/%s", dir, name);
	free(dir);
	return p;
}

int lc_lab_key_ensure(const char *state_dir, const struct lc_topology *t, struct lc_err *err)
{
	if (t->ssh_key.v)
		return 0;
	char *dir = lc_journal_dir(state_dir, t->name.v);
	char *key = lc_asprintf("%s/id_ed25519", dir);
	char *pub = lc_asprintf("%s.pub", key);
	int rc = 0;
	if (lc_file_exists(key) && lc_file_exists(pub))
		goto out;
	if ((rc = lc_mkdir_p(dir, err)) < 0)
		goto out;
	unlink(key);
	unlink(pub);
	char *comment = lc_asprintf("labctl-%s", t->name.v);
	char *argv[] = {"ssh-keygen", "-q",    "-t", "ed25519", "-N", "",
			"-C",	      comment, "-f", key,	NULL};
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int e = posix_spawnp(&pid, "ssh-keygen", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	free(comment);
	int status = 0;
	if (e != 0)
		rc = lc_err_set(
		    err, LC_EXIT_RUNTIME,
		    "cannot run ssh-keygen for the lab's key: %s (install openssh-client)",
		    strerror(e));
	else if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		rc = lc_err_set(err, LC_EXIT_RUNTIME, "ssh-keygen could not make '%s'", key);
	else
		chmod(key, 0600);
out:
	free(dir);
	free(key);
	free(pub);
	return rc;
}

static char *first_line(const char *path)
{
	char *text;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	if (lc_read_file(path, &text, &len, &ignore) < 0) {
		lc_err_release(&ignore);
		return NULL;
	}
	text[strcspn(text, "\r\n")] = '\0';
	return text;
}

char *lc_lab_pubkey(const char *state_dir, const struct lc_topology *t)
{
	if (t->ssh_key_text) {
		char *k = lc_strdup(t->ssh_key_text);
		k[strcspn(k, "\r\n")] = '\0';
		return k;
	}
	char *pub = lc_lab_file(state_dir, t->name.v, "id_ed25519.pub");
	char *k = first_line(pub);
	free(pub);
	return k;
}

char *lc_lab_identity(const char *state_dir, const char *lab)
{
	char *own = lc_lab_file(state_dir, lab, "id_ed25519");
	if (lc_file_exists(own))
		return own;
	free(own);
	/* the topology's key: up wrote where its private half is, when it has one */
	char *note = lc_lab_file(state_dir, lab, "identity");
	char *id = first_line(note);
	free(note);
	if (id && (!*id || !lc_file_exists(id))) {
		free(id);
		id = NULL;
	}
	return id;
}

/* Remember the private half of the topology's ssh_key (KEY.pub -> KEY), if it has one. */
static int note_identity(const char *state_dir, const struct lc_topology *t, struct lc_err *err)
{
	if (!t->ssh_key.v)
		return 0;
	size_t l = strlen(t->ssh_key.v);
	char *priv = l > 4 && strcmp(t->ssh_key.v + l - 4, ".pub") == 0
			 ? lc_strndup(t->ssh_key.v, l - 4)
			 : lc_strdup("");
	if (*priv && !lc_file_exists(priv))
		priv[0] = '\0';
	char *note = lc_lab_file(state_dir, t->name.v, "identity");
	char *line = lc_asprintf("%s\n", priv);
	int rc = lc_write_file(note, line, strlen(line), err);
	free(line);
	free(note);
	free(priv);
	return rc;
}

int lc_lab_ssh_config(const char *state_dir, const struct lc_topology *t,
		      const struct lc_addrs *addrs, struct lc_err *err)
{
	if (note_identity(state_dir, t, err) < 0)
		return -1;
	char *id = lc_lab_identity(state_dir, t->name.v);
	char *known = lc_lab_file(state_dir, t->name.v, "known_hosts");
	struct lc_buf b = LC_BUF_INIT;
	lc_buf_addf(&b, "# written by labctl up for lab %s: ssh -F THIS_FILE NODE\n", t->name.v);
	const struct lc_node *last = NULL;
	for (size_t i = 0; i < addrs->n; i++) {
		const struct lc_addr *a = &addrs->v[i];
		/* a node's first planned address is where it is reached */
		if (a->node == last || !a->ip[0])
			continue;
		last = a->node;
		lc_buf_addf(&b, "\nHost %s\n  HostName %s\n  User %s\n", a->node->name, a->ip,
			    LC_SEED_USER);
		if (id)
			lc_buf_addf(&b, "  IdentityFile \"%s\"\n  IdentitiesOnly yes\n", id);
		lc_buf_addf(&b,
			    "  UserKnownHostsFile \"%s\"\n  StrictHostKeyChecking accept-new\n"
			    "  LogLevel ERROR\n",
			    known);
	}
	char *path = lc_lab_file(state_dir, t->name.v, "ssh_config");
	int rc = lc_write_file(path, lc_buf_str(&b), b.len, err);
	free(path);
	lc_buf_release(&b);
	free(known);
	free(id);
	return rc;
}

int lc_lab_node_address(struct lc_virt *v, const struct lc_virt_obj *dom, char ip[16],
			struct lc_err *err)
{
	ip[0] = '\0';
	struct lc_ifaddr *a;
	size_t n;
	if (lc_virt_domain_addresses(v, dom->name, &a, &n, err) < 0)
		return -1;
	for (size_t k = 0; k < dom->n_nics && !ip[0]; k++)
		for (size_t i = 0; i < n && !ip[0]; i++)
			if (strcasecmp(a[i].mac, dom->nic_macs.v[k]) == 0)
				memcpy(ip, a[i].ip, 16);
	if (!ip[0] && n)
		memcpy(ip, a[0].ip, 16);
	free(a);
	return 0;
}

int lc_lab_planned_address(const char *state_dir, const char *lab, const char *node, char ip[16])
{
	char *path = lc_lab_file(state_dir, lab, "ssh_config");
	char *text;
	size_t len;
	struct lc_err ignore = LC_ERR_INIT;
	int rc = lc_read_file(path, &text, &len, &ignore);
	free(path);
	lc_err_release(&ignore);
	if (rc < 0)
		return 0;
	/* the file lc_lab_ssh_config wrote: "Host NODE" then "  HostName IP" */
	bool ours = false;
	int found = 0;
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l && !found;
	     l = strtok_r(NULL, "\n", &save)) {
		if (strncmp(l, "Host ", 5) == 0)
			ours = strcmp(l + 5, node) == 0;
		else if (ours && strncmp(l, "  HostName ", 11) == 0 && strlen(l + 11) < 16) {
			memcpy(ip, l + 11, strlen(l + 11) + 1);
			found = 1;
		}
	}
	free(text);
	return found;
}

void lc_ssh_probe_release(struct lc_ssh_probe *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
}

int lc_ssh_probe_step(struct lc_ssh_probe *p, const char *ip, int port, double now, double retry_s)
{
	if (p->fd >= 0 && now - p->since > retry_s)
		lc_ssh_probe_release(p);
	if (p->fd < 0) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
		if (inet_pton(AF_INET, ip, &sa.sin_addr) != 1)
			return 0;
		p->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		if (p->fd < 0)
			return 0;
		p->since = now;
		if (connect(p->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 &&
		    errno != EINPROGRESS) {
			lc_ssh_probe_release(p);
			return 0;
		}
	}
	struct pollfd pf = {p->fd, POLLIN, 0};
	if (poll(&pf, 1, 0) != 1)
		return 0; /* nothing yet */
	/* the server speaks first: "SSH-2.0-..." */
	char buf[4];
	ssize_t got = (pf.revents & POLLIN) ? recv(p->fd, buf, 4, MSG_PEEK) : -1;
	/* a part of the banner: the rest comes on this connection */
	if (got > 0 && got < 4 && !(pf.revents & (POLLERR | POLLHUP)))
		return 0;
	int ok = got == 4 && memcmp(buf, "SSH-", 4) == 0;
	lc_ssh_probe_release(p);
	return ok;
}

void lc_lab_ssh_argv(const char *state_dir, const char *lab, const char *ip, char *const *cmd,
		     size_t n_cmd, struct lc_strv *argv)
{
	lc_strv_init(argv);
	char *id = lc_lab_identity(state_dir, lab);
	char *known = lc_lab_file(state_dir, lab, "known_hosts");
	lc_strv_push(argv, "ssh");
	if (id) {
		lc_strv_push(argv, "-i");
		lc_strv_push_nodup(argv, id);
		lc_strv_push(argv, "-o");
		lc_strv_push(argv, "IdentitiesOnly=yes");
	}
	lc_strv_push(argv, "-o");
	lc_strv_pushf(argv, "UserKnownHostsFile=%s", known);
	lc_strv_push(argv, "-o");
	lc_strv_push(argv, "StrictHostKeyChecking=accept-new");
	lc_strv_push(argv, "-o");
	lc_strv_push(argv, "LogLevel=ERROR");
	lc_strv_pushf(argv, "%s@%s", LC_SEED_USER, ip);
	if (n_cmd)
		lc_strv_push(argv, "--");
	for (size_t i = 0; i < n_cmd; i++)
		lc_strv_push(argv, cmd[i]);
	free(known);
}

/* labctl kinds: the node kinds and network templates the templates directory holds. */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "output.h"
#include "templates.h"

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void json_list(struct lc_buf *b, const char *key, char **v, size_t n)
{
	lc_buf_addf(b, "\"%s\":[", key);
	for (size_t i = 0; i < n; i++) {
		if (i)
			lc_buf_addc(b, ',');
		lc_json_str(b, v[i]);
	}
	lc_buf_addc(b, ']');
}

static int cmd_kinds(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)argv;
	if (argc != 1)
		return lc_cmd_usage(&lc_cmd_kinds_entry, err);
	char **kinds = NULL, **nets = NULL;
	size_t nk = 0, nn = 0;
	if (lc_template_kinds(s->opts.templates, &kinds, &nk, err) < 0)
		return -1;
	if (lc_template_net_modes(s->opts.templates, &nets, &nn, err) < 0) {
		free_list(kinds, nk);
		return -1;
	}
	struct lc_buf b = LC_BUF_INIT;
	if (s->opts.json) {
		lc_buf_adds(&b, "{\"templates\":");
		lc_json_str(&b, s->opts.templates);
		lc_buf_addc(&b, ',');
		json_list(&b, "kinds", kinds, nk);
		lc_buf_addc(&b, ',');
		json_list(&b, "networks", nets, nn);
		lc_buf_adds(&b, "}\n");
	} else {
		lc_buf_addf(&b, "node kinds (%s):\n", s->opts.templates);
		for (size_t i = 0; i < nk; i++)
			lc_buf_addf(&b, "  %s\n", kinds[i]);
		lc_buf_adds(&b, "network templates (mode):\n");
		for (size_t i = 0; i < nn; i++)
			lc_buf_addf(&b, "  %s\n", nets[i]);
	}
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
	free_list(kinds, nk);
	free_list(nets, nn);
	return 0;
}

const struct lc_cmd_entry lc_cmd_kinds_entry = {
    .name = "kinds",
    .usage = "",
    .summary = "the node kinds and network templates labctl can render",
    .flags = LC_CMD_JSON,
    .exec = cmd_kinds,
};

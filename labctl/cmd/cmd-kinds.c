/* labctl kinds: the node kinds and network templates the templates directory holds. */
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "cmd.h"
#include "json-writer.h"
#include "templates.h"

static void json_list(struct lc_jw *jw, const char *key, const struct lc_strv *l)
{
	lc_jw_object_inline_begin_array(jw, key);
	for (size_t i = 0; i < l->n; i++)
		lc_jw_array_string(jw, l->v[i]);
	lc_jw_end(jw);
}

static int cmd_kinds(struct lc_session *s, int argc, char **argv, struct lc_err *err)
{
	(void)argv;
	if (argc != 1)
		return lc_cmd_usage(&lc_cmd_kinds_entry, err);
	struct lc_strv kinds, nets;
	if (lc_template_kinds(s->opts.templates, &kinds, err) < 0)
		return -1;
	if (lc_template_net_modes(s->opts.templates, &nets, err) < 0) {
		lc_strv_release(&kinds);
		return -1;
	}
	struct lc_buf b = LC_BUF_INIT;
	if (s->opts.json) {
		struct lc_jw jw = LC_JW_INIT;
		lc_jw_object_begin(&jw);
		lc_jw_object_string(&jw, "templates", s->opts.templates);
		json_list(&jw, "kinds", &kinds);
		json_list(&jw, "networks", &nets);
		lc_jw_end(&jw);
		lc_buf_addf(&b, "%s\n", lc_jw_str(&jw));
		lc_jw_release(&jw);
	} else {
		lc_buf_addf(&b, "node kinds (%s):\n", s->opts.templates);
		for (size_t i = 0; i < kinds.n; i++)
			lc_buf_addf(&b, "  %s\n", kinds.v[i]);
		lc_buf_adds(&b, "network templates (mode):\n");
		for (size_t i = 0; i < nets.n; i++)
			lc_buf_addf(&b, "  %s\n", nets.v[i]);
	}
	fputs(lc_buf_str(&b), stdout);
	lc_buf_release(&b);
	lc_strv_release(&kinds);
	lc_strv_release(&nets);
	return 0;
}

const struct lc_cmd_entry lc_cmd_kinds_entry = {
    .name = "kinds",
    .usage = "",
    .summary = "the node kinds and network templates labctl can render",
    .flags = LC_CMD_JSON,
    .exec = cmd_kinds,
};

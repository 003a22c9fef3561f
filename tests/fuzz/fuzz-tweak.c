/*
 * libFuzzer harness: an XML tweak (an XPath and a value or fragment) checked
 * and applied to a rendered domain, which is then stamped with its
 * rendered-sha256 as lc_render_domain does after the tweaks. Input: the first byte picks set,
 * remove or append; up to the first newline is the XPath; the rest the value.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <libxml/parser.h>

#include "render.h"
#include "templates.h"
#include "tweak.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char domain[] =
    "<domain type='kvm'><name>lab-n</name><memory unit='KiB'>1048576</memory>"
    "<vcpu>1</vcpu><os><type arch='x86_64' machine='q35'>hvm</type></os>"
    "<cpu mode='host-passthrough'><feature policy='require' name='svm'/></cpu>"
    "<devices><disk type='volume' device='disk'><source pool='labctl' volume='v'/>"
    "<target dev='vda' bus='virtio'/></disk><interface type='network'>"
    "<source network='n'/></interface><video/></devices><metadata>"
    "<labctl:node xmlns:labctl='https://labctl.dev/xmlns/labctl/1' lab='lab' node='n'/>"
    "</metadata></domain>";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2)
		return 0;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	const char *nl = memchr(text, '\n', len);
	if (!nl || memchr(text, '\0', len))
		return 0;
	char *xpath = lc_strndup(text, (size_t)(nl - text));
	char *value = lc_strndup(nl + 1, len - (size_t)(nl - text) - 1);
	struct lc_tweak tw = {
	    .op = (enum lc_tweak_op)(data[0] % 3),
	    .xpath = {xpath, {"fuzz", 1, 1}},
	    .value = {data[0] % 3 == LC_TWEAK_REMOVE ? NULL : value, {"fuzz", 1, 1}}};
	struct lc_err err = LC_ERR_INIT;
	if (lc_tweak_check(&tw, &err) == 0) {
		xmlDocPtr doc = lc_xml_parse("domain", domain, sizeof(domain) - 1, &err);
		if (doc) {
			if (lc_tweak_apply(doc, &tw, &err) == 0) {
				lc_render_stamp_sha256(doc);
				free(lc_render_domain_sha256(doc));
			}
			xmlFreeDoc(doc);
		}
	}
	lc_err_release(&err);
	free(xpath);
	free(value);
	return 0;
}

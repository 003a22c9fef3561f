/* libvirt connection URIs; see uri.h. */
#include <string.h>

#include "uri.h"

bool lc_uri_is_local(const char *uri)
{
	const char *p = uri ? strstr(uri, "://") : NULL;
	return p && p[3] == '/';
}

bool lc_uri_remote(const char *uri)
{
	const char *sep = uri ? strstr(uri, "://") : NULL;
	if (!sep)
		return false;
	/* a transport: qemu+ssh, qemu+unix, qemu+tcp, qemu+tls */
	if (memchr(uri, '+', (size_t)(sep - uri)))
		return true;
	/* a host name: qemu://b/system */
	return sep[3] != '/' && sep[3] != '\0';
}

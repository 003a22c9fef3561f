/* libvirt connection URIs; see uri.h. */
#include <string.h>

#include "uri.h"

bool lc_uri_is_local(const char *uri)
{
	const char *p = uri ? strstr(uri, "://") : NULL;
	return p && p[3] == '/';
}

/* ISO 8601 times; see isotime.h. */
#include <stdio.h>
#include <string.h>

#include "isotime.h"

#define ISO8601_FMT "%Y-%m-%dT%H:%M:%SZ"

int lc_iso8601(time_t t, char out[LC_ISO8601_SIZE])
{
	struct tm tm;
	out[0] = '\0';
	/* tm_year counts from 1900; %Y would not pad a year below 1000 to four digits */
	if (!gmtime_r(&t, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return -1;
	/* the remainders only show the compiler that each field fits */
	snprintf(out, LC_ISO8601_SIZE, "%04u-%02u-%02uT%02u:%02u:%02uZ",
		 (unsigned)(tm.tm_year + 1900) % 10000u, (unsigned)(tm.tm_mon + 1) % 100u,
		 (unsigned)tm.tm_mday % 100u, (unsigned)tm.tm_hour % 100u,
		 (unsigned)tm.tm_min % 100u, (unsigned)tm.tm_sec % 100u);
	return 0;
}

int lc_iso8601_parse(const char *s, time_t *t)
{
	struct tm tm;
	memset(&tm, 0, sizeof(tm));
	const char *end = strptime(s, ISO8601_FMT, &tm);
	if (!end || *end)
		return -1;
	*t = timegm(&tm);
	return 0;
}

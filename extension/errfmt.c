/*
 * errfmt.c
 *	  The reason a pure-C check gives when it refuses its input.  See
 *	  errfmt.h.  Pure C: never includes postgres.h.
 */
#include "errfmt.h"

#include <stdio.h>

/* Formats a refusal's reason into the caller's buffer, if it has room. */
void
cos_format_error(char *errbuf, size_t errlen, const char *fmt, va_list ap)
{
	if (errlen > 0)
		vsnprintf(errbuf, errlen, fmt, ap);
}

/*
 * errfmt.h
 *	  The reason a pure-C check gives when it refuses its input, written
 *	  into the caller's buffer (initdata.c and jwt.c share it).
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_ERRFMT_H
#define COS_ERRFMT_H

#include <stdarg.h>
#include <stddef.h>

/*
 * cos_format_error: format fmt with ap into errbuf, as vsnprintf does
 * (truncated to errlen - 1 bytes, NUL-terminated).  Nothing is written
 * when errlen is 0, so errbuf may then be NULL.
 */
extern void cos_format_error(char *errbuf, size_t errlen, const char *fmt, va_list ap)
			__attribute__((format(printf, 3, 0)));

#endif							/* COS_ERRFMT_H */

/*
 * url_parse.h
 *	  The generic URL splitter behind cos_url_parse(), and the helpers the
 *	  platform rules share (internal to url*.c, not part of the interface).
 *
 * cos_url_split() takes a trimmed URL free of control characters, spaces and
 * backslashes, splits it into host, path segments and query, and refuses
 * anything unusual.  The platform rules (url_video_sites.c, url_social.c)
 * then check the segments with the helpers below and fill a CosUrl with
 * cos_url_set_target() and cos_url_set_canonical().  Every function that can
 * fail writes a lower-case reason without a period into err (errlen bytes;
 * err may be NULL) and returns false.
 *
 * Pure C: never includes postgres.h.
 */
#ifndef COS_URL_PARSE_H
#define COS_URL_PARSE_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"

/* Most path segments any accepted form has, with room to spare. */
#define URL_MAX_SEGS 8

/* Longest host name (DNS limit). */
#define URL_HOST_MAX 253

/* A URL split into the parts the platform rules look at. */
typedef struct SplitUrl
{
	char		host[URL_HOST_MAX + 1]; /* lower case, no trailing dot */
	CosPlatform platform;
	int			nseg;			/* non-empty path segments */
	char		seg[URL_MAX_SEGS][COS_ID_MAX];	/* percent-decoded */
	const char *query;			/* after '?', not NUL-terminated */
	size_t		querylen;
} SplitUrl;

/* ---- splitting ---- */

/*
 * Split the trimmed URL [s, s+len) into *p (which the caller zeroes).  The
 * scheme is optional; when present it must be http or https followed by
 * "//".  The host must be one of a platform's public hosts.
 */
extern bool cos_url_split(const char *s, size_t len, SplitUrl *p,
						  char *err, size_t errlen);

/*
 * Find query parameter key and decode its value into dst as path segments
 * are decoded.  Returns the number of times key occurs (the value is that of
 * the first occurrence), or -1 after writing err if a value cannot be decoded.
 */
extern int	cos_url_query_param(const SplitUrl *p, const char *key,
								char *dst, size_t dstlen,
								char *err, size_t errlen);

/* ---- checks ---- */

/* Write a formatted reason into err (if any) and return false. */
extern bool cos_url_fail(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

/* ASCII letter test, independent of the C locale. */
extern bool cos_url_is_alpha(unsigned char c);

/* Lower-case an ASCII string in place. */
extern void cos_url_lower_ascii(char *s);

/* True if s is minlen..maxlen bytes, all letters, digits or bytes of extra. */
extern bool cos_url_chars_in(const char *s, size_t minlen, size_t maxlen,
							 const char *extra);

/* True if s is 1..maxlen decimal digits without a leading zero. */
extern bool cos_url_is_numeric_id(const char *s, size_t maxlen);

/* True if s is a short-link code: 1..32 letters or digits. */
extern bool cos_url_is_short_code(const char *s);

/* Case-insensitive equality for ASCII path keywords. */
extern bool cos_url_is(const char *s, const char *keyword);

/* True if s (case-insensitively) is in the NULL-terminated list. */
extern bool cos_url_in_list(const char *s, const char *const *list);

/* ---- results ---- */

/* Copy src into dst (size dstlen); false if it does not fit. */
extern bool cos_url_copy_field(char *dst, size_t dstlen, const char *src);

/*
 * Fill the identity fields of out (id is idprefix followed by id); false if
 * id or handle does not fit.
 */
extern bool cos_url_set_target(CosUrl *out, CosUrlKind kind, bool pending,
							   const char *idprefix, const char *id,
							   const char *handle, char *err, size_t errlen);

/* Format the canonical URL into out; false if it does not fit. */
extern bool cos_url_set_canonical(CosUrl *out, char *err, size_t errlen,
								  const char *fmt,...)
			__attribute__((format(printf, 4, 5)));

#endif							/* COS_URL_PARSE_H */

/*
 * pgrst.h
 *	  PostgREST's conventions the HTTP gateway follows, as pure functions:
 *	  the SQLSTATE -> HTTP status table, CORS origin matching, the
 *	  cos.http_listen address, upload names, ETag matching, and how much
 *	  of a text an error body quotes.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_PGRST_H
#define COS_PGRST_H

#include <stdbool.h>
#include <stddef.h>

/*
 * cos_pgrst_status: the HTTP status PostgREST answers for an error with
 * SQLSTATE sqlstate (5 characters) raised while running a request, per the
 * table in PostgREST's docs (references/errors.rst, "HTTP Status Codes"):
 * 08* 503, 09* 500, 0L* 0P* 403, 23503 23505 409, 25006 405, 25* 500,
 * 28* 403, 2D* 38* 39* 3B* 40* 500, 53400 500, 53* 503, 54* 55* 57* 58*
 * F0* HV* 500, P0001 400, P0* 500, XX* 500, 42883 42P01 404, 42P17 500,
 * 42501 403 when authenticated else 401, and 400 for every other code.
 * A custom code PTnnn (raise sqlstate 'PT402') answers status nnn.
 * A NULL or malformed sqlstate answers 500.
 */
extern int	cos_pgrst_status(const char *sqlstate, bool authenticated);

/*
 * cos_cors_allowed: whether a request from origin (the Origin header, e.g.
 * "https://app.example") may read the answer, given setting, the value of
 * cos.http_cors_origin: "" (or NULL) = no cross-origin access, "*" = any
 * origin, else a comma-separated list of exact origins (blanks around the
 * commas ignored).  A NULL or empty origin is never allowed.
 */
extern bool cos_cors_allowed(const char *setting, const char *origin);

/*
 * cos_parse_listen: split cos.http_listen ("127.0.0.1:8787", "[::1]:8787",
 * "localhost:80") into host and port.  host receives at most hostsize - 1
 * bytes (brackets of an IPv6 literal removed).  Returns false for a missing
 * host or port, a port outside 1..65535, a host too long, or trailing junk.
 */
extern bool cos_parse_listen(const char *s, char *host, size_t hostsize, int *port);

/*
 * cos_upload_name_valid: whether name is a stored upload's name, the
 * SHA-256 of its content as 64 lower-case hexadecimal digits.
 */
extern bool cos_upload_name_valid(const char *name);

/*
 * cos_etag_matches: whether an If-None-Match header value (RFC 9110
 * section 13.1.2: "*" or a comma-separated list of entity tags, each
 * possibly weak, W/"...") matches the entity tag etag (given with its
 * quotes, e.g. "\"abc\"").  Weak comparison, as If-None-Match uses.
 */
extern bool cos_etag_matches(const char *if_none_match, const char *etag);

/*
 * cos_utf8_clip: how many bytes of the NUL-terminated UTF-8 text s to keep
 * so that at most max bytes remain without cutting a character in two:
 * strlen(s) when it is no longer than max, else max backed up to the start
 * of the character it would cut (a byte that is not a continuation byte).
 */
extern size_t cos_utf8_clip(const char *s, size_t max);

#endif							/* COS_PGRST_H */

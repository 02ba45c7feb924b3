/*
 * webapp.h
 *	  The rules by which the HTTP gateway serves the mini-app's built files
 *	  under /app/ (bgworker/http_static.c), as pure functions: which request
 *	  paths may name a file, each file's Content-Type and Cache-Control, and
 *	  whether a client takes gzip.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_WEBAPP_H
#define COS_WEBAPP_H

#include <stdbool.h>

/*
 * cos_webapp_path_ok: whether rel, the part of a decoded request path after
 * "/app/" (e.g. "assets/index-3f2a.js"), may name a file in the mini-app's
 * directory: "" (the page itself), or segments of printable ASCII other
 * than '\' joined by single '/' (one may end rel), none of them "", "." or
 * ".." and none starting with '.' (no hidden files); at most 512 bytes.  A path that
 * passes cannot leave the directory by itself (symbolic links are the
 * caller's to check).
 */
extern bool cos_webapp_path_ok(const char *rel);

/*
 * cos_webapp_content_type: the Content-Type of a file by its name's
 * extension (html, js, mjs, css, json, map, svg, png, jpg, jpeg, gif, webp,
 * avif, ico, woff, woff2, txt, webmanifest, wasm); text types with
 * charset=utf-8; "application/octet-stream" for any other.
 */
extern const char *cos_webapp_content_type(const char *name);

/*
 * cos_webapp_cache_control: Cache-Control for the file rel: files under
 * "assets/" have content-hashed names (Vite's build) and are
 * "public, max-age=31536000, immutable"; anything else, index.html first,
 * is "no-cache" (revalidated at every load, so a new build shows at once).
 */
extern const char *cos_webapp_cache_control(const char *rel);

/*
 * cos_accepts_gzip: whether an Accept-Encoding header value (RFC 9110
 * section 12.5.3: comma-separated codings, each with an optional ";q=")
 * accepts gzip: "gzip" or "x-gzip", or "*" without a "gzip" entry, with a
 * q-value that is not 0.  NULL (no header) accepts nothing.
 */
extern bool cos_accepts_gzip(const char *accept_encoding);

#endif							/* COS_WEBAPP_H */

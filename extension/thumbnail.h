/*
 * thumbnail.h
 *	  Checks on a thumbnail download: whether its URL (untrusted: it came
 *	  from a platform's page) may be requested, and what image a body is.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_THUMBNAIL_H
#define COS_THUMBNAIL_H

#include <stdbool.h>
#include <stddef.h>

/* Longest thumbnail URL accepted, in bytes. */
#define COS_THUMBNAIL_URL_MAX 2048

/*
 * cos_thumbnail_url_allowed: whether url may be requested as a thumbnail of
 * a platform whose CDN hosts are the nhosts host suffixes in hosts (lower
 * case, e.g. "tiktokcdn.com").  The URL is parsed with libcurl's URL API
 * (CURLU, RFC 3986); it must be http or https, name a host by DNS name (no
 * IP literal), carry no user info and no port other than the scheme's
 * default, and its host must equal a suffix or end with "." + suffix (whole
 * labels: "p16.tiktokcdn.com" matches "tiktokcdn.com", "eviltiktokcdn.com"
 * does not).  On success the lower-case host is written to host (hostlen
 * bytes, may be NULL) and true is returned; otherwise a lower-case reason
 * without a period goes to err (errlen bytes, may be NULL).
 */
extern bool cos_thumbnail_url_allowed(const char *url, const char *const *hosts, int nhosts,
									  char *host, size_t hostlen,
									  char *err, size_t errlen);

/*
 * cos_thumbnail_rebase: writes to out (outlen bytes) the URL to request for
 * url, as CURLU parsed it (lower-case host, percent-decoded host, dot
 * segments resolved, no default port, no fragment): with base NULL,
 * scheme://host + path and query, so that the request goes where the
 * allowlist check looked; with base set (a test fixture server), base (its
 * trailing slashes dropped) + "/" + host + path and query, e.g.
 * "http://127.0.0.1:8080/cdn" and "https://i.ytimg.com/vi/x/0.jpg?a=1" give
 * "http://127.0.0.1:8080/cdn/i.ytimg.com/vi/x/0.jpg?a=1".  False (and err)
 * when url does not parse or the result does not fit.
 */
extern bool cos_thumbnail_rebase(const char *base, const char *url, char *out, size_t outlen,
								 char *err, size_t errlen);

/*
 * cos_image_type: the media type of the image whose first bytes are
 * body[0..len), from its magic bytes (JPEG FF D8 FF; PNG's 8-byte signature;
 * GIF87a/GIF89a; WebP "RIFF" size "WEBP"; AVIF and HEIC: an ISO BMFF "ftyp"
 * box whose major brand is avif/avis or heic/heix/heim/heis/mif1/msf1), or
 * NULL when the body is none of these.
 */
extern const char *cos_image_type(const unsigned char *body, size_t len);

/*
 * cos_image_content_type_ok: whether a Content-Type header value (may be
 * NULL, may carry parameters) names one of the image types above
 * (image/jpeg, image/png, image/gif, image/webp, image/avif, image/heic;
 * also image/jpg and image/heif, which servers send for the same files).
 */
extern bool cos_image_content_type_ok(const char *content_type);

#endif							/* COS_THUMBNAIL_H */

/*
 * extract.h
 *	  Extractors: (source URL, response body) -> one result, as JSON.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 *
 * Result format (a jansson object):
 *   {"status": "ok"|"unavailable"|"private"|"blocked"|"error",
 *    "platform": "tiktok"|"youtube"|"instagram"|"likee"|"telegram",
 *    "error": null | "why, in words",
 *    "channels": [{"id","handle","title","followers","likes","views","videos",
 *                  "avatar_url"}],
 *    "videos":   [{"id","channel_id","url","title","published_at","duration_s",
 *                  "thumbnail_url","views","likes","comments","shares","saves"}],
 *    "next": null | "cursor or page token"}
 * Counters are JSON integers, or null when the document does not carry them
 * (never 0 in their place).  published_at is ISO 8601 UTC ("...Z").
 */
#ifndef COS_EXTRACT_H
#define COS_EXTRACT_H

#include <stddef.h>
#include <jansson.h>

#include "url.h"

/*
 * cos_extract_for: run the extractor of platform on body (len bytes, need not
 * be NUL-terminated, may be any bytes).  url is the URL the body was fetched
 * from; only its path and query are used to choose the document family, so a
 * loopback base URL works as well as the platform's own host.
 * Returns a new reference (caller json_decref()s); NULL only when out of memory.
 */
extern json_t *cos_extract_for(CosPlatform platform, const char *url,
							   const char *body, size_t len);

/*
 * cos_extract_for_target: as cos_extract_for, for a request made to read one
 * item, target_id (the job's external id, e.g. "durov/37"; NULL or "" when
 * the request is not about one item).  An extractor that can read that item
 * without the rest of the document does (Telegram: one post of a t.me/s/
 * preview page); the result then carries that item only, with the values the
 * whole document gives it.  Otherwise, and whenever that shortcut does not
 * find the item, the result is exactly cos_extract_for's.  Returns a new
 * reference; NULL only when out of memory.
 */
extern json_t *cos_extract_for_target(CosPlatform platform, const char *url,
									  const char *body, size_t len,
									  const char *target_id);

/*
 * cos_extract: as cos_extract_for, with the platform taken from url's host
 * (a real platform URL, e.g. "https://www.tiktok.com/@x/video/1").  An
 * unknown host gives status "error".
 */
extern json_t *cos_extract(const char *url, const char *body, size_t len);

#endif							/* COS_EXTRACT_H */

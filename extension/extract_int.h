/*
 * extract_int.h
 *	  Shared machinery of the extractors (not part of the public interface).
 *
 * One extractor per platform, each in extension/extract_<platform>.c, each
 * with the signature of cos_extract_for minus the platform:
 *
 *	json_t *cos_extract_<platform>(const char *url, const char *body, size_t len);
 *
 * url is never NULL (cos_extract_for passes "" instead); body is len bytes,
 * not NUL-terminated, and may be anything.  The extractor returns a result
 * built with cos_result_new() / cos_result_fail() (see extract.h for the
 * format), or NULL only when out of memory.  To add a platform: write its
 * file, then call it from the one marked line in CosDispatch() (extract.c).
 *
 * Pure C: never includes postgres.h.
 */
#ifndef COS_EXTRACT_INT_H
#define COS_EXTRACT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "extract.h"
#include "numparse.h"

/* Longest "error" reason we build, in bytes (longer ones are cut) */
#define COS_REASON_MAX 512

/* The extractors, one per platform */
extern json_t *cos_extract_tiktok(const char *url, const char *body, size_t len);

/* How much of a TikTok page's JSON cos_extract_tiktok_as parses */
typedef enum CosTikTokParse
{
	COS_TIKTOK_WHOLE,			/* the whole rehydration document */
	COS_TIKTOK_MEMBER,			/* the page's member of __DEFAULT_SCOPE__ */
	COS_TIKTOK_PARTS			/* of a video member, the parts read (default) */
} CosTikTokParse;

/*
 * cos_extract_tiktok parsing only as far as how says, each shortcut falling
 * back to the one before it: the references the shortcuts must equal
 * (tests and benches).
 */
extern json_t *cos_extract_tiktok_as(const char *url, const char *body, size_t len,
									 CosTikTokParse how);
extern json_t *cos_extract_youtube(const char *url, const char *body, size_t len);
extern json_t *cos_extract_instagram(const char *url, const char *body, size_t len);
extern json_t *cos_extract_likee(const char *url, const char *body, size_t len);
extern json_t *cos_extract_telegram(const char *url, const char *body, size_t len);

/*
 * One post of a t.me/s/ preview page, reading only that post's HTML when it
 * can (extract_telegram.c); else exactly cos_extract_telegram's result.
 */
extern json_t *cos_extract_telegram_post(const char *url, const char *body, size_t len,
										 const char *post);

/* ---- results ---- */

/*
 * A new result {"status":"ok","platform":<name or null>,"error":null,
 * "channels":[],"videos":[],"next":null}.  NULL when out of memory.
 */
extern json_t *cos_result_new(CosPlatform platform);

/*
 * A new result with status (one of "unavailable", "private", "blocked",
 * "error") and a printf-style reason in "error".
 */
extern json_t *cos_result_fail(CosPlatform platform, const char *status,
							   const char *fmt,...) __attribute__((format(printf, 3, 4)));

/*
 * Turn result into a failure: set status and reason, empty channels and
 * videos, null next.  Returns result (NULL stays NULL).
 */
extern json_t *cos_result_set_failure(json_t *result, const char *status,
									  const char *fmt,...) __attribute__((format(printf, 3, 4)));

/* The "status" string of a result, or "error" when there is none */
extern const char *cos_result_status(const json_t *result);

/* Append channel / video to result; steals the reference */
extern void cos_result_add_channel(json_t *result, json_t *channel);
extern void cos_result_add_video(json_t *result, json_t *video);

/*
 * A channel object with every key null: id, handle, title, followers,
 * likes, views, videos, avatar_url.
 */
extern json_t *cos_channel_new(void);

/*
 * A video object with every key null: id, channel_id, url, title,
 * published_at, duration_s, thumbnail_url, views, likes, comments, shares,
 * saves.
 */
extern json_t *cos_video_new(void);

/* ---- reading jansson values ---- */

/*
 * A counter from value: a non-negative JSON integer, an integral real
 * (documents parsed with JSON_DECODE_INT_AS_REAL), or a string that
 * cos_parse_count accepts ("16630", "2.7K", "1,856,109").  False otherwise
 * (null, missing, negative, garbage).
 */
extern bool cos_json_count(const json_t *value, long long *out);

/* The value of a non-empty JSON string, else NULL */
extern const char *cos_json_str(const json_t *value);

/*
 * Walk a path of object keys from root (NULL-terminated list); NULL when
 * any step is missing or not an object.  Borrowed reference.
 */
extern json_t *cos_json_path(const json_t *root,...) __attribute__((sentinel));

/*
 * An id from a JSON string, a non-negative integer, or an integral real up
 * to 2^53 (documents re-read with every integer as a real) into buf (idlen
 * bytes); false when value is none of these, is empty, or does not fit.
 */
extern bool cos_json_id(const json_t *value, char *buf, size_t idlen);

/* ---- setting fields of a channel / video object ---- */

/* obj[key] = counter from value (cos_json_count); untouched when absent */
extern bool cos_set_counter(json_t *obj, const char *key, const json_t *value);

/* obj[key] = first of a, b that is a counter (stats, then statsV2) */
extern bool cos_set_counter2(json_t *obj, const char *key,
							 const json_t *a, const json_t *b);

/* obj[key] = positive counter from value (durations: 0 means "none") */
extern bool cos_set_positive(json_t *obj, const char *key, const json_t *value);

/* The longest duration_s (it is stored in an int4 column) */
#define COS_DURATION_MAX 2147483647LL

/*
 * obj["duration_s"] = whole seconds of a duration value (a JSON integer, a
 * real or a numeric string such as "316") counted in units of unit_s seconds
 * (1 for seconds, 0.001 for milliseconds), floored: 16.266 -> 16.  Untouched
 * (false) when absent, not a number, under one second, or past
 * COS_DURATION_MAX: 0 means "no duration" (live streams, photo posts).
 */
extern bool cos_set_duration(json_t *obj, const json_t *value, double unit_s);

/* As cos_set_duration, from a count of seconds already parsed */
extern bool cos_set_duration_secs(json_t *obj, long long secs);

/* obj[key] = copy of a non-empty JSON string value; untouched otherwise */
extern bool cos_set_string(json_t *obj, const char *key, const json_t *value);

/* obj[key] = copy of the C string s when non-empty and valid UTF-8 */
extern bool cos_set_cstring(json_t *obj, const char *key, const char *s);

/* obj[key] = ISO UTC time from unix seconds (integer or numeric string, > 0) */
extern bool cos_set_unix_time(json_t *obj, const char *key, const json_t *value);

/* obj[key] = ISO UTC time from an ISO 8601 string with any zone */
extern bool cos_set_iso_time(json_t *obj, const char *key, const json_t *value);

/*
 * Length of the well-formed UTF-8 sequence at s[0] (n > 0 bytes left), 0
 * when it is not one (overlong forms, surrogates and values past U+10FFFF
 * too).
 */
extern size_t cos_utf8_seq_len(const unsigned char *s, size_t n);

/* ---- finding things in bodies (all bounded by len) ---- */

/* First occurrence of needle (nlen bytes) in hay (hlen bytes), or NULL */
extern const char *cos_memmem(const char *hay, size_t hlen,
							  const char *needle, size_t nlen);

/* As cos_memmem, ASCII case-insensitively */
extern const char *cos_memmem_ci(const char *hay, size_t hlen,
								 const char *needle, size_t nlen);

/* True when the NUL-terminated needle occurs in body (len bytes) */
extern bool cos_body_has(const char *body, size_t len, const char *needle);

/* As cos_body_has, ASCII case-insensitively */
extern bool cos_body_has_ci(const char *body, size_t len, const char *needle);

/* Outcome of a search for an embedded document */
typedef enum CosSpan
{
	COS_SPAN_FOUND = 0,
	COS_SPAN_MISSING,			/* no such script / assignment */
	COS_SPAN_TRUNCATED			/* it starts, but the body ends inside it */
} CosSpan;

/*
 * Content of the first <script ... id="id" ...>...</script> in body:
 * *start points into body, *slen bytes up to (not including) "</script".
 * Tag and attribute names match case-insensitively; the id exactly.
 */
extern CosSpan cos_find_script_by_id(const char *body, size_t len, const char *id,
									 const char **start, size_t *slen);

/*
 * The JSON object assigned to name in inline JavaScript: "var name = {…}",
 * "name = {…}" or "window[\"name\"] = {…}".  *start points at "{", *slen
 * covers the balanced object (cos_json_span).
 */
extern CosSpan cos_find_assigned_json(const char *body, size_t len, const char *name,
									  const char **start, size_t *slen);

/*
 * Length of the JSON object or array starting at s[0] ("{" or "["), found
 * by a bracket count that skips JSON strings and their escapes; 0 when s
 * does not start one or len ends before it closes.
 */
extern size_t cos_json_span(const char *s, size_t len);

/*
 * cos_json_member: finds the member key of the JSON object whose text is
 * obj[0..len) (obj[0] must be "{"), by walking that object's members only
 * (nested values are skipped by cos_json_span, strings by their quotes), so a
 * key inside a nested value or a string never matches.  On success sets
 * *value / *vlen to the member's value text and returns true; false when the
 * object has no such member or its text is not a well-formed object.  Keys
 * are compared as written (a key with escapes never matches).  Lets an
 * extractor parse one member of a large document instead of all of it.
 */
extern bool cos_json_member(const char *obj, size_t len, const char *key,
							const char **value, size_t *vlen);

/*
 * cos_json_next_member: the members of the JSON object obj[0..len) (obj[0]
 * must be "{") one by one, as cos_json_member walks them.  *pos is 0 before
 * the first call and is advanced past each member.  Returns 1 with *key /
 * *klen the key's text between its quotes (escapes as written) and *value /
 * *vlen the value's text; 0 at the object's closing "}"; -1 when the text is
 * not a well-formed object there.  Nested values are skipped by bracket
 * count, not checked.
 */
extern int	cos_json_next_member(const char *obj, size_t len, size_t *pos,
								 const char **key, size_t *klen,
								 const char **value, size_t *vlen);

/*
 * Parse len bytes of JSON with jansson.  Integers too large for long long
 * make jansson fail; then the text is parsed again with every integer read
 * as a real, so one odd field does not lose the document.  On failure
 * returns NULL with a reason in err (errlen bytes).
 */
extern json_t *cos_json_parse(const char *s, size_t len, char *err, size_t errlen);

/* ---- URLs ---- */

/*
 * Path, query and fragment of url ("/watch?v=x"), "" when it has none.
 * Accepts "scheme://host/path", "host/path" and "/path".
 */
extern const char *cos_url_path(const char *url);

/*
 * Lower-case host of url (no port, no userinfo, no trailing dot) into host
 * (hostlen bytes); false when url has no host or it does not fit.
 */
extern bool cos_url_host(const char *url, char *host, size_t hostlen);

#endif							/* COS_EXTRACT_INT_H */

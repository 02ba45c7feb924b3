/*
 * url.h
 *	  Canonicalisation of the public URLs of the five platforms.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_URL_H
#define COS_URL_H

#include <stdbool.h>
#include <stddef.h>

typedef enum CosPlatform
{
	COS_PLATFORM_NONE = 0,
	COS_TIKTOK,
	COS_YOUTUBE,
	COS_INSTAGRAM,
	COS_LIKEE,
	COS_TELEGRAM
} CosPlatform;

typedef enum CosUrlKind
{
	COS_KIND_VIDEO = 0,
	COS_KIND_CHANNEL
} CosUrlKind;

#define COS_ID_MAX 256
#define COS_URL_MAX 1024

/*
 * One canonical target.  id is the key Cos stores and builds requests from:
 *   YouTube  video: the 11-character id; channel: "UC…" id, or "@handle"
 *            (lower case), "user/<name>", "c/<name>" until resolved.
 *   TikTok   video: numeric item id; channel: "@uniqueid" (lower case).
 *            Short links (vm./vt. hosts, /t/…): pending = true, id = the
 *            short code, canonical = the short link itself.
 *   Instagram video: shortcode; channel: username (lower case).
 *   Likee    video: numeric postId, or pending with id "v/<code>";
 *            channel: "@likeeid" (lower case).
 *   Telegram video: "<channel lower case>/<message number>";
 *            channel: username (lower case).
 * handle is the author / channel handle the URL names, "" when it names none.
 */
typedef struct CosUrl
{
	CosPlatform platform;
	CosUrlKind	kind;
	bool		pending;
	char		id[COS_ID_MAX];
	char		handle[COS_ID_MAX];
	char		canonical[COS_URL_MAX];
} CosUrl;

/*
 * cos_url_parse: canonicalise url (NUL-terminated, any case, with or without
 * scheme) into *out.  Returns true on success.  On failure returns false and
 * writes a lower-case reason without a period into err (errlen bytes).
 */
extern bool cos_url_parse(const char *url, CosUrl *out, char *err, size_t errlen);

/* Lower-case platform name ("tiktok", …), or NULL for COS_PLATFORM_NONE. */
extern const char *cos_platform_name(CosPlatform platform);

/* Platform from its lower-case name; COS_PLATFORM_NONE when unknown. */
extern CosPlatform cos_platform_from_name(const char *name);

/* Platform whose public hosts include host (lower case); NONE otherwise. */
extern CosPlatform cos_platform_from_host(const char *host);

/* One sentence listing the accepted URL forms, for error hints. */
extern const char *cos_url_accepted_forms(void);

#endif							/* COS_URL_H */

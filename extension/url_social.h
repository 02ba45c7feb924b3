/*
 * url_social.h
 *	  URL rules of the social sites, Instagram, Likee and Telegram (internal
 *	  to url*.c).
 *
 * Each rule takes a URL split by cos_url_split() whose host belongs to its
 * platform, fills the kind, pending, id, handle and canonical fields of *out
 * and returns true; or writes a lower-case reason without a period into err
 * and returns false.
 *
 * Pure C: never includes postgres.h.
 */
#ifndef COS_URL_SOCIAL_H
#define COS_URL_SOCIAL_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"
#include "url_parse.h"

/* Instagram: /p/, /reel/, /reels/, /tv/ (optionally after /<user>), /<user>. */
extern bool cos_url_parse_instagram(const SplitUrl *p, CosUrl *out,
									char *err, size_t errlen);

/* Likee: /@user/video/ID, /v/CODE, /@user. */
extern bool cos_url_parse_likee(const SplitUrl *p, CosUrl *out,
								char *err, size_t errlen);

/* Telegram: /x, /s/x, /x/123, /s/x/123; refuses /c/ and invite links. */
extern bool cos_url_parse_telegram(const SplitUrl *p, CosUrl *out,
								   char *err, size_t errlen);

/* True if s is a Telegram username: 5..32 of [A-Za-z0-9_], starting with a letter. */
extern bool cos_url_is_telegram_user(const char *s);

/*
 * Fill *out (all but platform) with the Telegram channel name (msg NULL) or
 * its post number msg; name is checked and lower-cased.  cos_url_parse()
 * uses it for a bare "@name" too.
 */
extern bool cos_url_telegram_target(const char *name, const char *msg,
									CosUrl *out, char *err, size_t errlen);

#endif							/* COS_URL_SOCIAL_H */

/*
 * url_video_sites.h
 *	  URL rules of the video sites, YouTube and TikTok (internal to url*.c).
 *
 * Each rule takes a URL split by cos_url_split() whose host belongs to its
 * platform, fills the kind, pending, id, handle and canonical fields of *out
 * and returns true; or writes a lower-case reason without a period into err
 * and returns false.
 *
 * Pure C: never includes postgres.h.
 */
#ifndef COS_URL_VIDEO_SITES_H
#define COS_URL_VIDEO_SITES_H

#include <stdbool.h>
#include <stddef.h>

#include "url.h"
#include "url_parse.h"

/* YouTube: watch, youtu.be, shorts, live, embed, v; channel, @handle, c, user. */
extern bool cos_url_parse_youtube(const SplitUrl *p, CosUrl *out,
								  char *err, size_t errlen);

/* TikTok: /@user/video/ID, /@user/photo/ID, embeds, /v/ID.html, short links, /@user. */
extern bool cos_url_parse_tiktok(const SplitUrl *p, CosUrl *out,
								 char *err, size_t errlen);

#endif							/* COS_URL_VIDEO_SITES_H */

/*
 * extract.c
 *	  Dispatch of (source URL, response body) to the platform's extractor.
 *
 * Within a platform each extractor picks the document family itself from
 * the body and the URL's path, never from the host, so bodies fetched from
 * a loopback fixture server read the same as the real ones.
 *
 * Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <string.h>

/* API hosts, which url.c does not list as public hosts */
static const struct
{
	const char *host;
	CosPlatform platform;
}			api_hosts[] = {
	{"www.googleapis.com", COS_YOUTUBE},
	{"youtube.googleapis.com", COS_YOUTUBE},
	{"i.instagram.com", COS_INSTAGRAM},
	{"api.like-video.com", COS_LIKEE},
	{NULL, COS_PLATFORM_NONE}
};

/* The extractor of platform, or a failed result when there is none yet */
static json_t *
CosDispatch(CosPlatform platform, const char *url, const char *body, size_t len)
{
	switch (platform)
	{
		case COS_TIKTOK:
			return cos_extract_tiktok(url, body, len);
		case COS_YOUTUBE:
			return cos_extract_youtube(url, body, len);
		case COS_INSTAGRAM:
			return cos_extract_instagram(url, body, len);
		case COS_LIKEE:
			return cos_extract_likee(url, body, len);
		case COS_TELEGRAM:
			return cos_extract_telegram(url, body, len);
		case COS_PLATFORM_NONE:
			break;
	}
	return cos_result_fail(COS_PLATFORM_NONE, "error", "unknown platform");
}

/*
 * cos_extract_for: see extract.h.  platform: any CosPlatform; url: the URL
 * the body came from (NULL is read as ""); body: len bytes, any content.
 */
json_t *
cos_extract_for(CosPlatform platform, const char *url, const char *body, size_t len)
{
	if (url == NULL)
		url = "";
	if (body == NULL)
		len = 0;
	return CosDispatch(platform, url, body, len);
}

/*
 * cos_extract_for_target: see extract.h.  platform, url, body, len: as for
 * cos_extract_for; target_id: the one item the request was made for, or
 * NULL.  Only Telegram reads one item alone (cos_extract_telegram_post);
 * every other platform ignores target_id.
 */
json_t *
cos_extract_for_target(CosPlatform platform, const char *url, const char *body,
					   size_t len, const char *target_id)
{
	if (platform == COS_TELEGRAM && target_id != NULL && target_id[0] != '\0' &&
		body != NULL)
		return cos_extract_telegram_post(url ? url : "", body, len, target_id);
	return cos_extract_for(platform, url, body, len);
}

/*
 * cos_extract: see extract.h.  The platform comes from url's host through
 * cos_platform_from_host() (url.c), or the API hosts above.
 */
json_t *
cos_extract(const char *url, const char *body, size_t len)
{
	char		host[256];
	CosPlatform platform;

	if (url == NULL || !cos_url_host(url, host, sizeof(host)))
		return cos_result_fail(COS_PLATFORM_NONE, "error", "the URL has no host");
	platform = cos_platform_from_host(host);
	for (int i = 0; platform == COS_PLATFORM_NONE && api_hosts[i].host != NULL; i++)
	{
		if (strcmp(host, api_hosts[i].host) == 0)
			platform = api_hosts[i].platform;
	}
	if (platform == COS_PLATFORM_NONE)
		return cos_result_fail(COS_PLATFORM_NONE, "error",
							   "no platform has the host \"%.200s\"", host);
	return cos_extract_for(platform, url, body, len);
}

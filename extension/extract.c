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

/* Hosts of the YouTube Data API, which url.c does not list as public hosts */
static const char *const youtube_api_hosts[] = {
	"www.googleapis.com", "youtube.googleapis.com", NULL
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
		case COS_LIKEE:
		case COS_TELEGRAM:
			/* add: case COS_X: return cos_extract_x(url, body, len); (extract_int.h) */
			return cos_result_fail(platform, "error", "no extractor for this platform yet");
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
 * cos_extract: see extract.h.  The platform comes from url's host through
 * cos_platform_from_host() (url.c); the Data API hosts count as YouTube.
 */
json_t *
cos_extract(const char *url, const char *body, size_t len)
{
	char		host[256];
	CosPlatform platform;

	if (url == NULL || !cos_url_host(url, host, sizeof(host)))
		return cos_result_fail(COS_PLATFORM_NONE, "error", "the URL has no host");
	platform = cos_platform_from_host(host);
	for (int i = 0; platform == COS_PLATFORM_NONE && youtube_api_hosts[i] != NULL; i++)
	{
		if (strcmp(host, youtube_api_hosts[i]) == 0)
			platform = COS_YOUTUBE;
	}
	if (platform == COS_PLATFORM_NONE)
		return cos_result_fail(COS_PLATFORM_NONE, "error",
							   "no platform has the host \"%.200s\"", host);
	return cos_extract_for(platform, url, body, len);
}

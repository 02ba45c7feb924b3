/*
 * url.c
 *	  Canonicalisation of the public URLs of the five platforms.
 *
 * A user-typed URL is split by a small parser of its own (url_parse.c:
 * scheme, authority, path, query, fragment), checked against the list of
 * each platform's public hosts, and reduced to (platform, kind, id) by the
 * rules of its platform (url_video_sites.c, url_social.c).  The canonical URL
 * is rebuilt from the validated id alone, so nothing the user typed beyond
 * that id ever reaches a request.  Anything unusual (user information, IP
 * literals, other ports, stray bytes, encoded separators) is refused rather
 * than repaired.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#include "url.h"

#include <string.h>
#include <strings.h>

#include "url_parse.h"
#include "url_social.h"
#include "url_video_sites.h"

/* Longest input accepted, in bytes, before trimming. */
#define URL_INPUT_MAX 2048


/* One public host and the platform it belongs to. */
typedef struct HostEntry
{
	const char *host;
	CosPlatform platform;
} HostEntry;

static const HostEntry platform_hosts[] = {
	{"tiktok.com", COS_TIKTOK},
	{"www.tiktok.com", COS_TIKTOK},
	{"m.tiktok.com", COS_TIKTOK},
	{"vm.tiktok.com", COS_TIKTOK},
	{"vt.tiktok.com", COS_TIKTOK},
	{"youtube.com", COS_YOUTUBE},
	{"www.youtube.com", COS_YOUTUBE},
	{"m.youtube.com", COS_YOUTUBE},
	{"music.youtube.com", COS_YOUTUBE},
	{"youtu.be", COS_YOUTUBE},
	{"youtube-nocookie.com", COS_YOUTUBE},
	{"www.youtube-nocookie.com", COS_YOUTUBE},
	{"instagram.com", COS_INSTAGRAM},
	{"www.instagram.com", COS_INSTAGRAM},
	{"m.instagram.com", COS_INSTAGRAM},
	{"instagr.am", COS_INSTAGRAM},
	{"www.instagr.am", COS_INSTAGRAM},
	{"likee.video", COS_LIKEE},
	{"www.likee.video", COS_LIKEE},
	{"l.likee.video", COS_LIKEE},
	{"likee.com", COS_LIKEE},
	{"www.likee.com", COS_LIKEE},
	{"like.video", COS_LIKEE},
	{"www.like.video", COS_LIKEE},
	{"t.me", COS_TELEGRAM},
	{"telegram.me", COS_TELEGRAM},
	{"telegram.dog", COS_TELEGRAM},
};

static const char *const platform_names[] = {
	NULL, "tiktok", "youtube", "instagram", "likee", "telegram"
};

/*
 * cos_url_parse: canonicalise a user-typed URL.
 *
 * url: NUL-terminated, at most 2048 bytes; surrounding ASCII whitespace is
 * trimmed; scheme optional (http or https only); a bare "@name" is a Telegram
 * channel.  On success fills every field of *out and returns true.  On failure
 * zeroes *out, writes a lower-case reason without a period into err (truncated
 * to errlen bytes; err may be NULL) and returns false.
 */
bool
cos_url_parse(const char *url, CosUrl *out, char *err, size_t errlen)
{
	SplitUrl	p;
	const char *s;
	size_t		len;
	size_t		i;
	bool		ok;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (out == NULL)
		return cos_url_fail(err, errlen, "no result buffer");
	memset(out, 0, sizeof(*out));
	if (url == NULL)
		return cos_url_fail(err, errlen, "url is empty");

	len = strnlen(url, URL_INPUT_MAX + 1);
	if (len > URL_INPUT_MAX)
		return cos_url_fail(err, errlen, "url is too long (more than %d bytes)",
							URL_INPUT_MAX);

	s = url;
	while (len > 0 && strchr(" \t\r\n\f\v", s[0]) != NULL)
		s++, len--;
	while (len > 0 && strchr(" \t\r\n\f\v", s[len - 1]) != NULL)
		len--;
	if (len == 0)
		return cos_url_fail(err, errlen, "url is empty");

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			return cos_url_fail(err, errlen, "url contains control characters");
		if (c == ' ')
			return cos_url_fail(err, errlen, "url contains spaces");
		if (c == '\\')
			return cos_url_fail(err, errlen, "url contains a backslash");
	}

	/* "@durov": a Telegram channel by its username */
	if (s[0] == '@')
	{
		char		name[COS_ID_MAX];

		if (len - 1 >= sizeof(name) || len < 2)
			return cos_url_fail(err, errlen, "invalid telegram username");
		memcpy(name, s + 1, len - 1);
		name[len - 1] = '\0';
		if (!cos_url_is_telegram_user(name))
			return cos_url_fail(err, errlen,
								"a bare @name is read as a telegram username, which needs 5 to 32 letters, digits or '_' and must start with a letter");
		out->platform = COS_TELEGRAM;
		ok = cos_url_telegram_target(name, NULL, out, err, errlen);
	}
	else
	{
		memset(&p, 0, sizeof(p));
		ok = cos_url_split(s, len, &p, err, errlen);
		if (ok)
		{
			out->platform = p.platform;
			switch (p.platform)
			{
				case COS_TIKTOK:
					ok = cos_url_parse_tiktok(&p, out, err, errlen);
					break;
				case COS_YOUTUBE:
					ok = cos_url_parse_youtube(&p, out, err, errlen);
					break;
				case COS_INSTAGRAM:
					ok = cos_url_parse_instagram(&p, out, err, errlen);
					break;
				case COS_LIKEE:
					ok = cos_url_parse_likee(&p, out, err, errlen);
					break;
				case COS_TELEGRAM:
					ok = cos_url_parse_telegram(&p, out, err, errlen);
					break;
				default:
					ok = cos_url_fail(err, errlen, "unsupported host");
					break;
			}
		}
	}

	if (!ok)
		memset(out, 0, sizeof(*out));
	else if (err != NULL && errlen > 0)
		err[0] = '\0';
	return ok;
}

/* Lower-case platform name ("tiktok", …), or NULL for COS_PLATFORM_NONE. */
const char *
cos_platform_name(CosPlatform platform)
{
	if ((int) platform <= (int) COS_PLATFORM_NONE || (int) platform > (int) COS_TELEGRAM)
		return NULL;
	return platform_names[platform];
}

/*
 * Platform from its name ("tiktok", "youtube", "instagram", "likee",
 * "telegram"; ASCII case is ignored); COS_PLATFORM_NONE when unknown or NULL.
 */
CosPlatform
cos_platform_from_name(const char *name)
{
	int			i;

	if (name == NULL)
		return COS_PLATFORM_NONE;
	for (i = COS_TIKTOK; i <= COS_TELEGRAM; i++)
		if (strcasecmp(name, platform_names[i]) == 0)
			return (CosPlatform) i;
	return COS_PLATFORM_NONE;
}

/*
 * Platform whose public hosts include host: an exact name from the list above
 * (ASCII case ignored, no port, no trailing dot); COS_PLATFORM_NONE otherwise,
 * including for NULL and for any other subdomain.
 */
CosPlatform
cos_platform_from_host(const char *host)
{
	size_t		i;

	if (host == NULL)
		return COS_PLATFORM_NONE;
	for (i = 0; i < sizeof(platform_hosts) / sizeof(platform_hosts[0]); i++)
		if (strcasecmp(host, platform_hosts[i].host) == 0)
			return platform_hosts[i].platform;
	return COS_PLATFORM_NONE;
}

/* One sentence listing the accepted URL forms, for error hints. */
const char *
cos_url_accepted_forms(void)
{
	return "Give a TikTok video (tiktok.com/@user/video/ID, vm.tiktok.com/CODE) "
		"or profile (tiktok.com/@user), a YouTube video (youtube.com/watch?v=ID, "
		"youtu.be/ID, youtube.com/shorts/ID) or channel (youtube.com/@handle, "
		"youtube.com/channel/UC...), an Instagram post or reel "
		"(instagram.com/p/CODE, instagram.com/reel/CODE) or profile "
		"(instagram.com/username), a Likee video (likee.video/@user/video/ID) "
		"or profile (likee.video/@user), or a public Telegram channel "
		"(t.me/name, @name) or post (t.me/name/123).";
}

/*
 * url_video_sites.c
 *	  URL rules of the video sites: YouTube and TikTok.
 *
 * Each rule reduces a URL split by cos_url_split() to (kind, id, handle) and
 * rebuilds the canonical URL from the validated id alone.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#include "url_video_sites.h"

#include <string.h>
#include <strings.h>

#include "url_parse.h"

/* YouTube channel tabs that may follow a channel path. */
static const char *const youtube_tabs[] = {
	"videos", "shorts", "streams", "live", "featured", "playlists",
	"community", "posts", "about", "podcasts", "releases", "store",
	"channels", "courses", "membership", NULL
};

/* True if s is a YouTube video id: exactly 11 of [A-Za-z0-9_-]. */
static bool
IsYouTubeVideoId(const char *s)
{
	return cos_url_chars_in(s, 11, 11, "_-");
}

/* Emit a YouTube video. */
static bool
YouTubeVideo(const char *id, CosUrl *out, char *err, size_t errlen)
{
	if (!IsYouTubeVideoId(id))
		return cos_url_fail(err, errlen,
							"invalid youtube video id (expected 11 letters, digits, '-' or '_')");
	return cos_url_set_target(out, COS_KIND_VIDEO, false, "", id, "", err, errlen) &&
		cos_url_set_canonical(out, err, errlen, "https://www.youtube.com/watch?v=%s", id);
}

/* YouTube: watch, youtu.be, shorts, live, embed, v; channel, @handle, c, user. */
bool
cos_url_parse_youtube(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		v[COS_ID_MAX];
	char		handle[COS_ID_MAX];
	int			count;

	if (strcmp(p->host, "youtu.be") == 0)
	{
		if (p->nseg != 1)
			return cos_url_fail(err, errlen, "youtu.be url must be youtu.be/<video id>");
		return YouTubeVideo(s0, out, err, errlen);
	}
	if (strstr(p->host, "youtube-nocookie.com") != NULL)
	{
		if (p->nseg != 2 || !cos_url_is(s0, "embed"))
			return cos_url_fail(err, errlen,
								"youtube-nocookie.com url must be youtube-nocookie.com/embed/<video id>");
		return YouTubeVideo(p->seg[1], out, err, errlen);
	}

	if (p->nseg == 1 && cos_url_is(s0, "watch"))
	{
		count = cos_url_query_param(p, "v", v, sizeof(v), err, errlen);
		if (count < 0)
			return false;
		if (count == 0)
			return cos_url_fail(err, errlen, "youtube watch url has no v= parameter");
		if (count > 1)
			return cos_url_fail(err, errlen,
								"youtube watch url has more than one v= parameter");
		return YouTubeVideo(v, out, err, errlen);
	}
	if (p->nseg == 2 && (cos_url_is(s0, "shorts") || cos_url_is(s0, "live") ||
						 cos_url_is(s0, "embed") || cos_url_is(s0, "v")))
	{
		/* both are 11 characters long, so check them by name */
		if (cos_url_is(s0, "embed") && (cos_url_is(p->seg[1], "videoseries") ||
										cos_url_is(p->seg[1], "live_stream")))
			return cos_url_fail(err, errlen,
								"youtube playlist and live-stream embeds are not tracked; give a video or channel url");
		return YouTubeVideo(p->seg[1], out, err, errlen);
	}
	if (cos_url_is(s0, "playlist"))
		return cos_url_fail(err, errlen,
							"youtube playlists are not tracked; give a video or channel url");

	/* channels, optionally followed by one tab ("/videos", "/shorts", ...) */
	if (p->nseg >= 1 && s0[0] == '@' && p->nseg <= 2)
	{
		if (p->nseg == 2 && !cos_url_in_list(p->seg[1], youtube_tabs))
			return cos_url_fail(err, errlen, "not a youtube video or channel url");
		if (!cos_url_chars_in(s0 + 1, 3, 30, "._-"))
			return cos_url_fail(err, errlen,
								"invalid youtube handle (expected 3 to 30 latin letters, digits, '.', '-' or '_')");
		cos_url_copy_field(handle, sizeof(handle), s0 + 1);
		cos_url_lower_ascii(handle);
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "@", handle, handle,
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen,
								  "https://www.youtube.com/@%s", handle);
	}
	if ((p->nseg == 2 || p->nseg == 3) &&
		(cos_url_is(s0, "channel") || cos_url_is(s0, "c") || cos_url_is(s0, "user")))
	{
		const char *name = p->seg[1];

		if (p->nseg == 3 && !cos_url_in_list(p->seg[2], youtube_tabs))
			return cos_url_fail(err, errlen, "not a youtube video or channel url");
		if (cos_url_is(s0, "channel"))
		{
			if (strncmp(name, "UC", 2) != 0 || strlen(name) != 24 ||
				!cos_url_chars_in(name, 24, 24, "_-"))
				return cos_url_fail(err, errlen,
									"invalid youtube channel id (expected \"UC\" and 22 letters, digits, '-' or '_')");
			return cos_url_set_target(out, COS_KIND_CHANNEL, false, "", name, "",
									  err, errlen) &&
				cos_url_set_canonical(out, err, errlen,
									  "https://www.youtube.com/channel/%s", name);
		}
		if (!cos_url_chars_in(name, 1, 100, "._-"))
			return cos_url_fail(err, errlen,
								"invalid youtube channel name (expected latin letters, digits, '.', '-' or '_')");
		if (cos_url_is(s0, "c"))
			return cos_url_set_target(out, COS_KIND_CHANNEL, false, "c/", name, "",
									  err, errlen) &&
				cos_url_set_canonical(out, err, errlen,
									  "https://www.youtube.com/c/%s", name);
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "user/", name, "",
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen,
								  "https://www.youtube.com/user/%s", name);
	}
	if (p->nseg == 0)
		return cos_url_fail(err, errlen, "youtube url names no video or channel");
	return cos_url_fail(err, errlen, "not a youtube video or channel url");
}

/* True if s is a TikTok unique id (without '@'): 2..24 of [A-Za-z0-9._]. */
static bool
IsTikTokUser(const char *s)
{
	return cos_url_chars_in(s, 2, 24, "._");
}

/* Emit a TikTok video; user may be "" when the URL names no author. */
static bool
TikTokVideo(const char *user, const char *id, CosUrl *out, char *err, size_t errlen)
{
	char		handle[COS_ID_MAX];

	if (!cos_url_is_numeric_id(id, 20))
		return cos_url_fail(err, errlen,
							"invalid tiktok video id (expected up to 20 digits)");
	if (user[0] != '\0' && !IsTikTokUser(user))
		return cos_url_fail(err, errlen,
							"invalid tiktok username (expected 2 to 24 letters, digits, '.' or '_')");
	cos_url_copy_field(handle, sizeof(handle), user);
	cos_url_lower_ascii(handle);
	return cos_url_set_target(out, COS_KIND_VIDEO, false, "", id, handle, err, errlen) &&
		cos_url_set_canonical(out, err, errlen,
							  "https://www.tiktok.com/@%s/video/%s", handle, id);
}

/* TikTok: /@user/video/ID, /@user/photo/ID, embeds, /v/ID.html, short links, /@user. */
bool
cos_url_parse_tiktok(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	bool		vm = strcmp(p->host, "vm.tiktok.com") == 0;
	bool		vt = strcmp(p->host, "vt.tiktok.com") == 0;

	if (vm || vt)
	{
		if (p->nseg != 1 || !cos_url_is_short_code(s0))
			return cos_url_fail(err, errlen, "tiktok short link must be %s/<code>",
								p->host);
		return cos_url_set_target(out, COS_KIND_VIDEO, true, "", s0, "", err, errlen) &&
			cos_url_set_canonical(out, err, errlen, "https://%s/%s/", p->host, s0);
	}

	if (s0[0] == '@')
	{
		char		handle[COS_ID_MAX];

		if (p->nseg == 3 && (cos_url_is(p->seg[1], "video") ||
							 cos_url_is(p->seg[1], "photo")))
			return TikTokVideo(s0 + 1, p->seg[2], out, err, errlen);
		if (p->nseg != 1)
			return cos_url_fail(err, errlen, "not a tiktok video or profile url");
		if (!IsTikTokUser(s0 + 1))
			return cos_url_fail(err, errlen,
								"invalid tiktok username (expected 2 to 24 letters, digits, '.' or '_')");
		cos_url_copy_field(handle, sizeof(handle), s0 + 1);
		cos_url_lower_ascii(handle);
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "@", handle, handle,
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen, "https://www.tiktok.com/@%s", handle);
	}
	if (cos_url_is(s0, "embed") && p->nseg == 3 && cos_url_is(p->seg[1], "v2"))
		return TikTokVideo("", p->seg[2], out, err, errlen);
	if (cos_url_is(s0, "embed") && p->nseg == 2)
		return TikTokVideo("", p->seg[1], out, err, errlen);
	if (cos_url_is(s0, "v") && p->nseg == 2)
	{
		char		id[COS_ID_MAX];
		size_t		n;

		cos_url_copy_field(id, sizeof(id), p->seg[1]);
		n = strlen(id);
		if (n > 5 && strcasecmp(id + n - 5, ".html") == 0)
			id[n - 5] = '\0';
		return TikTokVideo("", id, out, err, errlen);
	}
	if (cos_url_is(s0, "t") && p->nseg == 2)
	{
		if (!cos_url_is_short_code(p->seg[1]))
			return cos_url_fail(err, errlen, "invalid tiktok short link code");
		return cos_url_set_target(out, COS_KIND_VIDEO, true, "", p->seg[1], "",
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen,
								  "https://www.tiktok.com/t/%s/", p->seg[1]);
	}
	if (p->nseg == 0)
		return cos_url_fail(err, errlen, "tiktok url names no video or profile");
	return cos_url_fail(err, errlen, "not a tiktok video or profile url");
}

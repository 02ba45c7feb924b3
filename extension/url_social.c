/*
 * url_social.c
 *	  URL rules of the social sites: Instagram, Likee and Telegram.
 *
 * Each rule reduces a URL split by cos_url_split() to (kind, id, handle) and
 * rebuilds the canonical URL from the validated id alone.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#include "url_social.h"

#include <stdio.h>
#include <string.h>

#include "url_parse.h"

/* Instagram first segments that are site pages, not usernames. */
static const char *const instagram_reserved[] = {
	"explore", "stories", "accounts", "direct", "about", "legal",
	"developer", "web", "api", "graphql", "emails", "challenge", "session",
	"oauth", "privacy", "help", "press", "topics", "directory", "lite",
	"static", "ads", "business", "s", "ar", "login", "signup", "nametag",
	"reels", "reel", "p", "tv", "audio", "locations", "tags", "_u", "_n",
	NULL
};

/* Telegram paths shaped like usernames that are not channels. */
static const char *const telegram_reserved[] = {
	"addstickers", "addemoji", "addtheme", "addlist", "share", "proxy",
	"socks", "setlanguage", "login", "confirmphone", "invoice", "boost",
	"giftcode", "contact", "joinchat", NULL
};
/* True if s is an Instagram username: 1..30 of [a-z0-9._], no leading '.' or "..". */
static bool
IsInstagramUser(const char *s)
{
	return cos_url_chars_in(s, 1, 30, "._") && s[0] != '.' && strstr(s, "..") == NULL;
}

/* Emit an Instagram post or reel; user may be "". */
static bool
InstagramVideo(const char *user, const char *code, const char *rest,
			   CosUrl *out, char *err, size_t errlen)
{
	char		handle[COS_ID_MAX];

	if (rest != NULL && !cos_url_is(rest, "embed"))
		return cos_url_fail(err, errlen, "not an instagram profile, post or reel url");
	if (!cos_url_chars_in(code, 1, 64, "_-"))
		return cos_url_fail(err, errlen,
							"invalid instagram shortcode (expected letters, digits, '-' or '_')");
	cos_url_copy_field(handle, sizeof(handle), user);
	cos_url_lower_ascii(handle);
	return cos_url_set_target(out, COS_KIND_VIDEO, false, "", code, handle,
							  err, errlen) &&
		cos_url_set_canonical(out, err, errlen, "https://www.instagram.com/p/%s/", code);
}

/* True if s names an Instagram post: p, reel, reels or tv. */
static bool
IsInstagramPostWord(const char *s)
{
	return cos_url_is(s, "p") || cos_url_is(s, "reel") ||
		cos_url_is(s, "reels") || cos_url_is(s, "tv");
}

/* Instagram: /p/, /reel/, /reels/, /tv/ (optionally after /<user>), /<user>. */
bool
cos_url_parse_instagram(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		user[COS_ID_MAX];

	if (p->nseg == 0)
		return cos_url_fail(err, errlen, "instagram url names no profile, post or reel");
	if (cos_url_is(s0, "reels") && p->nseg >= 2 && cos_url_is(p->seg[1], "audio"))
		return cos_url_fail(err, errlen, "instagram audio pages are not tracked");
	if (IsInstagramPostWord(s0))
	{
		if (p->nseg < 2 || p->nseg > 3)
			return cos_url_fail(err, errlen, "instagram /%s/ url must name a post", s0);
		return InstagramVideo("", p->seg[1], p->nseg == 3 ? p->seg[2] : NULL,
							  out, err, errlen);
	}
	if (cos_url_is(s0, "stories"))
		return cos_url_fail(err, errlen, "instagram stories are not tracked");
	if (cos_url_is(s0, "explore"))
		return cos_url_fail(err, errlen, "instagram explore pages are not tracked");
	if (cos_url_is(s0, "accounts"))
		return cos_url_fail(err, errlen, "instagram account pages are not tracked");
	if (cos_url_in_list(s0, instagram_reserved))
		return cos_url_fail(err, errlen, "instagram /%s/ pages are not tracked", s0);

	if (!IsInstagramUser(s0))
		return cos_url_fail(err, errlen,
							"invalid instagram username (expected up to 30 letters, digits, '.' or '_')");
	cos_url_copy_field(user, sizeof(user), s0);
	cos_url_lower_ascii(user);

	if (p->nseg >= 3 && p->nseg <= 4 && IsInstagramPostWord(p->seg[1]) &&
		!cos_url_is(p->seg[1], "reels"))
		return InstagramVideo(user, p->seg[2], p->nseg == 4 ? p->seg[3] : NULL,
							  out, err, errlen);
	if (p->nseg == 1 ||
		(p->nseg == 2 && (cos_url_is(p->seg[1], "reels") ||
						  cos_url_is(p->seg[1], "tagged"))))
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "", user, user,
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen,
								  "https://www.instagram.com/%s/", user);
	return cos_url_fail(err, errlen, "not an instagram profile, post or reel url");
}

/* Likee: /@user/video/ID, /v/CODE, /@user. */
bool
cos_url_parse_likee(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		user[COS_ID_MAX];

	if (cos_url_is(s0, "v") && p->nseg == 2)
	{
		if (!cos_url_is_short_code(p->seg[1]))
			return cos_url_fail(err, errlen, "invalid likee short link code");
		return cos_url_set_target(out, COS_KIND_VIDEO, true, "v/", p->seg[1], "",
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen,
								  "https://l.likee.video/v/%s", p->seg[1]);
	}
	if (s0[0] != '@' ||
		!(p->nseg == 1 || (p->nseg == 3 && cos_url_is(p->seg[1], "video"))))
	{
		if (p->nseg == 0)
			return cos_url_fail(err, errlen, "likee url names no video or profile");
		return cos_url_fail(err, errlen, "not a likee video or profile url");
	}
	if (!cos_url_chars_in(s0 + 1, 1, 32, "._-"))
		return cos_url_fail(err, errlen,
							"invalid likee id (expected up to 32 letters, digits, '.', '-' or '_')");
	cos_url_copy_field(user, sizeof(user), s0 + 1);
	cos_url_lower_ascii(user);
	if (p->nseg == 1)
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "@", user, user,
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen, "https://likee.video/@%s", user);
	if (!cos_url_is_numeric_id(p->seg[2], 20))
		return cos_url_fail(err, errlen,
							"invalid likee video id (expected up to 20 digits)");
	return cos_url_set_target(out, COS_KIND_VIDEO, false, "", p->seg[2], user,
							  err, errlen) &&
		cos_url_set_canonical(out, err, errlen,
							  "https://likee.video/@%s/video/%s", user, p->seg[2]);
}

/* True if s is a Telegram username: 5..32 of [A-Za-z0-9_], starting with a letter. */
bool
cos_url_is_telegram_user(const char *s)
{
	return cos_url_is_alpha((unsigned char) s[0]) && cos_url_chars_in(s, 5, 32, "_");
}

/* Emit a Telegram channel (msg NULL) or channel post. */
bool
cos_url_telegram_target(const char *name, const char *msg, CosUrl *out,
						char *err, size_t errlen)
{
	char		user[COS_ID_MAX];
	char		id[2 * COS_ID_MAX];

	if (!cos_url_is_telegram_user(name))
		return cos_url_fail(err, errlen,
							"invalid telegram username (expected 5 to 32 letters, digits or '_', starting with a letter)");
	/* t.me/<name> and a bare @<name> alike: service paths are no channels */
	if (cos_url_in_list(name, telegram_reserved))
		return cos_url_fail(err, errlen, "t.me/%s links are not channels", name);
	cos_url_copy_field(user, sizeof(user), name);
	cos_url_lower_ascii(user);
	if (msg == NULL)
		return cos_url_set_target(out, COS_KIND_CHANNEL, false, "", user, user,
								  err, errlen) &&
			cos_url_set_canonical(out, err, errlen, "https://t.me/%s", user);
	if (!cos_url_is_numeric_id(msg, 10))
		return cos_url_fail(err, errlen, "invalid telegram message number");
	snprintf(id, sizeof(id), "%s/%s", user, msg);
	return cos_url_set_target(out, COS_KIND_VIDEO, false, "", id, user, err, errlen) &&
		cos_url_set_canonical(out, err, errlen, "https://t.me/%s/%s", user, msg);
}

/* Telegram: /x, /s/x, /x/123, /s/x/123; refuses /c/ and invite links. */
bool
cos_url_parse_telegram(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	int			first = 0;

	if (p->nseg == 0)
		return cos_url_fail(err, errlen, "telegram url names no channel");
	if (cos_url_is(p->seg[0], "c"))
		return cos_url_fail(err, errlen,
							"private channel links (t.me/c/\xe2\x80\xa6) cannot be tracked; use the public @username");
	if (cos_url_is(p->seg[0], "joinchat") || p->seg[0][0] == '+')
		return cos_url_fail(err, errlen,
							"telegram invite links cannot be tracked; use the public @username");
	if (cos_url_is(p->seg[0], "s"))
		first = 1;
	if (p->nseg - first < 1 || p->nseg - first > 2)
		return cos_url_fail(err, errlen, "not a telegram channel or post url");
	return cos_url_telegram_target(p->seg[first],
								   p->nseg - first == 2 ? p->seg[first + 1] : NULL,
								   out, err, errlen);
}

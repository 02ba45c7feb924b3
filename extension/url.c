/*
 * url.c
 *	  Canonicalisation of the public URLs of the five platforms.
 *
 * A user-typed URL is split by a small parser of its own (scheme, authority,
 * path, query, fragment), checked against the list of each platform's public
 * hosts, and reduced to (platform, kind, id).  The canonical URL is rebuilt
 * from the validated id alone, so nothing the user typed beyond that id ever
 * reaches a request.  Anything unusual (user information, IP literals, other
 * ports, stray bytes, encoded separators) is refused rather than repaired.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#include "url.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Longest input accepted, in bytes, before trimming. */
#define URL_INPUT_MAX 2048

/* Most path segments any accepted form has, with room to spare. */
#define URL_MAX_SEGS 8

/* Longest host name (DNS limit). */
#define URL_HOST_MAX 253

/* A URL split into the parts the platform rules look at. */
typedef struct SplitUrl
{
	char		host[URL_HOST_MAX + 1]; /* lower case, no trailing dot */
	CosPlatform platform;
	int			nseg;			/* non-empty path segments */
	char		seg[URL_MAX_SEGS][COS_ID_MAX];	/* percent-decoded */
	const char *query;			/* after '?', not NUL-terminated */
	size_t		querylen;
} SplitUrl;

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

/* YouTube channel tabs that may follow a channel path. */
static const char *const youtube_tabs[] = {
	"videos", "shorts", "streams", "live", "featured", "playlists",
	"community", "posts", "about", "podcasts", "releases", "store",
	"channels", "courses", "membership", NULL
};

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

/* Write a formatted reason into err (if any) and return false. */
static bool
Fail(char *err, size_t errlen, const char *fmt,...)
__attribute__((format(printf, 3, 4)));

static bool
Fail(char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	if (err != NULL && errlen > 0)
	{
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return false;
}

/* ASCII letter test, independent of the C locale. */
static bool
IsAlpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* ASCII digit test. */
static bool
IsDigit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* ASCII letter or digit. */
static bool
IsAlnum(unsigned char c)
{
	return IsAlpha(c) || IsDigit(c);
}

/* RFC 3986 "unreserved": safe to decode from %XX anywhere. */
static bool
IsUnreserved(unsigned char c)
{
	return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/* Value of a hex digit, or -1. */
static int
HexValue(unsigned char c)
{
	if (IsDigit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Lower-case an ASCII string in place. */
static void
LowerAscii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char) (*s - 'A' + 'a');
}

/* True if s is minlen..maxlen bytes, all letters, digits or bytes of extra. */
static bool
CharsIn(const char *s, size_t minlen, size_t maxlen, const char *extra)
{
	size_t		n = 0;

	for (; s[n]; n++)
	{
		unsigned char c = (unsigned char) s[n];

		if (!IsAlnum(c) && strchr(extra, c) == NULL)
			return false;
		if (n >= maxlen)
			return false;
	}
	return n >= minlen;
}

/* True if s is 1..maxlen decimal digits without a leading zero. */
static bool
IsNumericId(const char *s, size_t maxlen)
{
	size_t		n;

	if (s[0] == '0')
		return false;
	for (n = 0; s[n]; n++)
		if (!IsDigit((unsigned char) s[n]) || n >= maxlen)
			return false;
	return n > 0;
}

/* Case-insensitive equality for ASCII path keywords. */
static bool
Is(const char *s, const char *keyword)
{
	return strcasecmp(s, keyword) == 0;
}

/* True if s (case-insensitively) is in the NULL-terminated list. */
static bool
InList(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (Is(s, *list))
			return true;
	return false;
}

/* Copy src into dst (size dstlen); false if it does not fit. */
static bool
CopyField(char *dst, size_t dstlen, const char *src)
{
	size_t		n = strlen(src);

	if (n >= dstlen)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* Fill the identity fields of out; false if id or handle does not fit. */
static bool
SetTarget(CosUrl *out, CosUrlKind kind, bool pending, const char *idprefix,
		  const char *id, const char *handle, char *err, size_t errlen)
{
	int			n;

	out->kind = kind;
	out->pending = pending;
	n = snprintf(out->id, sizeof(out->id), "%s%s", idprefix, id);
	if (n < 0 || (size_t) n >= sizeof(out->id) ||
		!CopyField(out->handle, sizeof(out->handle), handle))
		return Fail(err, errlen, "identifier in url is too long");
	return true;
}

/* Format the canonical URL into out; false if it does not fit. */
static bool
SetCanonical(CosUrl *out, char *err, size_t errlen, const char *fmt,...)
__attribute__((format(printf, 4, 5)));

static bool
SetCanonical(CosUrl *out, char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(out->canonical, sizeof(out->canonical), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(out->canonical))
		return Fail(err, errlen, "canonical url would be too long");
	return true;
}

/*
 * Decode one path segment or query value [s, s+len) into dst; where ("path"
 * or "query") names the part in error messages.  Only escapes of unreserved
 * bytes and '@' are decoded; any other escape (a '/', '?', '%', a byte of a
 * non-ASCII character, ...) is refused, as are raw bytes outside RFC 3986's
 * pchar set.
 */
static bool
DecodeSegment(const char *s, size_t len, const char *where, char *dst,
			  size_t dstlen, char *err, size_t errlen)
{
	size_t		i;
	size_t		n = 0;

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c == '%')
		{
			int			hi,
						lo;

			if (i + 2 >= len)
				return Fail(err, errlen, "malformed percent-encoding in url %s", where);
			hi = HexValue((unsigned char) s[i + 1]);
			lo = HexValue((unsigned char) s[i + 2]);
			if (hi < 0 || lo < 0)
				return Fail(err, errlen, "malformed percent-encoding in url %s", where);
			c = (unsigned char) (hi * 16 + lo);
			if (!IsUnreserved(c) && c != '@')
				return Fail(err, errlen,
							"percent-encoded character %%%02X is not accepted in url %s",
							(unsigned) c, where);
			i += 2;
		}
		else if (c >= 0x80)
			return Fail(err, errlen, "url %s contains non-ascii characters", where);
		else if (!IsUnreserved(c) && strchr("!$&'()*+,;=:@", c) == NULL)
			return Fail(err, errlen, "url %s contains an invalid character '%c'",
						where, c);
		if (n + 1 >= dstlen)
			return Fail(err, errlen, "url %s segment is too long", where);
		dst[n++] = (char) c;
	}
	dst[n] = '\0';
	if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
		return Fail(err, errlen, "url path contains a dot segment");
	return true;
}

/* Split the path [s, s+len) into p->seg, skipping empty segments. */
static bool
SplitPath(const char *s, size_t len, SplitUrl *p, char *err, size_t errlen)
{
	size_t		i = 0;

	p->nseg = 0;
	while (i < len)
	{
		size_t		start;

		while (i < len && s[i] == '/')
			i++;
		if (i >= len)
			break;
		start = i;
		while (i < len && s[i] != '/')
			i++;
		if (p->nseg >= URL_MAX_SEGS)
			return Fail(err, errlen, "url path has too many segments");
		if (!DecodeSegment(s + start, i - start, "path", p->seg[p->nseg],
						   sizeof(p->seg[p->nseg]), err, errlen))
			return false;
		p->nseg++;
	}
	return true;
}

/*
 * Check the authority [s, s+len) and set p->host and p->platform.  Refuses
 * user information, IP literals, non-default ports and unknown hosts.
 * defport is 80 or 443, or 0 when the URL had no scheme (either is default).
 */
static bool
ParseAuthority(const char *s, size_t len, int defport, SplitUrl *p,
			   char *err, size_t errlen)
{
	const char *colon;
	size_t		hostlen = len;
	size_t		i;
	bool		numeric = true;

	if (memchr(s, '@', len) != NULL)
		return Fail(err, errlen, "urls with user information (user@host) are not accepted");
	if (len > 0 && s[0] == '[')
		return Fail(err, errlen, "ip address hosts are not accepted");

	colon = memchr(s, ':', len);
	if (colon != NULL)
	{
		const char *port = colon + 1;
		size_t		portlen = len - (size_t) (port - s);
		long		value = 0;

		hostlen = (size_t) (colon - s);
		if (portlen == 0 || portlen > 5)
			return Fail(err, errlen, "invalid port in url");
		for (i = 0; i < portlen; i++)
		{
			if (!IsDigit((unsigned char) port[i]))
				return Fail(err, errlen, "invalid port in url");
			value = value * 10 + (port[i] - '0');
		}
		if (defport != 0 ? value != defport : (value != 80 && value != 443))
			return Fail(err, errlen, "only the default port is accepted");
	}

	if (hostlen > 0 && s[hostlen - 1] == '.')
		hostlen--;				/* "youtube.com." is "youtube.com" */
	if (hostlen == 0)
		return Fail(err, errlen, "url has no host");
	if (hostlen > URL_HOST_MAX)
		return Fail(err, errlen, "url host is too long");
	for (i = 0; i < hostlen; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!IsAlnum(c) && c != '-' && c != '.')
			return Fail(err, errlen, "url host contains an invalid character");
		if (c == '.' && (i == 0 || s[i - 1] == '.'))
			return Fail(err, errlen, "url host has an empty label");
		if (!IsDigit(c) && c != '.')
			numeric = false;
		p->host[i] = (char) c;
	}
	p->host[hostlen] = '\0';
	LowerAscii(p->host);
	if (numeric)
		return Fail(err, errlen, "ip address hosts are not accepted");

	p->platform = cos_platform_from_host(p->host);
	if (p->platform == COS_PLATFORM_NONE)
		return Fail(err, errlen,
					"host \"%s\" is not a tiktok, youtube, instagram, likee or telegram host",
					p->host);
	return true;
}

/*
 * Split the trimmed URL [s, s+len) into *p.  The scheme is optional; when
 * present it must be http or https followed by "//".
 */
static bool
Split(const char *s, size_t len, SplitUrl *p, char *err, size_t errlen)
{
	size_t		i = 0;
	size_t		auth;
	size_t		path;
	size_t		end;
	int			defport = 0;

	/* A scheme is [A-Za-z][A-Za-z0-9+.-]* followed by ':' (not a port) */
	if (len > 0 && IsAlpha((unsigned char) s[0]))
	{
		while (i < len && (IsAlnum((unsigned char) s[i]) || s[i] == '+' ||
						   s[i] == '-' || s[i] == '.'))
			i++;
		if (i < len && s[i] == ':')
		{
			bool		http = (i == 4 && strncasecmp(s, "http", 4) == 0);
			bool		https = (i == 5 && strncasecmp(s, "https", 5) == 0);

			if (!http && !https && i + 1 < len && IsDigit((unsigned char) s[i + 1]))
				i = 0;			/* "youtube.com:443/…": host and port */
			else if (!http && !https)
				return Fail(err, errlen, "only http and https urls are accepted");
			else if (len - i < 3 || s[i + 1] != '/' || s[i + 2] != '/')
				return Fail(err, errlen, "malformed url: expected \"//\" after \"%s:\"",
							https ? "https" : "http");
			else
			{
				defport = https ? 443 : 80;
				i += 3;
			}
		}
		else
			i = 0;
	}
	if (defport == 0 && len - i >= 2 && s[i] == '/' && s[i + 1] == '/')
		i += 2;					/* "//host/…" */

	auth = i;
	while (i < len && s[i] != '/' && s[i] != '?' && s[i] != '#')
		i++;
	if (!ParseAuthority(s + auth, i - auth, defport, p, err, errlen))
		return false;

	path = i;
	while (i < len && s[i] != '?' && s[i] != '#')
		i++;
	if (!SplitPath(s + path, i - path, p, err, errlen))
		return false;

	p->query = s + i;
	p->querylen = 0;
	if (i < len && s[i] == '?')
	{
		end = ++i;
		while (end < len && s[end] != '#')
			end++;
		p->query = s + i;
		p->querylen = end - i;
	}
	return true;
}

/*
 * Find query parameter key and decode its value into dst as DecodeSegment
 * does.  Returns the number of times key occurs (the value is that of the
 * first occurrence), or -1 after writing err if a value cannot be decoded.
 */
static int
QueryParam(const SplitUrl *p, const char *key, char *dst, size_t dstlen,
		   char *err, size_t errlen)
{
	size_t		keylen = strlen(key);
	size_t		i = 0;
	int			found = 0;

	dst[0] = '\0';
	while (i < p->querylen)
	{
		const char *pair = p->query + i;
		size_t		n = 0;

		while (i + n < p->querylen && pair[n] != '&')
			n++;
		if (n > keylen && pair[keylen] == '=' && memcmp(pair, key, keylen) == 0)
		{
			if (found == 0 &&
				!DecodeSegment(pair + keylen + 1, n - keylen - 1, "query",
							   dst, dstlen, err, errlen))
				return -1;
			found++;
		}
		else if (n == keylen && memcmp(pair, key, keylen) == 0)
			found++;			/* "v" with no value */
		i += n + 1;
	}
	return found;
}

/* True if s is a YouTube video id: exactly 11 of [A-Za-z0-9_-]. */
static bool
IsYouTubeVideoId(const char *s)
{
	return CharsIn(s, 11, 11, "_-");
}

/* Emit a YouTube video. */
static bool
YouTubeVideo(const char *id, CosUrl *out, char *err, size_t errlen)
{
	if (!IsYouTubeVideoId(id))
		return Fail(err, errlen,
					"invalid youtube video id (expected 11 letters, digits, '-' or '_')");
	return SetTarget(out, COS_KIND_VIDEO, false, "", id, "", err, errlen) &&
		SetCanonical(out, err, errlen, "https://www.youtube.com/watch?v=%s", id);
}

/* YouTube: watch, youtu.be, shorts, live, embed, v; channel, @handle, c, user. */
static bool
ParseYouTube(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		v[COS_ID_MAX];
	char		handle[COS_ID_MAX];
	int			count;

	if (strcmp(p->host, "youtu.be") == 0)
	{
		if (p->nseg != 1)
			return Fail(err, errlen, "youtu.be url must be youtu.be/<video id>");
		return YouTubeVideo(s0, out, err, errlen);
	}
	if (strstr(p->host, "youtube-nocookie.com") != NULL)
	{
		if (p->nseg != 2 || !Is(s0, "embed"))
			return Fail(err, errlen,
						"youtube-nocookie.com url must be youtube-nocookie.com/embed/<video id>");
		return YouTubeVideo(p->seg[1], out, err, errlen);
	}

	if (p->nseg == 1 && Is(s0, "watch"))
	{
		count = QueryParam(p, "v", v, sizeof(v), err, errlen);
		if (count < 0)
			return false;
		if (count == 0)
			return Fail(err, errlen, "youtube watch url has no v= parameter");
		if (count > 1)
			return Fail(err, errlen, "youtube watch url has more than one v= parameter");
		return YouTubeVideo(v, out, err, errlen);
	}
	if (p->nseg == 2 && (Is(s0, "shorts") || Is(s0, "live") ||
						 Is(s0, "embed") || Is(s0, "v")))
	{
		/* both are 11 characters long, so check them by name */
		if (Is(s0, "embed") && (Is(p->seg[1], "videoseries") ||
								Is(p->seg[1], "live_stream")))
			return Fail(err, errlen,
						"youtube playlist and live-stream embeds are not tracked; give a video or channel url");
		return YouTubeVideo(p->seg[1], out, err, errlen);
	}
	if (Is(s0, "playlist"))
		return Fail(err, errlen,
					"youtube playlists are not tracked; give a video or channel url");

	/* channels, optionally followed by one tab ("/videos", "/shorts", ...) */
	if (p->nseg >= 1 && s0[0] == '@' && p->nseg <= 2)
	{
		if (p->nseg == 2 && !InList(p->seg[1], youtube_tabs))
			return Fail(err, errlen, "not a youtube video or channel url");
		if (!CharsIn(s0 + 1, 3, 30, "._-"))
			return Fail(err, errlen,
						"invalid youtube handle (expected 3 to 30 latin letters, digits, '.', '-' or '_')");
		CopyField(handle, sizeof(handle), s0 + 1);
		LowerAscii(handle);
		return SetTarget(out, COS_KIND_CHANNEL, false, "@", handle, handle, err, errlen) &&
			SetCanonical(out, err, errlen, "https://www.youtube.com/@%s", handle);
	}
	if ((p->nseg == 2 || p->nseg == 3) &&
		(Is(s0, "channel") || Is(s0, "c") || Is(s0, "user")))
	{
		const char *name = p->seg[1];

		if (p->nseg == 3 && !InList(p->seg[2], youtube_tabs))
			return Fail(err, errlen, "not a youtube video or channel url");
		if (Is(s0, "channel"))
		{
			if (strncmp(name, "UC", 2) != 0 || strlen(name) != 24 ||
				!CharsIn(name, 24, 24, "_-"))
				return Fail(err, errlen,
							"invalid youtube channel id (expected \"UC\" and 22 letters, digits, '-' or '_')");
			return SetTarget(out, COS_KIND_CHANNEL, false, "", name, "", err, errlen) &&
				SetCanonical(out, err, errlen, "https://www.youtube.com/channel/%s", name);
		}
		if (!CharsIn(name, 1, 100, "._-"))
			return Fail(err, errlen,
						"invalid youtube channel name (expected latin letters, digits, '.', '-' or '_')");
		if (Is(s0, "c"))
			return SetTarget(out, COS_KIND_CHANNEL, false, "c/", name, "", err, errlen) &&
				SetCanonical(out, err, errlen, "https://www.youtube.com/c/%s", name);
		return SetTarget(out, COS_KIND_CHANNEL, false, "user/", name, "", err, errlen) &&
			SetCanonical(out, err, errlen, "https://www.youtube.com/user/%s", name);
	}
	if (p->nseg == 0)
		return Fail(err, errlen, "youtube url names no video or channel");
	return Fail(err, errlen, "not a youtube video or channel url");
}

/* True if s is a TikTok unique id (without '@'): 2..24 of [A-Za-z0-9._]. */
static bool
IsTikTokUser(const char *s)
{
	return CharsIn(s, 2, 24, "._");
}

/* True if s is a short-link code: 1..32 letters or digits. */
static bool
IsShortCode(const char *s)
{
	return CharsIn(s, 1, 32, "");
}

/* Emit a TikTok video; user may be "" when the URL names no author. */
static bool
TikTokVideo(const char *user, const char *id, CosUrl *out, char *err, size_t errlen)
{
	char		handle[COS_ID_MAX];

	if (!IsNumericId(id, 20))
		return Fail(err, errlen, "invalid tiktok video id (expected up to 20 digits)");
	if (user[0] != '\0' && !IsTikTokUser(user))
		return Fail(err, errlen,
					"invalid tiktok username (expected 2 to 24 letters, digits, '.' or '_')");
	CopyField(handle, sizeof(handle), user);
	LowerAscii(handle);
	return SetTarget(out, COS_KIND_VIDEO, false, "", id, handle, err, errlen) &&
		SetCanonical(out, err, errlen, "https://www.tiktok.com/@%s/video/%s", handle, id);
}

/* TikTok: /@user/video/ID, /@user/photo/ID, embeds, /v/ID.html, short links, /@user. */
static bool
ParseTikTok(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	bool		vm = strcmp(p->host, "vm.tiktok.com") == 0;
	bool		vt = strcmp(p->host, "vt.tiktok.com") == 0;

	if (vm || vt)
	{
		if (p->nseg != 1 || !IsShortCode(s0))
			return Fail(err, errlen, "tiktok short link must be %s/<code>", p->host);
		return SetTarget(out, COS_KIND_VIDEO, true, "", s0, "", err, errlen) &&
			SetCanonical(out, err, errlen, "https://%s/%s/", p->host, s0);
	}

	if (s0[0] == '@')
	{
		char		handle[COS_ID_MAX];

		if (p->nseg == 3 && (Is(p->seg[1], "video") || Is(p->seg[1], "photo")))
			return TikTokVideo(s0 + 1, p->seg[2], out, err, errlen);
		if (p->nseg != 1)
			return Fail(err, errlen, "not a tiktok video or profile url");
		if (!IsTikTokUser(s0 + 1))
			return Fail(err, errlen,
						"invalid tiktok username (expected 2 to 24 letters, digits, '.' or '_')");
		CopyField(handle, sizeof(handle), s0 + 1);
		LowerAscii(handle);
		return SetTarget(out, COS_KIND_CHANNEL, false, "@", handle, handle, err, errlen) &&
			SetCanonical(out, err, errlen, "https://www.tiktok.com/@%s", handle);
	}
	if (Is(s0, "embed") && p->nseg == 3 && Is(p->seg[1], "v2"))
		return TikTokVideo("", p->seg[2], out, err, errlen);
	if (Is(s0, "embed") && p->nseg == 2)
		return TikTokVideo("", p->seg[1], out, err, errlen);
	if (Is(s0, "v") && p->nseg == 2)
	{
		char		id[COS_ID_MAX];
		size_t		n;

		CopyField(id, sizeof(id), p->seg[1]);
		n = strlen(id);
		if (n > 5 && strcasecmp(id + n - 5, ".html") == 0)
			id[n - 5] = '\0';
		return TikTokVideo("", id, out, err, errlen);
	}
	if (Is(s0, "t") && p->nseg == 2)
	{
		if (!IsShortCode(p->seg[1]))
			return Fail(err, errlen, "invalid tiktok short link code");
		return SetTarget(out, COS_KIND_VIDEO, true, "", p->seg[1], "", err, errlen) &&
			SetCanonical(out, err, errlen, "https://www.tiktok.com/t/%s/", p->seg[1]);
	}
	if (p->nseg == 0)
		return Fail(err, errlen, "tiktok url names no video or profile");
	return Fail(err, errlen, "not a tiktok video or profile url");
}

/* True if s is an Instagram username: 1..30 of [a-z0-9._], no leading '.' or "..". */
static bool
IsInstagramUser(const char *s)
{
	return CharsIn(s, 1, 30, "._") && s[0] != '.' && strstr(s, "..") == NULL;
}

/* Emit an Instagram post or reel; user may be "". */
static bool
InstagramVideo(const char *user, const char *code, const char *rest,
			   CosUrl *out, char *err, size_t errlen)
{
	char		handle[COS_ID_MAX];

	if (rest != NULL && !Is(rest, "embed"))
		return Fail(err, errlen, "not an instagram profile, post or reel url");
	if (!CharsIn(code, 1, 64, "_-"))
		return Fail(err, errlen,
					"invalid instagram shortcode (expected letters, digits, '-' or '_')");
	CopyField(handle, sizeof(handle), user);
	LowerAscii(handle);
	return SetTarget(out, COS_KIND_VIDEO, false, "", code, handle, err, errlen) &&
		SetCanonical(out, err, errlen, "https://www.instagram.com/p/%s/", code);
}

/* True if s names an Instagram post: p, reel, reels or tv. */
static bool
IsInstagramPostWord(const char *s)
{
	return Is(s, "p") || Is(s, "reel") || Is(s, "reels") || Is(s, "tv");
}

/* Instagram: /p/, /reel/, /reels/, /tv/ (optionally after /<user>), /<user>. */
static bool
ParseInstagram(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		user[COS_ID_MAX];

	if (p->nseg == 0)
		return Fail(err, errlen, "instagram url names no profile, post or reel");
	if (Is(s0, "reels") && p->nseg >= 2 && Is(p->seg[1], "audio"))
		return Fail(err, errlen, "instagram audio pages are not tracked");
	if (IsInstagramPostWord(s0))
	{
		if (p->nseg < 2 || p->nseg > 3)
			return Fail(err, errlen, "instagram /%s/ url must name a post", s0);
		return InstagramVideo("", p->seg[1], p->nseg == 3 ? p->seg[2] : NULL,
							  out, err, errlen);
	}
	if (Is(s0, "stories"))
		return Fail(err, errlen, "instagram stories are not tracked");
	if (Is(s0, "explore"))
		return Fail(err, errlen, "instagram explore pages are not tracked");
	if (Is(s0, "accounts"))
		return Fail(err, errlen, "instagram account pages are not tracked");
	if (InList(s0, instagram_reserved))
		return Fail(err, errlen, "instagram /%s/ pages are not tracked", s0);

	if (!IsInstagramUser(s0))
		return Fail(err, errlen,
					"invalid instagram username (expected up to 30 letters, digits, '.' or '_')");
	CopyField(user, sizeof(user), s0);
	LowerAscii(user);

	if (p->nseg >= 3 && p->nseg <= 4 && IsInstagramPostWord(p->seg[1]) &&
		!Is(p->seg[1], "reels"))
		return InstagramVideo(user, p->seg[2], p->nseg == 4 ? p->seg[3] : NULL,
							  out, err, errlen);
	if (p->nseg == 1 ||
		(p->nseg == 2 && (Is(p->seg[1], "reels") || Is(p->seg[1], "tagged"))))
		return SetTarget(out, COS_KIND_CHANNEL, false, "", user, user, err, errlen) &&
			SetCanonical(out, err, errlen, "https://www.instagram.com/%s/", user);
	return Fail(err, errlen, "not an instagram profile, post or reel url");
}

/* Likee: /@user/video/ID, /v/CODE, /@user. */
static bool
ParseLikee(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	const char *s0 = p->nseg > 0 ? p->seg[0] : "";
	char		user[COS_ID_MAX];

	if (Is(s0, "v") && p->nseg == 2)
	{
		if (!IsShortCode(p->seg[1]))
			return Fail(err, errlen, "invalid likee short link code");
		return SetTarget(out, COS_KIND_VIDEO, true, "v/", p->seg[1], "", err, errlen) &&
			SetCanonical(out, err, errlen, "https://l.likee.video/v/%s", p->seg[1]);
	}
	if (s0[0] != '@' || !(p->nseg == 1 || (p->nseg == 3 && Is(p->seg[1], "video"))))
	{
		if (p->nseg == 0)
			return Fail(err, errlen, "likee url names no video or profile");
		return Fail(err, errlen, "not a likee video or profile url");
	}
	if (!CharsIn(s0 + 1, 1, 32, "._-"))
		return Fail(err, errlen,
					"invalid likee id (expected up to 32 letters, digits, '.', '-' or '_')");
	CopyField(user, sizeof(user), s0 + 1);
	LowerAscii(user);
	if (p->nseg == 1)
		return SetTarget(out, COS_KIND_CHANNEL, false, "@", user, user, err, errlen) &&
			SetCanonical(out, err, errlen, "https://likee.video/@%s", user);
	if (!IsNumericId(p->seg[2], 20))
		return Fail(err, errlen, "invalid likee video id (expected up to 20 digits)");
	return SetTarget(out, COS_KIND_VIDEO, false, "", p->seg[2], user, err, errlen) &&
		SetCanonical(out, err, errlen, "https://likee.video/@%s/video/%s", user, p->seg[2]);
}

/* True if s is a Telegram username: 5..32 of [A-Za-z0-9_], starting with a letter. */
static bool
IsTelegramUser(const char *s)
{
	return IsAlpha((unsigned char) s[0]) && CharsIn(s, 5, 32, "_");
}

/* Emit a Telegram channel (msg NULL) or channel post. */
static bool
TelegramTarget(const char *name, const char *msg, CosUrl *out,
			   char *err, size_t errlen)
{
	char		user[COS_ID_MAX];
	char		id[2 * COS_ID_MAX];

	if (!IsTelegramUser(name))
		return Fail(err, errlen,
					"invalid telegram username (expected 5 to 32 letters, digits or '_', starting with a letter)");
	CopyField(user, sizeof(user), name);
	LowerAscii(user);
	if (msg == NULL)
		return SetTarget(out, COS_KIND_CHANNEL, false, "", user, user, err, errlen) &&
			SetCanonical(out, err, errlen, "https://t.me/%s", user);
	if (!IsNumericId(msg, 10))
		return Fail(err, errlen, "invalid telegram message number");
	snprintf(id, sizeof(id), "%s/%s", user, msg);
	return SetTarget(out, COS_KIND_VIDEO, false, "", id, user, err, errlen) &&
		SetCanonical(out, err, errlen, "https://t.me/%s/%s", user, msg);
}

/* Telegram: /x, /s/x, /x/123, /s/x/123; refuses /c/ and invite links. */
static bool
ParseTelegram(const SplitUrl *p, CosUrl *out, char *err, size_t errlen)
{
	int			first = 0;

	if (p->nseg == 0)
		return Fail(err, errlen, "telegram url names no channel");
	if (Is(p->seg[0], "c"))
		return Fail(err, errlen,
					"private channel links (t.me/c/\xe2\x80\xa6) cannot be tracked; use the public @username");
	if (Is(p->seg[0], "joinchat") || p->seg[0][0] == '+')
		return Fail(err, errlen,
					"telegram invite links cannot be tracked; use the public @username");
	if (Is(p->seg[0], "s"))
		first = 1;
	if (p->nseg - first < 1 || p->nseg - first > 2)
		return Fail(err, errlen, "not a telegram channel or post url");
	if (InList(p->seg[first], telegram_reserved))
		return Fail(err, errlen, "t.me/%s links are not channels", p->seg[first]);
	return TelegramTarget(p->seg[first],
						  p->nseg - first == 2 ? p->seg[first + 1] : NULL,
						  out, err, errlen);
}

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
		return Fail(err, errlen, "no result buffer");
	memset(out, 0, sizeof(*out));
	if (url == NULL)
		return Fail(err, errlen, "url is empty");

	len = strnlen(url, URL_INPUT_MAX + 1);
	if (len > URL_INPUT_MAX)
		return Fail(err, errlen, "url is too long (more than %d bytes)", URL_INPUT_MAX);

	s = url;
	while (len > 0 && strchr(" \t\r\n\f\v", s[0]) != NULL)
		s++, len--;
	while (len > 0 && strchr(" \t\r\n\f\v", s[len - 1]) != NULL)
		len--;
	if (len == 0)
		return Fail(err, errlen, "url is empty");

	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (c < 0x20 || c == 0x7f)
			return Fail(err, errlen, "url contains control characters");
		if (c == ' ')
			return Fail(err, errlen, "url contains spaces");
		if (c == '\\')
			return Fail(err, errlen, "url contains a backslash");
	}

	/* "@durov": a Telegram channel by its username */
	if (s[0] == '@')
	{
		char		name[COS_ID_MAX];

		if (len - 1 >= sizeof(name) || len < 2)
			return Fail(err, errlen, "invalid telegram username");
		memcpy(name, s + 1, len - 1);
		name[len - 1] = '\0';
		if (!IsTelegramUser(name))
			return Fail(err, errlen,
						"a bare @name is read as a telegram username, which needs 5 to 32 letters, digits or '_' and must start with a letter");
		out->platform = COS_TELEGRAM;
		ok = TelegramTarget(name, NULL, out, err, errlen);
	}
	else
	{
		memset(&p, 0, sizeof(p));
		ok = Split(s, len, &p, err, errlen);
		if (ok)
		{
			out->platform = p.platform;
			switch (p.platform)
			{
				case COS_TIKTOK:
					ok = ParseTikTok(&p, out, err, errlen);
					break;
				case COS_YOUTUBE:
					ok = ParseYouTube(&p, out, err, errlen);
					break;
				case COS_INSTAGRAM:
					ok = ParseInstagram(&p, out, err, errlen);
					break;
				case COS_LIKEE:
					ok = ParseLikee(&p, out, err, errlen);
					break;
				case COS_TELEGRAM:
					ok = ParseTelegram(&p, out, err, errlen);
					break;
				default:
					ok = Fail(err, errlen, "unsupported host");
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

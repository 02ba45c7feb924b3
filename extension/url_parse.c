/*
 * url_parse.c
 *	  The generic URL splitter of url.c, and the helpers the platform rules
 *	  share.
 *
 * A user-typed URL is split by a small parser of its own (scheme, authority,
 * path, query, fragment) and its host checked against the list of each
 * platform's public hosts.  Anything unusual (user information, IP literals,
 * other ports, stray bytes, encoded separators) is refused rather than
 * repaired.  The helpers below check identifiers and fill a CosUrl, so that
 * the canonical URL is rebuilt from the validated id alone.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#include "url_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Write a formatted reason into err (if any) and return false. */
bool
cos_url_fail(char *err, size_t errlen, const char *fmt,...)
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
bool
cos_url_is_alpha(unsigned char c)
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
	return cos_url_is_alpha(c) || IsDigit(c);
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
void
cos_url_lower_ascii(char *s)
{
	for (; *s; s++)
		if (*s >= 'A' && *s <= 'Z')
			*s = (char) (*s - 'A' + 'a');
}

/* True if s is minlen..maxlen bytes, all letters, digits or bytes of extra. */
bool
cos_url_chars_in(const char *s, size_t minlen, size_t maxlen, const char *extra)
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
bool
cos_url_is_numeric_id(const char *s, size_t maxlen)
{
	size_t		n;

	if (s[0] == '0')
		return false;
	for (n = 0; s[n]; n++)
		if (!IsDigit((unsigned char) s[n]) || n >= maxlen)
			return false;
	return n > 0;
}

/* True if s is a short-link code: 1..32 letters or digits. */
bool
cos_url_is_short_code(const char *s)
{
	return cos_url_chars_in(s, 1, 32, "");
}

/* Case-insensitive equality for ASCII path keywords. */
bool
cos_url_is(const char *s, const char *keyword)
{
	return strcasecmp(s, keyword) == 0;
}

/* True if s (case-insensitively) is in the NULL-terminated list. */
bool
cos_url_in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (cos_url_is(s, *list))
			return true;
	return false;
}

/* Copy src into dst (size dstlen); false if it does not fit. */
bool
cos_url_copy_field(char *dst, size_t dstlen, const char *src)
{
	size_t		n = strlen(src);

	if (n >= dstlen)
		return false;
	memcpy(dst, src, n + 1);
	return true;
}

/* Fill the identity fields of out; false if id or handle does not fit. */
bool
cos_url_set_target(CosUrl *out, CosUrlKind kind, bool pending, const char *idprefix,
				   const char *id, const char *handle, char *err, size_t errlen)
{
	int			n;

	out->kind = kind;
	out->pending = pending;
	n = snprintf(out->id, sizeof(out->id), "%s%s", idprefix, id);
	if (n < 0 || (size_t) n >= sizeof(out->id) ||
		!cos_url_copy_field(out->handle, sizeof(out->handle), handle))
		return cos_url_fail(err, errlen, "identifier in url is too long");
	return true;
}

/* Format the canonical URL into out; false if it does not fit. */
bool
cos_url_set_canonical(CosUrl *out, char *err, size_t errlen, const char *fmt,...)
{
	va_list		ap;
	int			n;

	va_start(ap, fmt);
	n = vsnprintf(out->canonical, sizeof(out->canonical), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t) n >= sizeof(out->canonical))
		return cos_url_fail(err, errlen, "canonical url would be too long");
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
				return cos_url_fail(err, errlen, "malformed percent-encoding in url %s",
									where);
			hi = HexValue((unsigned char) s[i + 1]);
			lo = HexValue((unsigned char) s[i + 2]);
			if (hi < 0 || lo < 0)
				return cos_url_fail(err, errlen, "malformed percent-encoding in url %s",
									where);
			c = (unsigned char) (hi * 16 + lo);
			if (!IsUnreserved(c) && c != '@')
				return cos_url_fail(err, errlen,
									"percent-encoded character %%%02X is not accepted in url %s",
									(unsigned) c, where);
			i += 2;
		}
		else if (c >= 0x80)
			return cos_url_fail(err, errlen, "url %s contains non-ascii characters",
								where);
		else if (!IsUnreserved(c) && strchr("!$&'()*+,;=:@", c) == NULL)
			return cos_url_fail(err, errlen, "url %s contains an invalid character '%c'",
								where, c);
		if (n + 1 >= dstlen)
			return cos_url_fail(err, errlen, "url %s segment is too long", where);
		dst[n++] = (char) c;
	}
	dst[n] = '\0';
	if (strcmp(dst, ".") == 0 || strcmp(dst, "..") == 0)
		return cos_url_fail(err, errlen, "url path contains a dot segment");
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
			return cos_url_fail(err, errlen, "url path has too many segments");
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
		return cos_url_fail(err, errlen,
							"urls with user information (user@host) are not accepted");
	if (len > 0 && s[0] == '[')
		return cos_url_fail(err, errlen, "ip address hosts are not accepted");

	colon = memchr(s, ':', len);
	if (colon != NULL)
	{
		const char *port = colon + 1;
		size_t		portlen = len - (size_t) (port - s);
		long		value = 0;

		hostlen = (size_t) (colon - s);
		if (portlen == 0 || portlen > 5)
			return cos_url_fail(err, errlen, "invalid port in url");
		for (i = 0; i < portlen; i++)
		{
			if (!IsDigit((unsigned char) port[i]))
				return cos_url_fail(err, errlen, "invalid port in url");
			value = value * 10 + (port[i] - '0');
		}
		if (defport != 0 ? value != defport : (value != 80 && value != 443))
			return cos_url_fail(err, errlen, "only the default port is accepted");
	}

	if (hostlen > 0 && s[hostlen - 1] == '.')
		hostlen--;				/* "youtube.com." is "youtube.com" */
	if (hostlen == 0)
		return cos_url_fail(err, errlen, "url has no host");
	if (hostlen > URL_HOST_MAX)
		return cos_url_fail(err, errlen, "url host is too long");
	for (i = 0; i < hostlen; i++)
	{
		unsigned char c = (unsigned char) s[i];

		if (!IsAlnum(c) && c != '-' && c != '.')
			return cos_url_fail(err, errlen, "url host contains an invalid character");
		if (c == '.' && (i == 0 || s[i - 1] == '.'))
			return cos_url_fail(err, errlen, "url host has an empty label");
		if (!IsDigit(c) && c != '.')
			numeric = false;
		p->host[i] = (char) c;
	}
	p->host[hostlen] = '\0';
	cos_url_lower_ascii(p->host);
	if (numeric)
		return cos_url_fail(err, errlen, "ip address hosts are not accepted");

	p->platform = cos_platform_from_host(p->host);
	if (p->platform == COS_PLATFORM_NONE)
		return cos_url_fail(err, errlen,
							"host \"%s\" is not a tiktok, youtube, instagram, likee or telegram host",
							p->host);
	return true;
}

/*
 * Split the trimmed URL [s, s+len) into *p.  The scheme is optional; when
 * present it must be http or https followed by "//".
 */
bool
cos_url_split(const char *s, size_t len, SplitUrl *p, char *err, size_t errlen)
{
	size_t		i = 0;
	size_t		auth;
	size_t		path;
	size_t		end;
	int			defport = 0;

	/* A scheme is [A-Za-z][A-Za-z0-9+.-]* followed by ':' (not a port) */
	if (len > 0 && cos_url_is_alpha((unsigned char) s[0]))
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
				return cos_url_fail(err, errlen, "only http and https urls are accepted");
			else if (len - i < 3 || s[i + 1] != '/' || s[i + 2] != '/')
				return cos_url_fail(err, errlen,
									"malformed url: expected \"//\" after \"%s:\"",
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
int
cos_url_query_param(const SplitUrl *p, const char *key, char *dst, size_t dstlen,
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

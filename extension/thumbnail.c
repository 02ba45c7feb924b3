/*
 * thumbnail.c
 *	  Checks on a thumbnail download: the URL's host against the platform's
 *	  CDN hosts (URL parsed by libcurl's URL API), the test-only rebasing of
 *	  that URL onto a fixture server, and the image type of a body.
 *
 * Pure C: never includes postgres.h.
 */
#include "thumbnail.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

/* Writes a formatted reason into err (if any) and returns false. */
static bool Fail(char *err, size_t errlen, const char *fmt,...)
			__attribute__((format(printf, 3, 4)));

static bool
Fail(char *err, size_t errlen, const char *fmt,...)
{
	va_list		args;

	if (err != NULL && errlen > 0)
	{
		va_start(args, fmt);
		vsnprintf(err, errlen, fmt, args);
		va_end(args);
	}
	return false;
}

/* ASCII lower case, independent of the C locale. */
static char
Lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char) (c - 'A' + 'a') : c;
}

/* Whether the text of [s, s+n) is all decimal digits, or "0x" and hex. */
static bool
NumericLabel(const char *s, size_t n)
{
	size_t		i = 0;

	if (n == 0)
		return false;
	if (n > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		return true;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Whether host equals suffix or ends with "." + suffix (both lower case). */
static bool
HostMatches(const char *host, const char *suffix)
{
	size_t		hl = strlen(host);
	size_t		sl;

	while (*suffix == '.')
		suffix++;
	sl = strlen(suffix);
	if (sl == 0 || sl > hl)
		return false;
	if (strcmp(host + hl - sl, suffix) != 0)
		return false;
	return hl == sl || host[hl - sl - 1] == '.';
}

/*
 * Parses url with CURLU into its scheme, lower-case host (no trailing dot),
 * path and query; refuses user info, a port that is not the scheme's
 * default, IP literals and hosts with anything but letters, digits, '-' and
 * '.'.  *path and *query are curl-allocated (curl_free), *query may be NULL.
 */
static bool
SplitThumbnailUrl(const char *url, char *host, size_t hostlen, char **path, char **query,
				  bool *https, char *err, size_t errlen)
{
	CURLU	   *h;
	char	   *scheme = NULL;
	char	   *rawhost = NULL;
	char	   *part = NULL;
	bool		ok = false;
	size_t		n;
	size_t		i;
	const char *last;

	*path = NULL;
	*query = NULL;
	if (url == NULL || strlen(url) > COS_THUMBNAIL_URL_MAX)
		return Fail(err, errlen, "no URL, or one longer than %d bytes", COS_THUMBNAIL_URL_MAX);
	h = curl_url();
	if (h == NULL)
		return Fail(err, errlen, "out of memory");
	if (curl_url_set(h, CURLUPART_URL, url, 0) != CURLUE_OK)
	{
		Fail(err, errlen, "not a URL");
		goto done;
	}
	if (curl_url_get(h, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
		(strcmp(scheme, "https") != 0 && strcmp(scheme, "http") != 0))
	{
		Fail(err, errlen, "not an http or https URL");
		goto done;
	}
	*https = (strcmp(scheme, "https") == 0);
	if (curl_url_get(h, CURLUPART_USER, &part, 0) != CURLUE_NO_USER)
	{
		Fail(err, errlen, "user info in the URL");
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(h, CURLUPART_PASSWORD, &part, 0) != CURLUE_NO_PASSWORD)
	{
		Fail(err, errlen, "user info in the URL");
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(h, CURLUPART_PORT, &part, 0) != CURLUE_NO_PORT &&
		!(part != NULL && strcmp(part, strcmp(scheme, "https") == 0 ? "443" : "80") == 0))
	{
		Fail(err, errlen, "a port other than the scheme's default");
		goto done;
	}
	curl_free(part);
	part = NULL;
	if (curl_url_get(h, CURLUPART_HOST, &rawhost, 0) != CURLUE_OK || rawhost[0] == '\0')
	{
		Fail(err, errlen, "no host");
		goto done;
	}
	if (rawhost[0] == '[')
	{
		Fail(err, errlen, "an IP address as host");
		goto done;
	}
	n = strlen(rawhost);
	while (n > 0 && rawhost[n - 1] == '.')
		n--;
	if (n == 0 || n >= hostlen)
	{
		Fail(err, errlen, "host too long");
		goto done;
	}
	for (i = 0; i < n; i++)
	{
		char		c = Lower(rawhost[i]);

		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'))
		{
			Fail(err, errlen, "host \"%s\" has characters outside letters, digits, '-' and '.'", rawhost);
			goto done;
		}
		host[i] = c;
	}
	host[n] = '\0';
	/* an IPv4 address in any of its forms ends in a numeric label */
	last = strrchr(host, '.');
	last = last ? last + 1 : host;
	if (NumericLabel(last, strlen(last)))
	{
		Fail(err, errlen, "an IP address as host");
		goto done;
	}
	if (curl_url_get(h, CURLUPART_PATH, path, 0) != CURLUE_OK)
	{
		Fail(err, errlen, "no path");
		goto done;
	}
	if (curl_url_get(h, CURLUPART_QUERY, query, 0) != CURLUE_OK)
		*query = NULL;
	ok = true;

done:
	if (!ok)
	{
		curl_free(*path);
		*path = NULL;
	}
	curl_free(part);
	curl_free(scheme);
	curl_free(rawhost);
	curl_url_cleanup(h);
	return ok;
}

/* cos_thumbnail_url_allowed: see thumbnail.h */
bool
cos_thumbnail_url_allowed(const char *url, const char *const *hosts, int nhosts,
						  char *host, size_t hostlen, char *err, size_t errlen)
{
	char		buf[256];
	char	   *path;
	char	   *query;
	bool		https;
	int			i;

	if (!SplitThumbnailUrl(url, buf, sizeof(buf), &path, &query, &https, err, errlen))
		return false;
	curl_free(path);
	curl_free(query);
	for (i = 0; i < nhosts; i++)
	{
		if (hosts[i] != NULL && HostMatches(buf, hosts[i]))
		{
			if (host != NULL && hostlen > 0)
				snprintf(host, hostlen, "%s", buf);
			return true;
		}
	}
	return Fail(err, errlen, "host \"%s\" is not one of the platform's CDN hosts", buf);
}

/* cos_thumbnail_rebase: see thumbnail.h */
bool
cos_thumbnail_rebase(const char *base, const char *url, char *out, size_t outlen,
					 char *err, size_t errlen)
{
	char		host[256];
	char	   *path;
	char	   *query;
	bool		https;
	int			n;
	size_t		bl = base ? strlen(base) : 0;

	if (!SplitThumbnailUrl(url, host, sizeof(host), &path, &query, &https, err, errlen))
		return false;
	while (bl > 0 && base[bl - 1] == '/')
		bl--;
	if (base == NULL)
		n = snprintf(out, outlen, "%s://%s%s%s%s", https ? "https" : "http", host, path,
					 query ? "?" : "", query ? query : "");
	else
		n = snprintf(out, outlen, "%.*s/%s%s%s%s", (int) bl, base, host, path,
					 query ? "?" : "", query ? query : "");
	curl_free(path);
	curl_free(query);
	if (n < 0 || (size_t) n >= outlen)
		return Fail(err, errlen, "rebased URL longer than %zu bytes", outlen - 1);
	return true;
}

/* cos_image_type: see thumbnail.h */
const char *
cos_image_type(const unsigned char *b, size_t len)
{
	static const unsigned char png[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};

	if (b == NULL)
		return NULL;
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (len >= 8 && memcmp(b, png, 8) == 0)
		return "image/png";
	if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
		return "image/gif";
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return "image/webp";
	if (len >= 12 && memcmp(b + 4, "ftyp", 4) == 0)
	{
		const char *brand = (const char *) b + 8;

		if (memcmp(brand, "avif", 4) == 0 || memcmp(brand, "avis", 4) == 0)
			return "image/avif";
		if (memcmp(brand, "heic", 4) == 0 || memcmp(brand, "heix", 4) == 0 ||
			memcmp(brand, "heim", 4) == 0 || memcmp(brand, "heis", 4) == 0 ||
			memcmp(brand, "mif1", 4) == 0 || memcmp(brand, "msf1", 4) == 0)
			return "image/heic";
	}
	return NULL;
}

/* cos_image_content_type_ok: see thumbnail.h */
bool
cos_image_content_type_ok(const char *ct)
{
	static const char *const types[] = {"image/jpeg", "image/jpg", "image/png", "image/gif",
	"image/webp", "image/avif", "image/heic", "image/heif", NULL};
	char		mt[32];
	size_t		n = 0;
	int			i;

	if (ct == NULL)
		return false;
	while (*ct == ' ' || *ct == '\t')
		ct++;
	while (ct[n] && ct[n] != ';' && ct[n] != ' ' && ct[n] != '\t' && n < sizeof(mt) - 1)
	{
		mt[n] = Lower(ct[n]);
		n++;
	}
	mt[n] = '\0';
	for (i = 0; types[i]; i++)
		if (strcmp(mt, types[i]) == 0)
			return true;
	return false;
}

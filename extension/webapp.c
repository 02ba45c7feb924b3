/*
 * webapp.c
 *	  The rules by which the gateway serves the mini-app's files.  See
 *	  webapp.h.  Pure C: never includes postgres.h.
 */
#include "webapp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define WEBAPP_PATH_MAX 512

/* cos_webapp_path_ok: see webapp.h */
bool
cos_webapp_path_ok(const char *rel)
{
	const char *p;
	size_t		seglen = 0;

	if (rel == NULL)
		return false;
	if (strlen(rel) > WEBAPP_PATH_MAX)
		return false;
	if (rel[0] == '\0')
		return true;
	for (p = rel;; p++)
	{
		if (*p == '/' || *p == '\0')
		{
			/* the segment just ended: not empty (no "//"), but a '/' may end rel */
			if (*p == '\0')
				return seglen > 0 || p[-1] == '/';
			if (seglen == 0)
				return false;
			seglen = 0;
			continue;
		}
		if ((unsigned char) *p < 0x21 || (unsigned char) *p > 0x7e || *p == '\\')
			return false;
		/* "." and ".." and every other name starting with '.' */
		if (seglen == 0 && *p == '.')
			return false;
		seglen++;
	}
}

/* cos_webapp_content_type: see webapp.h */
const char *
cos_webapp_content_type(const char *name)
{
	static const struct
	{
		const char *ext;
		const char *type;
	}			types[] = {
		{"html", "text/html; charset=utf-8"},
		{"js", "text/javascript; charset=utf-8"},
		{"mjs", "text/javascript; charset=utf-8"},
		{"css", "text/css; charset=utf-8"},
		{"json", "application/json"},
		{"map", "application/json"},
		{"webmanifest", "application/manifest+json"},
		{"txt", "text/plain; charset=utf-8"},
		{"svg", "image/svg+xml"},
		{"png", "image/png"},
		{"jpg", "image/jpeg"},
		{"jpeg", "image/jpeg"},
		{"gif", "image/gif"},
		{"webp", "image/webp"},
		{"avif", "image/avif"},
		{"ico", "image/x-icon"},
		{"woff", "font/woff"},
		{"woff2", "font/woff2"},
		{"wasm", "application/wasm"},
	};
	const char *slash = name != NULL ? strrchr(name, '/') : NULL;
	const char *base = slash != NULL ? slash + 1 : name;
	const char *dot = base != NULL ? strrchr(base, '.') : NULL;

	if (dot != NULL)
	{
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		{
			if (strcasecmp(dot + 1, types[i].ext) == 0)
				return types[i].type;
		}
	}
	return "application/octet-stream";
}

/* cos_webapp_cache_control: see webapp.h */
const char *
cos_webapp_cache_control(const char *rel)
{
	if (rel != NULL && strncmp(rel, "assets/", 7) == 0 && rel[7] != '\0')
		return "public, max-age=31536000, immutable";
	return "no-cache";
}

/*
 * The q-value of one Accept-Encoding element's parameters (p just after
 * the coding's name, e is its end): 1 when absent, 0 for "q=0", "q=0.",
 * "q=0.0" ...
 */
static bool
QualityNonZero(const char *p, const char *e)
{
	while (p < e)
	{
		while (p < e && (*p == ' ' || *p == '\t' || *p == ';'))
			p++;
		if (e - p >= 2 && (p[0] == 'q' || p[0] == 'Q') && p[1] == '=')
		{
			p += 2;
			if (p < e && *p == '1')
				return true;
			if (p < e && *p == '0')
			{
				for (p++; p < e && (*p == '.' || *p == '0'); p++)
					;
				/* "0", "0.000": zero; "0.5": not */
				return p < e && *p >= '1' && *p <= '9';
			}
			return false;
		}
		while (p < e && *p != ';')
			p++;
	}
	return true;
}

/* cos_accepts_gzip: see webapp.h */
bool
cos_accepts_gzip(const char *accept_encoding)
{
	const char *p = accept_encoding;
	int			gzip = -1;		/* -1: not named, 0: refused, 1: accepted */
	int			star = -1;

	if (p == NULL)
		return false;
	while (*p != '\0')
	{
		const char *start;
		const char *name_end;
		const char *end;
		size_t		len;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		start = p;
		while (*p != '\0' && *p != ',' && *p != ';' && *p != ' ' && *p != '\t')
			p++;
		name_end = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		len = (size_t) (name_end - start);
		if ((len == 4 && strncasecmp(start, "gzip", 4) == 0) ||
			(len == 6 && strncasecmp(start, "x-gzip", 6) == 0))
			gzip = QualityNonZero(name_end, end) ? 1 : 0;
		else if (len == 1 && *start == '*')
			star = QualityNonZero(name_end, end) ? 1 : 0;
	}
	if (gzip >= 0)
		return gzip == 1;
	return star == 1;
}

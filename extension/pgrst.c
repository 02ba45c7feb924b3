/*
 * pgrst.c
 *	  PostgREST's conventions the HTTP gateway follows, as pure functions
 *	  (see pgrst.h for the sources).
 */
#include "pgrst.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* Whether the first two characters of sqlstate are class. */
static bool
ClassIs(const char *sqlstate, const char *class)
{
	return sqlstate[0] == class[0] && sqlstate[1] == class[1];
}

int
cos_pgrst_status(const char *sqlstate, bool authenticated)
{
	int			i;

	if (sqlstate == NULL || strlen(sqlstate) != 5)
		return 500;
	for (i = 0; i < 5; i++)
		if (!isdigit((unsigned char) sqlstate[i]) && !isupper((unsigned char) sqlstate[i]))
			return 500;

	/* raise sqlstate 'PT402': the status is in the code */
	if (sqlstate[0] == 'P' && sqlstate[1] == 'T' &&
		isdigit((unsigned char) sqlstate[2]) && isdigit((unsigned char) sqlstate[3]) &&
		isdigit((unsigned char) sqlstate[4]))
	{
		int			status = atoi(sqlstate + 2);

		return (status >= 100 && status <= 599) ? status : 500;
	}

	/* exact codes first, then whole classes, as the table reads */
	if (strcmp(sqlstate, "23503") == 0 || strcmp(sqlstate, "23505") == 0)
		return 409;
	if (strcmp(sqlstate, "25006") == 0)
		return 405;
	if (strcmp(sqlstate, "53400") == 0)
		return 500;
	if (strcmp(sqlstate, "P0001") == 0)
		return 400;
	if (strcmp(sqlstate, "42883") == 0 || strcmp(sqlstate, "42P01") == 0)
		return 404;
	if (strcmp(sqlstate, "42P17") == 0)
		return 500;
	if (strcmp(sqlstate, "42501") == 0)
		return authenticated ? 403 : 401;

	if (ClassIs(sqlstate, "08") || ClassIs(sqlstate, "53"))
		return 503;
	if (ClassIs(sqlstate, "0L") || ClassIs(sqlstate, "0P") || ClassIs(sqlstate, "28"))
		return 403;
	if (ClassIs(sqlstate, "09") || ClassIs(sqlstate, "25") || ClassIs(sqlstate, "2D") ||
		ClassIs(sqlstate, "38") || ClassIs(sqlstate, "39") || ClassIs(sqlstate, "3B") ||
		ClassIs(sqlstate, "40") || ClassIs(sqlstate, "54") || ClassIs(sqlstate, "55") ||
		ClassIs(sqlstate, "57") || ClassIs(sqlstate, "58") || ClassIs(sqlstate, "F0") ||
		ClassIs(sqlstate, "HV") || ClassIs(sqlstate, "P0") || ClassIs(sqlstate, "XX"))
		return 500;
	return 400;
}

bool
cos_cors_allowed(const char *setting, const char *origin)
{
	const char *p;
	size_t		olen;

	if (setting == NULL || origin == NULL || origin[0] == '\0')
		return false;
	olen = strlen(origin);
	p = setting;
	while (*p != '\0')
	{
		const char *start;
		const char *end;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		if (end - start == 1 && *start == '*')
			return true;
		if ((size_t) (end - start) == olen && memcmp(start, origin, olen) == 0)
			return true;
	}
	return false;
}

bool
cos_parse_listen(const char *s, char *host, size_t hostsize, int *port)
{
	const char *colon;
	const char *h;
	size_t		hlen;
	char	   *end;
	long		p;

	if (s == NULL || hostsize == 0)
		return false;
	if (s[0] == '[')
	{
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return false;
		h = s + 1;
		hlen = (size_t) (close - h);
		colon = close + 1;
	}
	else
	{
		colon = strrchr(s, ':');
		if (colon == NULL)
			return false;
		h = s;
		hlen = (size_t) (colon - s);
		if (memchr(h, ':', hlen) != NULL)
			return false;		/* an IPv6 literal needs brackets */
	}
	if (hlen == 0 || hlen >= hostsize)
		return false;
	if (!isdigit((unsigned char) colon[1]))
		return false;
	p = strtol(colon + 1, &end, 10);
	if (*end != '\0' || p < 1 || p > 65535)
		return false;
	memcpy(host, h, hlen);
	host[hlen] = '\0';
	*port = (int) p;
	return true;
}

bool
cos_upload_name_valid(const char *name)
{
	int			i;

	if (name == NULL)
		return false;
	for (i = 0; i < 64; i++)
		if (!isdigit((unsigned char) name[i]) && !(name[i] >= 'a' && name[i] <= 'f'))
			return false;
	return name[64] == '\0';
}

bool
cos_etag_matches(const char *if_none_match, const char *etag)
{
	const char *p = if_none_match;
	size_t		elen;

	if (p == NULL || etag == NULL)
		return false;
	elen = strlen(etag);
	while (*p != '\0')
	{
		const char *start;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		if (*p == '*')
			return true;
		if (p[0] == 'W' && p[1] == '/')
			p += 2;
		start = p;
		if (*p == '"')
		{
			p++;
			while (*p != '\0' && *p != '"')
				p++;
			if (*p == '"')
				p++;
		}
		else
			while (*p != '\0' && *p != ',')
				p++;
		if ((size_t) (p - start) == elen && memcmp(start, etag, elen) == 0)
			return true;
		while (*p != '\0' && *p != ',')
			p++;
	}
	return false;
}

size_t
cos_utf8_clip(const char *s, size_t max)
{
	size_t		len = strlen(s);
	size_t		cut = max;

	if (len <= max)
		return len;
	/* s[cut] is the first byte dropped: back up while it continues a character */
	while (cut > 0 && ((unsigned char) s[cut] & 0xC0) == 0x80)
		cut--;
	return cut;
}

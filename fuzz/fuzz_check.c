/*
 * fuzz_check.c
 *	  The result check shared by the extractor fuzz targets (fuzz_check.h).
 *
 * Pure C: never includes postgres.h.
 */
#include "fuzz_check.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest nesting of a result we walk (results are three levels deep) */
#define MAX_DEPTH 32

static const char *const statuses[] = {
	"ok", "unavailable", "private", "blocked", "error", NULL
};

/* Counters of a channel: JSON integer >= 0 or null (bigint columns) */
static const char *const channel_counters[] = {
	"followers", "likes", "views", "videos", NULL
};

/* Text fields of a channel: string or null */
static const char *const channel_texts[] = {
	"id", "handle", "title", "avatar_url", NULL
};

/* Counters of a video: JSON integer >= 0 or null (bigint columns) */
static const char *const video_counters[] = {
	"views", "likes", "comments", "shares", "saves", NULL
};

/* Text fields of a video: string or null */
static const char *const video_texts[] = {
	"id", "channel_id", "url", "title", "thumbnail_url", NULL
};

/* FuzzFail: see fuzz_check.h */
void
FuzzFail(const json_t *result, const char *fmt,...)
{
	va_list		ap;

	fputs("fuzz check failed: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (result != NULL)
	{
		char	   *dump = json_dumps(result, JSON_COMPACT | JSON_ENCODE_ANY);

		if (dump != NULL)
			fprintf(stderr, "result: %.4000s\n", dump);
		free(dump);
	}
	abort();
}

/* FuzzIsUtf8: see fuzz_check.h */
bool
FuzzIsUtf8(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *) s;
	size_t		i = 0;

	while (i < len)
	{
		unsigned char c = p[i];
		size_t		n;
		unsigned int cp;

		if (c < 0x80)
		{
			i++;
			continue;
		}
		/* n continuation bytes follow the lead byte c */
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3;
		else
			return false;
		cp = c & (0x3F >> n);
		if (len - i - 1 < n)
			return false;
		for (size_t k = 1; k <= n; k++)
		{
			if ((p[i + k] & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (p[i + k] & 0x3F);
		}
		/* overlong forms, surrogates, beyond U+10FFFF */
		if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
			(cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF)
			return false;
		i += n + 1;
	}
	return true;
}

/* True when s is one of the NULL-terminated list */
static bool
InList(const char *s, const char *const *list)
{
	for (; *list != NULL; list++)
	{
		if (strcmp(s, *list) == 0)
			return true;
	}
	return false;
}

/* Every string in value (keys too) is UTF-8 without a NUL byte */
static void
CheckStrings(const json_t *result, const json_t *value, int depth)
{
	const char *key;
	json_t	   *member;
	size_t		i;

	if (depth > MAX_DEPTH)
		FuzzFail(result, "result nested deeper than %d levels", MAX_DEPTH);
	if (json_is_string(value))
	{
		const char *s = json_string_value(value);
		size_t		len = json_string_length(value);

		if (memchr(s, '\0', len) != NULL)
			FuzzFail(result, "a string holds a NUL byte (jsonb refuses \\u0000)");
		if (!FuzzIsUtf8(s, len))
			FuzzFail(result, "a string is not UTF-8");
	}
	else if (json_is_object(value))
	{
		json_object_foreach((json_t *) value, key, member)
		{
			if (!FuzzIsUtf8(key, strlen(key)))
				FuzzFail(result, "a key is not UTF-8");
			CheckStrings(result, member, depth + 1);
		}
	}
	else if (json_is_array(value))
	{
		json_array_foreach(value, i, member)
			CheckStrings(result, member, depth + 1);
	}
}

/* obj[key], when present, is a JSON integer in [0, max] or null */
static void
CheckCounter(const json_t *result, const json_t *obj, const char *what,
			 const char *key, long long max)
{
	const json_t *v = json_object_get(obj, key);

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_integer(v))
		FuzzFail(result, "%s.%s is neither an integer nor null", what, key);
	if (json_integer_value(v) < 0 || json_integer_value(v) > max)
		FuzzFail(result, "%s.%s = %lld is out of [0, %lld]", what, key,
				 (long long) json_integer_value(v), max);
}

/* obj[key], when present, is a string or null */
static void
CheckText(const json_t *result, const json_t *obj, const char *what, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v != NULL && !json_is_null(v) && !json_is_string(v))
		FuzzFail(result, "%s.%s is neither a string nor null", what, key);
}

/* Two ASCII digits at s as a number in [lo, hi], else -1 */
static int
TwoDigits(const char *s, int lo, int hi)
{
	int			n;

	if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9')
		return -1;
	n = (s[0] - '0') * 10 + (s[1] - '0');
	return (n >= lo && n <= hi) ? n : -1;
}

/* obj.published_at, when present, is null or "YYYY-MM-DDTHH:MM:SSZ" */
static void
CheckTime(const json_t *result, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "published_at");
	const char *s;

	if (v == NULL || json_is_null(v))
		return;
	if (!json_is_string(v) || json_string_length(v) != 20)
		FuzzFail(result, "video.published_at is not null or YYYY-MM-DDTHH:MM:SSZ");
	s = json_string_value(v);
	if (TwoDigits(s, 0, 99) < 0 || TwoDigits(s + 2, 0, 99) < 0 || s[4] != '-' ||
		TwoDigits(s + 5, 1, 12) < 0 || s[7] != '-' ||
		TwoDigits(s + 8, 1, 31) < 0 || s[10] != 'T' ||
		TwoDigits(s + 11, 0, 23) < 0 || s[13] != ':' ||
		TwoDigits(s + 14, 0, 59) < 0 || s[16] != ':' ||
		TwoDigits(s + 17, 0, 60) < 0 || s[19] != 'Z')
		FuzzFail(result, "video.published_at \"%s\" is not YYYY-MM-DDTHH:MM:SSZ", s);
}

/* result[key] is an array of objects, each checked as a channel or video */
static void
CheckList(const json_t *result, const char *key, bool videos)
{
	const json_t *list = json_object_get(result, key);
	const char *what = videos ? "video" : "channel";
	const char *const *counters = videos ? video_counters : channel_counters;
	const char *const *texts = videos ? video_texts : channel_texts;
	json_t	   *item;
	size_t		i;

	if (!json_is_array(list))
		FuzzFail(result, "\"%s\" is not an array", key);
	json_array_foreach(list, i, item)
	{
		if (!json_is_object(item))
			FuzzFail(result, "%s[%zu] is not an object", key, i);
		for (const char *const *c = counters; *c != NULL; c++)
			CheckCounter(result, item, what, *c, LLONG_MAX);
		for (const char *const *t = texts; *t != NULL; t++)
			CheckText(result, item, what, *t);
		if (videos)
		{
			/* duration_s is an integer (int4) column */
			CheckCounter(result, item, what, "duration_s", INT_MAX);
			CheckTime(result, item);
		}
	}
}

/* FuzzCheckResult: see fuzz_check.h */
void
FuzzCheckResult(const json_t *result, CosPlatform platform)
{
	const json_t *status;
	const json_t *name;
	const char *want = cos_platform_name(platform);

	if (result == NULL)
		FuzzFail(NULL, "NULL result (out of memory is not expected here)");
	if (!json_is_object(result))
		FuzzFail(result, "the result is not an object");
	status = json_object_get(result, "status");
	if (!json_is_string(status) || !InList(json_string_value(status), statuses))
		FuzzFail(result, "\"status\" is not ok/unavailable/private/blocked/error");
	name = json_object_get(result, "platform");
	if (want != NULL &&
		(!json_is_string(name) || strcmp(json_string_value(name), want) != 0))
		FuzzFail(result, "\"platform\" is not \"%s\"", want);
	CheckText(result, result, "result", "error");
	CheckText(result, result, "result", "next");
	CheckList(result, "channels", false);
	CheckList(result, "videos", true);
	CheckStrings(result, result, 0);
}

/* FuzzExtract: see fuzz_check.h */
int
FuzzExtract(CosPlatform platform, const char *url, const uint8_t *data, size_t size)
{
	json_t	   *result;

	result = cos_extract_for(platform, url, (const char *) data, size);
	FuzzCheckResult(result, platform);
	json_decref(result);
	return 0;
}

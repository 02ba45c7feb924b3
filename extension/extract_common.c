/*
 * extract_common.c
 *	  Shared machinery of the extractors: result objects, counters from
 *	  jansson values, and bounded searches for JSON embedded in HTML.
 *
 * Bodies are never NUL-terminated: every scan here is bounded by the
 * length it is given.  Pure C: never includes postgres.h.
 */
#include "extract_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <math.h>
#include <string.h>

/* Keys of a channel object, in output order */
static const char *const channel_keys[] = {
	"id", "handle", "title", "followers", "likes", "views", "videos", "avatar_url"
};

/* Keys of a video object, in output order */
static const char *const video_keys[] = {
	"id", "channel_id", "url", "title", "published_at", "duration_s",
	"thumbnail_url", "views", "likes", "comments", "shares", "saves"
};

/* A new object whose keys (n of them) are all null */
static json_t *
NullObject(const char *const *keys, size_t n)
{
	json_t	   *obj = json_object();

	if (obj == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++)
	{
		if (json_object_set_new(obj, keys[i], json_null()) != 0)
		{
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

/* cos_utf8_seq_len: see extract_int.h */
size_t
cos_utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t		need;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		need = 2;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		need = 3;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		need = 4;
	else
		return 0;
	cp = s[0] & (0x7F >> need);
	if (n < need)
		return 0;
	for (size_t i = 1; i < need; i++)
	{
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
		(need == 4 && (cp < 0x10000 || cp > 0x10FFFF)))
		return 0;
	return need;
}

/* Replace every byte of s that is not part of valid UTF-8 by "?" */
static void
SanitizeUtf8(char *s)
{
	unsigned char *p = (unsigned char *) s;
	size_t		n = strlen(s);

	while (n > 0)
	{
		size_t		k = cos_utf8_seq_len(p, n);

		if (k == 0)
		{
			*p = '?';
			k = 1;
		}
		p += k;
		n -= k;
	}
}

/* Set result's status and a formatted reason; helper of the failure builders */
static void SetFailureV(json_t *result, const char *status, const char *fmt, va_list ap)
			__attribute__((format(printf, 3, 0)));

static void
SetFailureV(json_t *result, const char *status, const char *fmt, va_list ap)
{
	char		reason[COS_REASON_MAX];

	vsnprintf(reason, sizeof(reason), fmt, ap);
	/* reasons quote document text, maybe cut inside a UTF-8 sequence */
	SanitizeUtf8(reason);
	json_object_set_new(result, "status", json_string(status));
	json_object_set_new(result, "error", json_string(reason));
	json_object_set_new(result, "channels", json_array());
	json_object_set_new(result, "videos", json_array());
	json_object_set_new(result, "next", json_null());
}

/* cos_result_new: see extract_int.h */
json_t *
cos_result_new(CosPlatform platform)
{
	json_t	   *result = json_object();
	const char *name = cos_platform_name(platform);

	if (result == NULL)
		return NULL;
	if (json_object_set_new(result, "status", json_string("ok")) != 0 ||
		json_object_set_new(result, "platform", name ? json_string(name) : json_null()) != 0 ||
		json_object_set_new(result, "error", json_null()) != 0 ||
		json_object_set_new(result, "channels", json_array()) != 0 ||
		json_object_set_new(result, "videos", json_array()) != 0 ||
		json_object_set_new(result, "next", json_null()) != 0)
	{
		json_decref(result);
		return NULL;
	}
	return result;
}

/* cos_result_fail: see extract_int.h */
json_t *
cos_result_fail(CosPlatform platform, const char *status, const char *fmt,...)
{
	json_t	   *result = cos_result_new(platform);
	va_list		ap;

	if (result == NULL)
		return NULL;
	va_start(ap, fmt);
	SetFailureV(result, status, fmt, ap);
	va_end(ap);
	return result;
}

/* cos_result_set_failure: see extract_int.h */
json_t *
cos_result_set_failure(json_t *result, const char *status, const char *fmt,...)
{
	va_list		ap;

	if (result == NULL)
		return NULL;
	va_start(ap, fmt);
	SetFailureV(result, status, fmt, ap);
	va_end(ap);
	return result;
}

/* cos_result_status: see extract_int.h */
const char *
cos_result_status(const json_t *result)
{
	const char *s = json_string_value(json_object_get(result, "status"));

	return s ? s : "error";
}

/* cos_result_add_channel: see extract_int.h */
void
cos_result_add_channel(json_t *result, json_t *channel)
{
	json_array_append_new(json_object_get(result, "channels"), channel);
}

/* cos_result_add_video: see extract_int.h */
void
cos_result_add_video(json_t *result, json_t *video)
{
	json_array_append_new(json_object_get(result, "videos"), video);
}

/* cos_channel_new: see extract_int.h */
json_t *
cos_channel_new(void)
{
	return NullObject(channel_keys, sizeof(channel_keys) / sizeof(channel_keys[0]));
}

/* cos_video_new: see extract_int.h */
json_t *
cos_video_new(void)
{
	return NullObject(video_keys, sizeof(video_keys) / sizeof(video_keys[0]));
}

/* cos_json_count: see extract_int.h */
bool
cos_json_count(const json_t *value, long long *out)
{
	if (json_is_integer(value))
	{
		json_int_t	v = json_integer_value(value);

		if (v < 0)
			return false;
		*out = (long long) v;
		return true;
	}
	if (json_is_real(value))
	{
		double		d = json_real_value(value);

		/* 9.2e18 is below LLONG_MAX; integral values only */
		if (!(d >= 0.0 && d < 9.2e18) || (double) (long long) d != d)
			return false;
		*out = (long long) d;
		return true;
	}
	if (json_is_string(value))
		return cos_parse_count(json_string_value(value), json_string_length(value), out);
	return false;
}

/* cos_json_str: see extract_int.h */
const char *
cos_json_str(const json_t *value)
{
	if (!json_is_string(value) || json_string_length(value) == 0)
		return NULL;
	return json_string_value(value);
}

/* cos_json_path: see extract_int.h */
json_t *
cos_json_path(const json_t *root,...)
{
	va_list		ap;
	const char *key;
	json_t	   *cur = (json_t *) root;

	va_start(ap, root);
	while (cur != NULL && (key = va_arg(ap, const char *)) != NULL)
		cur = json_is_object(cur) ? json_object_get(cur, key) : NULL;
	va_end(ap);
	return cur;
}

/* cos_json_id: see extract_int.h */
bool
cos_json_id(const json_t *value, char *buf, size_t idlen)
{
	int			n;

	if (json_is_string(value))
	{
		size_t		slen = json_string_length(value);

		if (slen == 0 || slen >= idlen || memchr(json_string_value(value), '\0', slen))
			return false;
		memcpy(buf, json_string_value(value), slen + 1);
		return true;
	}
	if (json_is_integer(value) && json_integer_value(value) >= 0)
	{
		n = snprintf(buf, idlen, "%lld", (long long) json_integer_value(value));
		return n > 0 && (size_t) n < idlen;
	}
	if (json_is_real(value))
	{
		/* a document re-read with every integer as a real (cos_json_parse);
		 * past 2^53 a double no longer holds every integer exactly */
		double		d = json_real_value(value);

		if (!(d > 0.0 && d <= 9007199254740992.0) || d != (double) (long long) d)
			return false;
		n = snprintf(buf, idlen, "%lld", (long long) d);
		return n > 0 && (size_t) n < idlen;
	}
	return false;
}

/* cos_set_counter: see extract_int.h */
bool
cos_set_counter(json_t *obj, const char *key, const json_t *value)
{
	long long	n;

	if (!cos_json_count(value, &n))
		return false;
	return json_object_set_new(obj, key, json_integer(n)) == 0;
}

/* cos_set_counter2: see extract_int.h */
bool
cos_set_counter2(json_t *obj, const char *key, const json_t *a, const json_t *b)
{
	return cos_set_counter(obj, key, a) || cos_set_counter(obj, key, b);
}

/* cos_set_positive: see extract_int.h */
bool
cos_set_positive(json_t *obj, const char *key, const json_t *value)
{
	long long	n;

	if (!cos_json_count(value, &n) || n <= 0)
		return false;
	return json_object_set_new(obj, key, json_integer(n)) == 0;
}

/* cos_set_duration_secs: see extract_int.h */
bool
cos_set_duration_secs(json_t *obj, long long secs)
{
	if (secs < 1 || secs > COS_DURATION_MAX)
		return false;
	return json_object_set_new(obj, "duration_s", json_integer((json_int_t) secs)) == 0;
}

/* cos_set_duration: see extract_int.h */
bool
cos_set_duration(json_t *obj, const json_t *value, double unit_s)
{
	double		v;

	if (json_is_integer(value))
		v = (double) json_integer_value(value);
	else if (json_is_real(value))
		v = json_real_value(value);
	else if (json_is_string(value) && json_string_length(value) > 0 &&
			 json_string_length(value) < 32)
	{
		char		buf[32];
		char	   *end;

		memcpy(buf, json_string_value(value), json_string_length(value) + 1);
		errno = 0;
		v = strtod(buf, &end);
		if (errno != 0 || *end != '\0' || end == buf)
			return false;
	}
	else
		return false;
	v = floor(v * unit_s);
	/* also refuses NaN: every comparison with it is false */
	if (!(v >= 1.0 && v <= (double) COS_DURATION_MAX))
		return false;
	return cos_set_duration_secs(obj, (long long) v);
}

/* cos_set_string: see extract_int.h */
bool
cos_set_string(json_t *obj, const char *key, const json_t *value)
{
	if (cos_json_str(value) == NULL)
		return false;
	return json_object_set_new(obj, key,
							   json_stringn(json_string_value(value),
											json_string_length(value))) == 0;
}

/* cos_set_cstring: see extract_int.h */
bool
cos_set_cstring(json_t *obj, const char *key, const char *s)
{
	json_t	   *v;

	if (s == NULL || *s == '\0' || (v = json_string(s)) == NULL)
		return false;
	return json_object_set_new(obj, key, v) == 0;
}

/* cos_set_unix_time: see extract_int.h */
bool
cos_set_unix_time(json_t *obj, const char *key, const json_t *value)
{
	long long	secs;
	char		iso[COS_ISO_UTC_SIZE];

	/* plain digits only: "1752462842", never "1.7B" */
	if (json_is_string(value))
	{
		const char *s = json_string_value(value);
		size_t		n = json_string_length(value);

		if (n == 0 || n > 18 || strspn(s, "0123456789") != n)
			return false;
	}
	if (!cos_json_count(value, &secs) || secs <= 0 ||
		!cos_unix_to_iso(secs, iso, sizeof(iso)))
		return false;
	return json_object_set_new(obj, key, json_string(iso)) == 0;
}

/* cos_set_iso_time: see extract_int.h */
bool
cos_set_iso_time(json_t *obj, const char *key, const json_t *value)
{
	char		iso[COS_ISO_UTC_SIZE];

	if (!json_is_string(value) ||
		!cos_iso_to_utc(json_string_value(value), json_string_length(value),
						iso, sizeof(iso)))
		return false;
	return json_object_set_new(obj, key, json_string(iso)) == 0;
}

/* cos_memmem: see extract_int.h */
const char *
cos_memmem(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	const char *p = hay;
	const char *end = hay + hlen;

	if (nlen == 0)
		return hay;
	if (hay == NULL || hlen < nlen)
		return NULL;
	while ((size_t) (end - p) >= nlen)
	{
		p = memchr(p, needle[0], (size_t) (end - p) - nlen + 1);
		if (p == NULL)
			return NULL;
		if (memcmp(p, needle, nlen) == 0)
			return p;
		p++;
	}
	return NULL;
}

/* ASCII lower case of c */
static inline unsigned char
LowerAscii(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char) (c - 'A' + 'a') : c;
}

/* True when a (n bytes) equals b ASCII case-insensitively */
static bool
EqualCi(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
	{
		if (LowerAscii((unsigned char) a[i]) != LowerAscii((unsigned char) b[i]))
			return false;
	}
	return true;
}

/* cos_memmem_ci: see extract_int.h */
const char *
cos_memmem_ci(const char *hay, size_t hlen, const char *needle, size_t nlen)
{
	unsigned char first;

	if (nlen == 0)
		return hay;
	if (hay == NULL || hlen < nlen)
		return NULL;
	first = LowerAscii((unsigned char) needle[0]);
	/* a needle starting with a non-letter ("<script") lets memchr do the work */
	if (!(first >= 'a' && first <= 'z'))
	{
		const char *p = hay;
		const char *end = hay + hlen;

		while ((size_t) (end - p) >= nlen)
		{
			p = memchr(p, first, (size_t) (end - p) - nlen + 1);
			if (p == NULL)
				return NULL;
			if (EqualCi(p, needle, nlen))
				return p;
			p++;
		}
		return NULL;
	}
	for (size_t i = 0; i + nlen <= hlen; i++)
	{
		if (LowerAscii((unsigned char) hay[i]) == first && EqualCi(hay + i, needle, nlen))
			return hay + i;
	}
	return NULL;
}

/* cos_body_has: see extract_int.h */
bool
cos_body_has(const char *body, size_t len, const char *needle)
{
	return cos_memmem(body, len, needle, strlen(needle)) != NULL;
}

/* cos_body_has_ci: see extract_int.h */
bool
cos_body_has_ci(const char *body, size_t len, const char *needle)
{
	return cos_memmem_ci(body, len, needle, strlen(needle)) != NULL;
}

/* True when c is an HTML blank */
static inline bool
IsHtmlSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

/*
 * True when the start tag tag (tlen bytes, from "<script" up to ">") has
 * the attribute id with value id, quoted or not.
 */
static bool
TagHasId(const char *tag, size_t tlen, const char *id)
{
	size_t		idlen = strlen(id);
	size_t		i = 0;

	while (i < tlen)
	{
		const char *p = cos_memmem_ci(tag + i, tlen - i, "id", 2);
		size_t		j;
		char		quote = 0;

		if (p == NULL)
			return false;
		j = (size_t) (p - tag);
		i = j + 2;
		/* must be a whole attribute name: blank before, "=" after */
		if (j == 0 || !IsHtmlSpace(tag[j - 1]))
			continue;
		while (i < tlen && IsHtmlSpace(tag[i]))
			i++;
		if (i >= tlen || tag[i] != '=')
			continue;
		i++;
		while (i < tlen && IsHtmlSpace(tag[i]))
			i++;
		if (i < tlen && (tag[i] == '"' || tag[i] == '\''))
			quote = tag[i++];
		if (tlen - i < idlen || memcmp(tag + i, id, idlen) != 0)
			continue;
		i += idlen;
		if (quote ? (i < tlen && tag[i] == quote)
			: (i >= tlen || IsHtmlSpace(tag[i]) || tag[i] == '/'))
			return true;
	}
	return false;
}

/* cos_find_script_by_id: see extract_int.h */
CosSpan
cos_find_script_by_id(const char *body, size_t len, const char *id,
					  const char **start, size_t *slen)
{
	size_t		pos = 0;

	while (pos < len)
	{
		const char *open = cos_memmem_ci(body + pos, len - pos, "<script", 7);
		const char *gt;
		const char *content;
		const char *close;
		size_t		o;

		if (open == NULL)
			return COS_SPAN_MISSING;
		o = (size_t) (open - body);
		pos = o + 7;
		/* "<scripts" or "<script-x" is another element */
		if (pos < len && !IsHtmlSpace(body[pos]) && body[pos] != '>')
			continue;
		gt = memchr(body + pos, '>', len - pos);
		if (gt == NULL)
			return TagHasId(body + o, len - o, id) ? COS_SPAN_TRUNCATED : COS_SPAN_MISSING;
		if (!TagHasId(body + o, (size_t) (gt - (body + o)), id))
		{
			pos = (size_t) (gt - body) + 1;
			continue;
		}
		content = gt + 1;
		close = cos_memmem_ci(content, len - (size_t) (content - body), "</script", 8);
		if (close == NULL)
			return COS_SPAN_TRUNCATED;
		*start = content;
		*slen = (size_t) (close - content);
		return COS_SPAN_FOUND;
	}
	return COS_SPAN_MISSING;
}

/*
 * Length of the JSON string starting at s[0] ('"'), quotes included; 0 if
 * unclosed.  Strings are most of a page's JSON, so the closing quote is
 * found with memchr, and a quote preceded by an odd run of backslashes is
 * an escaped one.
 */
static size_t
JsonStringSpan(const char *s, size_t len)
{
	size_t		i = 1;

	while (i < len)
	{
		const char *q = memchr(s + i, '"', len - i);
		size_t		at;
		size_t		backslashes = 0;

		if (q == NULL)
			return 0;
		at = (size_t) (q - s);
		while (s[at - 1 - backslashes] == '\\')
			backslashes++;		/* stops at the opening quote at the latest */
		if (backslashes % 2 == 0)
			return at + 1;
		i = at + 1;
	}
	return 0;
}

/* cos_json_span: see extract_int.h */
size_t
cos_json_span(const char *s, size_t len)
{
	size_t		depth = 0;

	if (len == 0 || (s[0] != '{' && s[0] != '['))
		return 0;
	for (size_t i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '"')
		{
			size_t		n = JsonStringSpan(s + i, len - i);

			if (n == 0)
				return 0;
			i += n - 1;
		}
		else if (c == '{' || c == '[')
			depth++;
		else if (c == '}' || c == ']')
		{
			if (--depth == 0)
				return i + 1;
		}
	}
	return 0;
}

static bool
IsJsonSpace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* cos_json_next_member: see extract_int.h */
int
cos_json_next_member(const char *obj, size_t len, size_t *pos,
					 const char **key, size_t *klen,
					 const char **value, size_t *vlen)
{
	size_t		i = *pos;
	size_t		ks;
	size_t		vs;

	if (len == 0 || obj[0] != '{' || i >= len)
		return -1;
	if (i == 0)
	{
		/* the first member, or "}" of an empty object */
		i = 1;
		while (i < len && IsJsonSpace(obj[i]))
			i++;
		if (i < len && obj[i] == '}')
		{
			*pos = len;
			return 0;
		}
	}
	else
	{
		/* after a value: "," and the next member, or "}" */
		while (i < len && IsJsonSpace(obj[i]))
			i++;
		if (i < len && obj[i] == '}')
		{
			*pos = len;
			return 0;
		}
		if (i >= len || obj[i] != ',')
			return -1;
		i++;
		while (i < len && IsJsonSpace(obj[i]))
			i++;
	}
	if (i >= len || obj[i] != '"')
		return -1;
	ks = JsonStringSpan(obj + i, len - i);
	if (ks == 0)
		return -1;
	*key = obj + i + 1;
	*klen = ks - 2;
	i += ks;
	while (i < len && IsJsonSpace(obj[i]))
		i++;
	if (i >= len || obj[i] != ':')
		return -1;
	i++;
	while (i < len && IsJsonSpace(obj[i]))
		i++;
	if (i >= len)
		return -1;
	if (obj[i] == '{' || obj[i] == '[')
		vs = cos_json_span(obj + i, len - i);
	else if (obj[i] == '"')
		vs = JsonStringSpan(obj + i, len - i);
	else
	{
		vs = 0;
		while (i + vs < len && obj[i + vs] != ',' && obj[i + vs] != '}' &&
			   !IsJsonSpace(obj[i + vs]))
			vs++;
	}
	if (vs == 0)
		return -1;
	*value = obj + i;
	*vlen = vs;
	*pos = i + vs;
	return 1;
}

/* cos_json_member: see extract_int.h */
bool
cos_json_member(const char *obj, size_t len, const char *key,
				const char **value, size_t *vlen)
{
	size_t		klen = strlen(key);
	size_t		pos = 0;
	const char *k;
	size_t		kl;

	while (cos_json_next_member(obj, len, &pos, &k, &kl, value, vlen) == 1)
	{
		if (kl == klen && memcmp(k, key, klen) == 0)
			return true;
	}
	return false;
}

/* cos_find_assigned_json: see extract_int.h */
CosSpan
cos_find_assigned_json(const char *body, size_t len, const char *name,
					   const char **start, size_t *slen)
{
	size_t		nlen = strlen(name);
	size_t		pos = 0;
	bool		truncated = false;

	while (pos < len)
	{
		const char *hit = cos_memmem(body + pos, len - pos, name, nlen);
		size_t		i;
		size_t		span;

		if (hit == NULL)
			break;
		i = (size_t) (hit - body) + nlen;
		pos = i;
		/* part of a longer identifier ("ytInitialDataX", "xytInitialData")? */
		if (i < len && (body[i] == '_' || body[i] == '$' ||
						(body[i] >= '0' && body[i] <= '9') ||
						(body[i] >= 'a' && body[i] <= 'z') ||
						(body[i] >= 'A' && body[i] <= 'Z')))
			continue;
		/* window["name"] = … */
		if (i < len && (body[i] == '"' || body[i] == '\''))
		{
			i++;
			if (i >= len || body[i] != ']')
				continue;
			i++;
		}
		while (i < len && IsHtmlSpace(body[i]))
			i++;
		if (i >= len)
		{
			truncated = true;
			break;
		}
		if (body[i] != '=' || (i + 1 < len && body[i + 1] == '='))
			continue;
		i++;
		while (i < len && IsHtmlSpace(body[i]))
			i++;
		if (i >= len)
		{
			truncated = true;
			break;
		}
		if (body[i] != '{')
			continue;
		span = cos_json_span(body + i, len - i);
		if (span == 0)
		{
			truncated = true;
			break;
		}
		*start = body + i;
		*slen = span;
		return COS_SPAN_FOUND;
	}
	return truncated ? COS_SPAN_TRUNCATED : COS_SPAN_MISSING;
}

/* cos_json_parse: see extract_int.h */
json_t *
cos_json_parse(const char *s, size_t len, char *err, size_t errlen)
{
	json_error_t jerr;
	json_t	   *root;

	root = json_loadb(s, len, 0, &jerr);
	if (root == NULL && json_error_code(&jerr) == json_error_numeric_overflow)
		root = json_loadb(s, len, JSON_DECODE_INT_AS_REAL, &jerr);
	if (root == NULL && err != NULL && errlen > 0)
		snprintf(err, errlen, "%s at byte %d", jerr.text, jerr.position);
	return root;
}

/* Start of the authority of url (after "scheme://"), or NULL when there is none */
static const char *
UrlAuthority(const char *url)
{
	const char *p = url;

	/* scheme: letters, digits, "+", "-", "." followed by "://" */
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		   (*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.')
		p++;
	if (p > url && strncmp(p, "://", 3) == 0)
		return p + 3;
	if (url[0] == '/' && url[1] == '/')
		return url + 2;
	if (url[0] == '/' || url[0] == '\0')
		return NULL;
	return url;					/* "host/path" */
}

/* cos_url_path: see extract_int.h */
const char *
cos_url_path(const char *url)
{
	const char *auth;

	if (url == NULL)
		return "";
	auth = UrlAuthority(url);
	if (auth == NULL)
		return url;
	return auth + strcspn(auth, "/?#");
}

/* cos_url_host: see extract_int.h */
bool
cos_url_host(const char *url, char *host, size_t hostlen)
{
	const char *auth;
	size_t		alen;
	const char *at;
	size_t		n;

	if (url == NULL || hostlen == 0 || (auth = UrlAuthority(url)) == NULL)
		return false;
	alen = strcspn(auth, "/?#");
	/* drop "user:pass@" */
	at = memchr(auth, '@', alen);
	while (at != NULL)
	{
		alen -= (size_t) (at + 1 - auth);
		auth = at + 1;
		at = memchr(auth, '@', alen);
	}
	if (auth[0] == '[')
	{
		const char *rb = memchr(auth, ']', alen);

		n = rb ? (size_t) (rb - auth) + 1 : alen;
	}
	else
		n = strcspn(auth, ":/?#");
	if (n > alen)
		n = alen;
	while (n > 0 && auth[n - 1] == '.')
		n--;
	if (n == 0 || n >= hostlen)
		return false;
	for (size_t i = 0; i < n; i++)
		host[i] = (char) LowerAscii((unsigned char) auth[i]);
	host[n] = '\0';
	return true;
}

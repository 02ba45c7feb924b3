/*
 * initdata.c
 *	  Telegram Mini App initData: form decoding, the data-check-string, the
 *	  HMAC-SHA256 check (OpenSSL) and auth_date's age.  See initdata.h for
 *	  the rules and their source.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "errfmt.h"
#include "initdata.h"

/* One decoded field. */
typedef struct Field
{
	char	   *name;
	char	   *value;
	size_t		value_len;
} Field;

/*
 * Sets *err and writes the reason into errbuf (cos_format_error); returns
 * NULL for tail calls.  Typed to this file's error enum.
 */
static json_t *
Fail(CosInitDataError *err, CosInitDataError code, char *errbuf, size_t errlen,
	 const char *fmt,...)
__attribute__((format(printf, 5, 6)));

static json_t *
Fail(CosInitDataError *err, CosInitDataError code, char *errbuf, size_t errlen,
	 const char *fmt,...)
{
	va_list		ap;

	*err = code;
	va_start(ap, fmt);
	cos_format_error(errbuf, errlen, fmt, ap);
	va_end(ap);
	return NULL;
}

/* Value of one hex digit, or -1. */
static int
HexValue(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *
cos_form_decode(const char *s, size_t len, size_t *outlen)
{
	char	   *out = malloc(len + 1);
	size_t		i,
				n = 0;

	if (out == NULL)
		return NULL;
	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '+')
			c = ' ';
		else if (c == '%' && i + 2 < len &&
				 HexValue(s[i + 1]) >= 0 && HexValue(s[i + 2]) >= 0)
		{
			c = (char) (HexValue(s[i + 1]) * 16 + HexValue(s[i + 2]));
			i += 2;
		}
		if (c == '\0')
		{
			free(out);
			return NULL;
		}
		out[n++] = c;
	}
	out[n] = '\0';
	*outlen = n;
	return out;
}

bool
cos_initdata_hash(const char *bot_token, const char *dcs, size_t dcs_len, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	unsigned char secret[EVP_MAX_MD_SIZE];
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int secret_len = 0;
	unsigned int mac_len = 0;
	unsigned int i;

	if (HMAC(EVP_sha256(), "WebAppData", 10, (const unsigned char *) bot_token,
			 strlen(bot_token), secret, &secret_len) == NULL)
		return false;
	if (HMAC(EVP_sha256(), secret, (int) secret_len, (const unsigned char *) dcs,
			 dcs_len, mac, &mac_len) == NULL || mac_len * 2 != COS_HMAC_HEX_LEN)
		return false;
	for (i = 0; i < mac_len; i++)
	{
		hex[2 * i] = digits[mac[i] >> 4];
		hex[2 * i + 1] = digits[mac[i] & 15];
	}
	hex[COS_HMAC_HEX_LEN] = '\0';
	return true;
}

/* qsort order of fields: by name, bytewise. */
static int
FieldCmp(const void *a, const void *b)
{
	return strcmp(((const Field *) a)->name, ((const Field *) b)->name);
}

/* Frees n fields and the array. */
static void
FreeFields(Field *fields, size_t n)
{
	size_t		i;

	for (i = 0; i < n; i++)
	{
		free(fields[i].name);
		free(fields[i].value);
	}
	free(fields);
}

/*
 * Splits and decodes init_data into a new array of fields (*nfields).
 * Returns NULL with *err set on malformed input or out of memory.
 */
static Field *
ParseFields(const char *s, size_t len, size_t *nfields, CosInitDataError *err,
			char *errbuf, size_t errlen)
{
	Field	   *fields;
	size_t		cap = 1,
				n = 0,
				i,
				start = 0;

	for (i = 0; i < len; i++)
		if (s[i] == '&')
			cap++;
	fields = calloc(cap, sizeof(Field));
	if (fields == NULL)
	{
		Fail(err, COS_INITDATA_NOMEM, errbuf, errlen, "out of memory");
		return NULL;
	}

	for (i = 0; i <= len; i++)
	{
		const char *pair = s + start;
		size_t		plen,
					eq,
					name_len;

		if (i < len && s[i] != '&')
			continue;
		plen = i - start;
		start = i + 1;
		if (plen == 0)
			continue;			/* "a=1&&b=2": URLSearchParams skips it */
		for (eq = 0; eq < plen && pair[eq] != '='; eq++)
			;
		fields[n].name = cos_form_decode(pair, eq, &name_len);
		fields[n].value = eq < plen
			? cos_form_decode(pair + eq + 1, plen - eq - 1, &fields[n].value_len)
			: cos_form_decode("", 0, &fields[n].value_len);
		if (fields[n].name == NULL || fields[n].value == NULL)
		{
			n++;
			FreeFields(fields, n);
			Fail(err, COS_INITDATA_MALFORMED, errbuf, errlen,
				 "a field contains a NUL byte (%%00) or memory ran out");
			return NULL;
		}
		n++;
		if (name_len == 0)
		{
			FreeFields(fields, n);
			Fail(err, COS_INITDATA_MALFORMED, errbuf, errlen, "a field has an empty name");
			return NULL;
		}
	}
	if (n == 0)
	{
		FreeFields(fields, n);
		Fail(err, COS_INITDATA_MALFORMED, errbuf, errlen, "initData is empty");
		return NULL;
	}
	*nfields = n;
	return fields;
}

/* Decodes 64 hex digits into 32 bytes; false if s is anything else. */
static bool
DecodeHash(const char *s, size_t len, unsigned char *out)
{
	size_t		i;

	if (len != COS_HMAC_HEX_LEN)
		return false;
	for (i = 0; i < COS_HMAC_HEX_LEN / 2; i++)
	{
		int			hi = HexValue(s[2 * i]),
					lo = HexValue(s[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return false;
		out[i] = (unsigned char) (hi * 16 + lo);
	}
	return true;
}

/* Parses auth_date: decimal digits only, no overflow. */
static bool
ParseUnixTime(const char *s, long long *out)
{
	long long	v = 0;

	if (*s == '\0')
		return false;
	for (; *s; s++)
	{
		if (*s < '0' || *s > '9' || v > (9223372036854775807LL - 9) / 10)
			return false;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return true;
}

/*
 * Builds the result object from the sorted, verified fields.  NULL with
 * *err set when a JSON field is not an object or a value is not UTF-8.
 */
static json_t *
BuildResult(Field *fields, size_t n, long long auth_date, CosInitDataError *err,
			char *errbuf, size_t errlen)
{
	json_t	   *result = json_object();
	size_t		i;

	if (result == NULL)
		return Fail(err, COS_INITDATA_NOMEM, errbuf, errlen, "out of memory");
	for (i = 0; i < n; i++)
	{
		const char *name = fields[i].name;
		json_t	   *value;

		if (strcmp(name, "hash") == 0)
			continue;
		if (strcmp(name, "auth_date") == 0)
			value = json_integer(auth_date);
		else if (strcmp(name, "user") == 0 || strcmp(name, "receiver") == 0 ||
				 strcmp(name, "chat") == 0)
		{
			json_error_t jerr;

			value = json_loadb(fields[i].value, fields[i].value_len, 0, &jerr);
			if (value == NULL || !json_is_object(value))
			{
				json_decref(value);
				json_decref(result);
				return Fail(err, COS_INITDATA_BAD_JSON, errbuf, errlen,
							"field \"%s\" is not a JSON object", name);
			}
		}
		else
		{
			value = json_stringn(fields[i].value, fields[i].value_len);
			if (value == NULL)
			{
				json_decref(result);
				return Fail(err, COS_INITDATA_MALFORMED, errbuf, errlen,
							"field \"%s\" is not valid UTF-8", name);
			}
		}
		if (value == NULL || json_object_set_new(result, name, value) != 0)
		{
			json_decref(result);
			return Fail(err, COS_INITDATA_NOMEM, errbuf, errlen, "out of memory");
		}
	}
	return result;
}

json_t *
cos_initdata_validate(const char *init_data, size_t len, const char *bot_token,
					  long long now, long long max_age, CosInitDataError *err,
					  char *errbuf, size_t errlen)
{
	Field	   *fields;
	size_t		n,
				i,
				dcs_len = 0;
	char	   *dcs,
			   *p;
	const Field *hash = NULL,
			   *auth = NULL;
	unsigned char given[COS_HMAC_HEX_LEN / 2];
	unsigned char expected[COS_HMAC_HEX_LEN / 2];
	char		hex[COS_HMAC_HEX_LEN + 1];
	long long	auth_date;
	json_t	   *result;

	*err = COS_INITDATA_OK;
	if (errlen > 0)
		errbuf[0] = '\0';
	if (bot_token == NULL || bot_token[0] == '\0')
		return Fail(err, COS_INITDATA_NO_TOKEN, errbuf, errlen, "no bot token is configured");

	fields = ParseFields(init_data, len, &n, err, errbuf, errlen);
	if (fields == NULL)
		return NULL;
	qsort(fields, n, sizeof(Field), FieldCmp);

	for (i = 0; i < n; i++)
	{
		if (i > 0 && strcmp(fields[i].name, fields[i - 1].name) == 0)
		{
			Fail(err, COS_INITDATA_DUPLICATE, errbuf, errlen,
				 "field \"%.64s\" is given more than once", fields[i].name);
			FreeFields(fields, n);
			return NULL;
		}
		if (strcmp(fields[i].name, "hash") == 0)
			hash = &fields[i];
		else
		{
			if (strcmp(fields[i].name, "auth_date") == 0)
				auth = &fields[i];
			dcs_len += strlen(fields[i].name) + 1 + fields[i].value_len + 1;
		}
	}
	if (hash == NULL)
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_NO_HASH, errbuf, errlen, "initData has no hash field");
	}
	if (!DecodeHash(hash->value, hash->value_len, given))
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_BAD_HASH, errbuf, errlen,
					"hash is not 64 hexadecimal digits");
	}

	/* data_check_string: sorted "name=value" lines, hash left out */
	dcs = malloc(dcs_len + 1);
	if (dcs == NULL)
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_NOMEM, errbuf, errlen, "out of memory");
	}
	p = dcs;
	for (i = 0; i < n; i++)
	{
		size_t		nl = strlen(fields[i].name);

		if (&fields[i] == hash)
			continue;
		if (p != dcs)
			*p++ = '\n';
		memcpy(p, fields[i].name, nl);
		p += nl;
		*p++ = '=';
		memcpy(p, fields[i].value, fields[i].value_len);
		p += fields[i].value_len;
	}
	*p = '\0';

	if (!cos_initdata_hash(bot_token, dcs, (size_t) (p - dcs), hex))
	{
		free(dcs);
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_NOMEM, errbuf, errlen, "HMAC-SHA256 failed");
	}
	free(dcs);
	DecodeHash(hex, COS_HMAC_HEX_LEN, expected);
	if (CRYPTO_memcmp(given, expected, sizeof(given)) != 0)
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_BAD_HASH, errbuf, errlen,
					"hash does not match: the data was changed or signed with another bot token");
	}

	if (auth == NULL || !ParseUnixTime(auth->value, &auth_date))
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_NO_AUTH_DATE, errbuf, errlen,
					"auth_date is missing or not a Unix time");
	}
	if (max_age > 0 && now - auth_date > max_age)
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_EXPIRED, errbuf, errlen,
					"auth_date is %lld seconds old, more than the %lld allowed",
					now - auth_date, max_age);
	}
	if (auth_date - now > COS_INITDATA_MAX_SKEW)
	{
		FreeFields(fields, n);
		return Fail(err, COS_INITDATA_FUTURE, errbuf, errlen,
					"auth_date is %lld seconds in the future", auth_date - now);
	}

	result = BuildResult(fields, n, auth_date, err, errbuf, errlen);
	FreeFields(fields, n);
	return result;
}

/*
 * jwt.c
 *	  HS256 JSON Web Tokens: base64url (OpenSSL's base64 with the URL-safe
 *	  alphabet, no padding), HMAC-SHA256 (OpenSSL), claims as jansson
 *	  objects.  See jwt.h for the format and its source.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "errfmt.h"
#include "jwt.h"

/* The only header Cos writes; verification accepts any equivalent one. */
static const char JWT_HEADER[] = "{\"alg\":\"HS256\",\"typ\":\"JWT\"}";

#define HS256_LEN 32

/*
 * Sets *err and writes the reason into errbuf (cos_format_error); returns
 * NULL for tail calls.  Typed to this file's error enum.
 */
static json_t *
Fail(CosJwtError *err, CosJwtError code, char *errbuf, size_t errlen,
	 const char *fmt,...)
__attribute__((format(printf, 5, 6)));

static json_t *
Fail(CosJwtError *err, CosJwtError code, char *errbuf, size_t errlen,
	 const char *fmt,...)
{
	va_list		ap;

	*err = code;
	va_start(ap, fmt);
	cos_format_error(errbuf, errlen, fmt, ap);
	va_end(ap);
	return NULL;
}

char *
cos_base64url_encode(const unsigned char *src, size_t len)
{
	char	   *out;
	int			n,
				i;

	if (len > (size_t) 3 * (1 << 28))
		return NULL;
	out = malloc(4 * ((len + 2) / 3) + 1);
	if (out == NULL)
		return NULL;
	n = EVP_EncodeBlock((unsigned char *) out, src, (int) len);
	while (n > 0 && out[n - 1] == '=')
		n--;
	out[n] = '\0';
	for (i = 0; i < n; i++)
	{
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return out;
}

unsigned char *
cos_base64url_decode(const char *s, size_t len, size_t *outlen)
{
	char	   *std;
	unsigned char *out;
	char	   *again;
	size_t		padded = (len + 3) / 4 * 4,
				pad = padded - len,
				i;
	int			n;

	if (len % 4 == 1 || len > (size_t) 4 * (1 << 28))
		return NULL;
	std = malloc(padded + 1);
	out = malloc(padded / 4 * 3 + 1);
	if (std == NULL || out == NULL)
	{
		free(std);
		free(out);
		return NULL;
	}
	for (i = 0; i < len; i++)
	{
		char		c = s[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
		{
			free(std);
			free(out);
			return NULL;
		}
		std[i] = c;
	}
	for (; i < padded; i++)
		std[i] = '=';
	std[padded] = '\0';
	n = EVP_DecodeBlock(out, (unsigned char *) std, (int) padded);
	free(std);
	if (n < 0 || (size_t) n < pad)
	{
		free(out);
		return NULL;
	}
	*outlen = (size_t) n - pad;
	out[*outlen] = '\0';

	/* one encoding per byte string: unused trailing bits must be zero */
	again = cos_base64url_encode(out, *outlen);
	if (again == NULL || strlen(again) != len || memcmp(again, s, len) != 0)
	{
		free(again);
		free(out);
		return NULL;
	}
	free(again);
	return out;
}

/* HMAC-SHA256 of msg with secret into mac (HS256_LEN bytes). */
static bool
Hs256(const char *secret, size_t secret_len, const char *msg, size_t msg_len,
	  unsigned char *mac)
{
	unsigned int mac_len = 0;

	if (secret_len > (size_t) INT32_MAX)
		return false;
	return HMAC(EVP_sha256(), secret, (int) secret_len, (const unsigned char *) msg,
				msg_len, mac, &mac_len) != NULL && mac_len == HS256_LEN;
}

char *
cos_jwt_sign(const json_t *claims, const char *secret, size_t secret_len)
{
	char	   *header = NULL,
			   *payload_json = NULL,
			   *payload = NULL,
			   *sig = NULL,
			   *token = NULL;
	size_t		hl,
				pl,
				sl;
	unsigned char mac[HS256_LEN];

	if (!json_is_object(claims) || secret == NULL || secret_len == 0)
		return NULL;
	header = cos_base64url_encode((const unsigned char *) JWT_HEADER, strlen(JWT_HEADER));
	payload_json = json_dumps(claims, JSON_COMPACT);
	if (header == NULL || payload_json == NULL)
		goto done;
	payload = cos_base64url_encode((const unsigned char *) payload_json, strlen(payload_json));
	if (payload == NULL)
		goto done;
	hl = strlen(header);
	pl = strlen(payload);
	/* room for header.payload.signature (43 chars) */
	token = malloc(hl + 1 + pl + 1 + 43 + 1);
	if (token == NULL)
		goto done;
	memcpy(token, header, hl);
	token[hl] = '.';
	memcpy(token + hl + 1, payload, pl);
	if (!Hs256(secret, secret_len, token, hl + 1 + pl, mac) ||
		(sig = cos_base64url_encode(mac, sizeof(mac))) == NULL)
	{
		free(token);
		token = NULL;
		goto done;
	}
	sl = strlen(sig);
	token[hl + 1 + pl] = '.';
	memcpy(token + hl + 1 + pl + 1, sig, sl + 1);

done:
	free(header);
	free(payload_json);
	free(payload);
	free(sig);
	return token;
}

/* Decodes one base64url part holding a JSON object; NULL if it is not one. */
static json_t *
DecodeJsonPart(const char *s, size_t len)
{
	size_t		n;
	unsigned char *raw = cos_base64url_decode(s, len, &n);
	json_t	   *obj;

	if (raw == NULL)
		return NULL;
	obj = json_loadb((const char *) raw, n, JSON_REJECT_DUPLICATES, NULL);
	free(raw);
	if (obj != NULL && !json_is_object(obj))
	{
		json_decref(obj);
		return NULL;
	}
	return obj;
}

json_t *
cos_jwt_verify(const char *token, size_t len, const char *secret, size_t secret_len,
			   long long now, CosJwtError *err, char *errbuf, size_t errlen)
{
	const char *dot1,
			   *dot2;
	json_t	   *header,
			   *claims,
			   *alg,
			   *typ,
			   *exp,
			   *nbf;
	unsigned char mac[HS256_LEN];
	unsigned char *sig;
	size_t		sig_len;
	int			differ;

	*err = COS_JWT_OK;
	if (errlen > 0)
		errbuf[0] = '\0';
	if (secret == NULL || secret_len == 0)
		return Fail(err, COS_JWT_NO_SECRET, errbuf, errlen, "no JWT secret is configured");

	dot1 = memchr(token, '.', len);
	dot2 = dot1 ? memchr(dot1 + 1, '.', len - (size_t) (dot1 + 1 - token)) : NULL;
	if (dot2 == NULL || memchr(dot2 + 1, '.', len - (size_t) (dot2 + 1 - token)) != NULL)
		return Fail(err, COS_JWT_MALFORMED, errbuf, errlen,
					"a JWT is three base64url parts separated by dots");

	header = DecodeJsonPart(token, (size_t) (dot1 - token));
	if (header == NULL)
		return Fail(err, COS_JWT_MALFORMED, errbuf, errlen,
					"the JWT header is not base64url-encoded JSON object");
	alg = json_object_get(header, "alg");
	typ = json_object_get(header, "typ");
	if (!json_is_string(alg) || strcmp(json_string_value(alg), "HS256") != 0)
	{
		json_decref(header);
		return Fail(err, COS_JWT_BAD_ALG, errbuf, errlen,
					"the JWT algorithm must be HS256");
	}
	if ((typ != NULL && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0)) ||
		json_object_get(header, "crit") != NULL)
	{
		json_decref(header);
		return Fail(err, COS_JWT_MALFORMED, errbuf, errlen,
					"the JWT header has a typ other than JWT or a crit extension");
	}
	json_decref(header);

	sig = cos_base64url_decode(dot2 + 1, len - (size_t) (dot2 + 1 - token), &sig_len);
	if (sig == NULL || sig_len != HS256_LEN)
	{
		free(sig);
		return Fail(err, COS_JWT_MALFORMED, errbuf, errlen,
					"the JWT signature is not a base64url HMAC-SHA256");
	}
	if (!Hs256(secret, secret_len, token, (size_t) (dot2 - token), mac))
	{
		free(sig);
		return Fail(err, COS_JWT_NOMEM, errbuf, errlen, "HMAC-SHA256 failed");
	}
	differ = CRYPTO_memcmp(sig, mac, HS256_LEN);
	free(sig);
	if (differ != 0)
		return Fail(err, COS_JWT_BAD_SIGNATURE, errbuf, errlen,
					"the JWT signature does not match");

	claims = DecodeJsonPart(dot1 + 1, (size_t) (dot2 - dot1 - 1));
	if (claims == NULL)
		return Fail(err, COS_JWT_MALFORMED, errbuf, errlen,
					"the JWT claims are not a base64url-encoded JSON object");
	exp = json_object_get(claims, "exp");
	nbf = json_object_get(claims, "nbf");
	if (!json_is_number(exp))
	{
		json_decref(claims);
		return Fail(err, COS_JWT_NO_EXP, errbuf, errlen, "the JWT has no numeric exp claim");
	}
	if ((double) now >= json_number_value(exp))
	{
		json_decref(claims);
		return Fail(err, COS_JWT_EXPIRED, errbuf, errlen, "the JWT has expired");
	}
	if (nbf != NULL && (!json_is_number(nbf) || (double) now < json_number_value(nbf)))
	{
		json_decref(claims);
		return Fail(err, COS_JWT_NOT_YET_VALID, errbuf, errlen,
					"the JWT is not valid yet (nbf)");
	}
	return claims;
}

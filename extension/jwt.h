/*
 * jwt.h
 *	  JSON Web Tokens signed with HS256 (HMAC-SHA256), as PostgREST accepts
 *	  them.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 *
 * Format: RFC 7519 (JWT) over RFC 7515 (JWS compact serialisation):
 *	  base64url(header) "." base64url(claims) "." base64url(signature)
 * base64url without padding (RFC 7515 section 2), header
 * {"alg":"HS256","typ":"JWT"}, signature = HMAC-SHA256(secret, the first
 * two parts as ASCII).  Times ("exp", "nbf", "iat") are Unix seconds.
 */
#ifndef COS_JWT_H
#define COS_JWT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Why a token was refused. */
typedef enum CosJwtError
{
	COS_JWT_OK = 0,
	COS_JWT_MALFORMED,			/* not three base64url parts of JSON objects */
	COS_JWT_BAD_ALG,			/* alg is not "HS256" ("none" included) */
	COS_JWT_BAD_SIGNATURE,		/* the HMAC does not match */
	COS_JWT_EXPIRED,			/* exp has passed */
	COS_JWT_NOT_YET_VALID,		/* nbf is still ahead */
	COS_JWT_NO_EXP,				/* no numeric exp claim */
	COS_JWT_NO_SECRET,			/* empty secret */
	COS_JWT_NOMEM
} CosJwtError;

/*
 * cos_jwt_sign: sign claims (a JSON object, not modified) with secret
 * (secret_len bytes).  Returns a new NUL-terminated malloc'd token, or NULL
 * if claims is not an object, the secret is empty, or memory ran out.
 */
extern char *cos_jwt_sign(const json_t *claims, const char *secret, size_t secret_len);

/*
 * cos_jwt_verify: verify token (len bytes, need not be NUL-terminated) with
 * secret at time now (Unix seconds).  The header must name alg "HS256"
 * (typ, when present, "JWT"); the signature is compared in constant time;
 * the claims must carry a numeric "exp" later than now, and "nbf", when
 * present, no later than now.  Returns the claims (a new JSON object), or
 * NULL with *err set and a one-line reason in errbuf (errlen bytes, may
 * be 0).
 */
extern json_t *cos_jwt_verify(const char *token, size_t len, const char *secret,
							  size_t secret_len, long long now, CosJwtError *err,
							  char *errbuf, size_t errlen);

/*
 * cos_base64url_encode: src (len bytes) as unpadded base64url into a new
 * NUL-terminated malloc'd string; NULL when out of memory.
 */
extern char *cos_base64url_encode(const unsigned char *src, size_t len);

/*
 * cos_base64url_decode: decode unpadded base64url (s, len bytes) into a
 * new malloc'd buffer of *outlen bytes (plus a NUL).  NULL for characters
 * outside the base64url alphabet, padding, an impossible length
 * (len % 4 == 1), or out of memory.
 */
extern unsigned char *cos_base64url_decode(const char *s, size_t len, size_t *outlen);

#endif							/* COS_JWT_H */

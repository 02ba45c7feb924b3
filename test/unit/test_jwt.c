/*
 * test_jwt.c
 *	  cmocka tests for extension/jwt.c: HS256 JSON Web Tokens (RFC 7519,
 *	  RFC 7515).
 *
 * Expected tokens were made while writing the test in the shell, outside
 * Cos:  base64 -w0 | tr '+/' '-_' | tr -d '=' for each part, and
 *   printf '%s' "$header.$payload" | openssl dgst -sha256 -hmac "$secret" -binary
 * for the signature.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jwt.h"

#define SECRET "cos-test-jwt-secret-0123456789abcdef"
#define NOW 1700000000LL

/* {"alg":"HS256","typ":"JWT"} . {"role":"cos_user","sub":"7","exp":4102444800}, signed with SECRET */
static const char KNOWN[] =
"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
".eyJyb2xlIjoiY29zX3VzZXIiLCJzdWIiOiI3IiwiZXhwIjo0MTAyNDQ0ODAwfQ"
".vjpQw-bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54";

/* jwt.io's example, secret "your-256-bit-secret": signed right, but no exp */
static const char JWTIO[] =
"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"
".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ"
".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

/* Verifies token with SECRET at NOW; *err gets the outcome. */
static json_t *
verify(const char *token, CosJwtError *err)
{
	char		buf[256];

	return cos_jwt_verify(token, strlen(token), SECRET, strlen(SECRET), NOW, err, buf, sizeof(buf));
}

/* Joins three parts with dots into a new string. */
static char *
join3(const char *a, const char *b, const char *c)
{
	char	   *s = malloc(strlen(a) + strlen(b) + strlen(c) + 3);

	sprintf(s, "%s.%s.%s", a, b, c);
	return s;
}

/* Signing the same claims gives the token openssl made. */
static void
test_sign_known(void **state)
{
	json_t	   *claims = json_pack("{s:s, s:s, s:I}", "role", "cos_user", "sub", "7", "exp", (json_int_t) 4102444800LL);
	char	   *token = cos_jwt_sign(claims, SECRET, strlen(SECRET));

	assert_string_equal(token, KNOWN);
	free(token);
	json_decref(claims);
	/* claims must be an object */
	claims = json_integer(1);
	assert_null(cos_jwt_sign(claims, SECRET, strlen(SECRET)));
	json_decref(claims);
}

/* The openssl-made token verifies, with its claims. */
static void
test_verify_known(void **state)
{
	CosJwtError err;
	json_t	   *claims = verify(KNOWN, &err);

	assert_int_equal(err, COS_JWT_OK);
	assert_string_equal(json_string_value(json_object_get(claims, "role")), "cos_user");
	assert_string_equal(json_string_value(json_object_get(claims, "sub")), "7");
	assert_int_equal(json_integer_value(json_object_get(claims, "exp")), 4102444800LL);
	json_decref(claims);
}

/* jwt.io's token: right secret, no exp -> NO_EXP; wrong secret -> BAD_SIGNATURE. */
static void
test_jwtio_example(void **state)
{
	CosJwtError err;
	char		buf[256];

	assert_null(cos_jwt_verify(JWTIO, strlen(JWTIO), "your-256-bit-secret", 19, NOW, &err, buf, sizeof(buf)));
	assert_int_equal(err, COS_JWT_NO_EXP);
	assert_null(verify(JWTIO, &err));
	assert_int_equal(err, COS_JWT_BAD_SIGNATURE);
}

/* Sign then verify: the claims come back unchanged. */
static void
test_round_trip(void **state)
{
	json_t	   *claims = json_pack("{s:s, s:s, s:I, s:I, s:s}", "role", "cos_admin", "sub", "12",
								   "telegram_id", (json_int_t) 279058397, "exp", (json_int_t) (NOW + 60),
								   "name", "Влад \"q\"");
	char	   *token = cos_jwt_sign(claims, SECRET, strlen(SECRET));
	CosJwtError err;
	json_t	   *back = verify(token, &err);

	assert_int_equal(err, COS_JWT_OK);
	assert_true(json_equal(claims, back));
	json_decref(back);
	/* one second before exp passes; at exp it has expired */
	{
		char		buf[64];

		back = cos_jwt_verify(token, strlen(token), SECRET, strlen(SECRET), NOW + 59, &err, buf, sizeof(buf));
		assert_non_null(back);
		json_decref(back);
		assert_null(cos_jwt_verify(token, strlen(token), SECRET, strlen(SECRET), NOW + 60, &err, buf, sizeof(buf)));
		assert_int_equal(err, COS_JWT_EXPIRED);
		assert_string_equal(buf, "the JWT has expired");
	}
	/* another secret */
	{
		char		buf[64];

		assert_null(cos_jwt_verify(token, strlen(token), SECRET "x", strlen(SECRET) + 1, NOW, &err, buf, sizeof(buf)));
		assert_int_equal(err, COS_JWT_BAD_SIGNATURE);
		assert_null(cos_jwt_verify(token, strlen(token), "", 0, NOW, &err, buf, sizeof(buf)));
		assert_int_equal(err, COS_JWT_NO_SECRET);
	}
	free(token);
	json_decref(claims);
}

/* A changed payload (role raised to admin) or signature is refused. */
static void
test_tampered(void **state)
{
	/* {"role":"cos_admin","sub":"7","exp":4102444800} */
	char	   *s = join3("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
						  "eyJyb2xlIjoiY29zX2FkbWluIiwic3ViIjoiNyIsImV4cCI6NDEwMjQ0NDgwMH0",
						  "vjpQw-bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54");
	CosJwtError err;
	char		t[sizeof(KNOWN)];

	assert_null(verify(s, &err));
	assert_int_equal(err, COS_JWT_BAD_SIGNATURE);
	free(s);

	/* one signature character changed */
	memcpy(t, KNOWN, sizeof(KNOWN));
	t[sizeof(KNOWN) - 3] = (t[sizeof(KNOWN) - 3] == 'A') ? 'B' : 'A';
	assert_null(verify(t, &err));
	assert_int_equal(err, COS_JWT_BAD_SIGNATURE);

	/* signature cut short, or dropped */
	memcpy(t, KNOWN, sizeof(KNOWN));
	t[sizeof(KNOWN) - 5] = '\0';
	assert_null(verify(t, &err));
	assert_int_equal(err, COS_JWT_MALFORMED);
	*(strrchr(t, '.') + 1) = '\0';
	assert_null(verify(t, &err));
	assert_int_equal(err, COS_JWT_MALFORMED);
}

/* An expired token with a valid signature is refused. */
static void
test_expired(void **state)
{
	json_t	   *claims = json_pack("{s:s, s:s, s:I}", "role", "cos_user", "sub", "7", "exp", (json_int_t) (NOW - 1));
	char	   *token = cos_jwt_sign(claims, SECRET, strlen(SECRET));
	CosJwtError err;

	assert_null(verify(token, &err));
	assert_int_equal(err, COS_JWT_EXPIRED);
	free(token);
	json_decref(claims);

	/* exp as a string does not count */
	claims = json_pack("{s:s, s:s}", "role", "cos_user", "exp", "4102444800");
	token = cos_jwt_sign(claims, SECRET, strlen(SECRET));
	assert_null(verify(token, &err));
	assert_int_equal(err, COS_JWT_NO_EXP);
	free(token);
	json_decref(claims);

	/* nbf ahead */
	claims = json_pack("{s:s, s:I, s:I}", "role", "cos_user", "exp", (json_int_t) (NOW + 100),
					   "nbf", (json_int_t) (NOW + 10));
	token = cos_jwt_sign(claims, SECRET, strlen(SECRET));
	assert_null(verify(token, &err));
	assert_int_equal(err, COS_JWT_NOT_YET_VALID);
	free(token);
	json_decref(claims);
}

/* alg "none" (with or without a signature), HS512, lower-case: refused. */
static void
test_bad_alg(void **state)
{
	/* {"alg":"none","typ":"JWT"} with KNOWN's payload */
	static const char none_hdr[] = "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0";
	/* {"alg":"HS512","typ":"JWT"} */
	static const char hs512_hdr[] = "eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCJ9";
	/* {"alg":"hs256"} */
	static const char lower_hdr[] = "eyJhbGciOiJoczI1NiJ9";
	/* {"typ":"JWT"} */
	static const char noalg_hdr[] = "eyJ0eXAiOiJKV1QifQ";
	static const char payload[] = "eyJyb2xlIjoiY29zX3VzZXIiLCJzdWIiOiI3IiwiZXhwIjo0MTAyNDQ0ODAwfQ";
	static const char sig[] = "vjpQw-bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54";
	const char *headers[] = {none_hdr, hs512_hdr, lower_hdr, noalg_hdr};
	CosJwtError err;
	size_t		i;

	for (i = 0; i < sizeof(headers) / sizeof(headers[0]); i++)
	{
		char	   *s = join3(headers[i], payload, sig);

		assert_null(verify(s, &err));
		assert_int_equal(err, COS_JWT_BAD_ALG);
		free(s);
		s = join3(headers[i], payload, "");
		assert_null(verify(s, &err));
		assert_int_equal(err, COS_JWT_BAD_ALG);
		free(s);
	}
}

/* Not three parts, padding, bad characters, not JSON objects: malformed. */
static void
test_malformed(void **state)
{
	CosJwtError err;
	char		s[512];
	static const char *const bad[] = {
		"",
		"abc",
		"a.b",
		"a.b.c.d",
		"..",
		/* padding is not base64url */
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiY29zX3VzZXIiLCJzdWIiOiI3IiwiZXhwIjo0MTAyNDQ0ODAwfQ.vjpQw-bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54=",
		/* standard-alphabet '+' in place of '-' */
		"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJyb2xlIjoiY29zX3VzZXIiLCJzdWIiOiI3IiwiZXhwIjo0MTAyNDQ0ODAwfQ.vjpQw+bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54",
		/* header "[1]" (an array) */
		"WzFd.eyJyb2xlIjoiY29zX3VzZXIiLCJzdWIiOiI3IiwiZXhwIjo0MTAyNDQ0ODAwfQ.vjpQw-bNvFfLiDMIKVpP5OyODLHJJ8MQCX1zNSFDk54",
	};
	size_t		i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		assert_null(verify(bad[i], &err));
		assert_int_equal(err, COS_JWT_MALFORMED);
	}
	/* a token with a trailing NUL-free extra dot */
	snprintf(s, sizeof(s), "%s.", KNOWN);
	assert_null(verify(s, &err));
	assert_int_equal(err, COS_JWT_MALFORMED);
}

/* base64url both ways, every length mod 3, and the strict decoder. */
static void
test_base64url(void **state)
{
	static const char *const plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar", "\xfb\xff"};
	static const char *const enc[] = {"", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE", "Zm9vYmFy", "-_8"};
	size_t		i,
				n;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
	{
		char	   *e = cos_base64url_encode((const unsigned char *) plain[i], strlen(plain[i]));
		unsigned char *d;

		assert_string_equal(e, enc[i]);
		d = cos_base64url_decode(enc[i], strlen(enc[i]), &n);
		assert_non_null(d);
		assert_int_equal(n, strlen(plain[i]));
		assert_memory_equal(d, plain[i], n);
		free(e);
		free(d);
	}
	assert_null(cos_base64url_decode("Zm9vY", 5, &n));	/* len % 4 == 1 */
	assert_null(cos_base64url_decode("Zh", 2, &n));	/* non-zero spare bits */
	assert_null(cos_base64url_decode("Zg==", 4, &n));
	assert_null(cos_base64url_decode("Z g", 3, &n));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_known),
		cmocka_unit_test(test_verify_known),
		cmocka_unit_test(test_jwtio_example),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_tampered),
		cmocka_unit_test(test_expired),
		cmocka_unit_test(test_bad_alg),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_base64url),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

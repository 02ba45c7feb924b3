/*
 * auth_tokens.c
 *	  libFuzzer target: Telegram initData validation and HS256 JWTs, the
 *	  two parsers that read what an HTTP client sends in Authorization.
 *
 * Input: the first byte chooses, the rest is the string.
 *   'j': cos_jwt_verify with a fixed secret.  Checked: a refusal has a
 *	   reason and an error code; an accepted token (only a real signature
 *	   gets there) gives an object with a numeric exp.
 *   'c': the rest, if it is a JSON object, is signed with cos_jwt_sign and
 *	   verified again: the claims must come back equal (given a future exp).
 *   anything else: cos_initdata_validate with a fixed bot token.  Checked:
 *	   a refusal has a reason and an error code; an accepted string gives
 *	   an object without "hash", with an integer auth_date and, when
 *	   present, user/receiver/chat objects.
 * Seeds: the initData strings of test/sql/07_api_auth.sql and the tokens of
 * test/unit/test_jwt.c (fuzz/seeds.sh).
 */
#include "fuzz_check.h"

#include <stdlib.h>
#include <string.h>

#include "initdata.h"
#include "jwt.h"

#define TOKEN "1234567890:AAE_cosRegressTestToken_0123456789"
#define SECRET "cos-test-jwt-secret-0123456789abcdef"
#define NOW 1700000000LL

/* abort() unless a refusal left an error code and a NUL-terminated reason */
static void
CheckRefusal(int err, const char *reason, size_t len)
{
	if (err == 0)
		FuzzFail(NULL, "refused without an error code");
	if (memchr(reason, '\0', len) == NULL || reason[0] == '\0')
		FuzzFail(NULL, "refused without a reason");
}

/* initData: a refusal has a reason; an accepted string has the result shape */
static void
CheckInitData(const char *s, size_t len)
{
	CosInitDataError err;
	char		reason[256];
	json_t	   *r = cos_initdata_validate(s, len, TOKEN, NOW, 86400, &err, reason, sizeof(reason));
	const char *key;
	json_t	   *value;

	if (r == NULL)
	{
		CheckRefusal((int) err, reason, sizeof(reason));
		return;
	}
	if (!json_is_object(r) || json_object_get(r, "hash") != NULL ||
		!json_is_integer(json_object_get(r, "auth_date")))
		FuzzFail(r, "accepted initData without the result shape");
	json_object_foreach(r, key, value)
	{
		bool		is_json = strcmp(key, "user") == 0 || strcmp(key, "receiver") == 0 ||
			strcmp(key, "chat") == 0;

		if (is_json ? !json_is_object(value) :
			(strcmp(key, "auth_date") != 0 && !json_is_string(value)))
			FuzzFail(r, "field \"%s\" has the wrong type", key);
	}
	json_decref(r);
}

/* JWT: a refusal has a reason; an accepted token has a numeric exp */
static void
CheckJwt(const char *s, size_t len)
{
	CosJwtError err;
	char		reason[256];
	json_t	   *r = cos_jwt_verify(s, len, SECRET, strlen(SECRET), NOW, &err, reason, sizeof(reason));

	if (r == NULL)
	{
		CheckRefusal((int) err, reason, sizeof(reason));
		return;
	}
	if (!json_is_object(r) || !json_is_number(json_object_get(r, "exp")))
		FuzzFail(r, "accepted a JWT without a numeric exp");
	json_decref(r);
}

/* sign then verify: the claims come back unchanged */
static void
CheckRoundTrip(const char *s, size_t len)
{
	json_t	   *claims = json_loadb(s, len, JSON_REJECT_DUPLICATES, NULL);
	char	   *token;
	json_t	   *back;
	CosJwtError err;
	char		reason[256];

	if (!json_is_object(claims))
	{
		json_decref(claims);
		return;
	}
	json_object_set_new(claims, "exp", json_integer(NOW + 3600));
	json_object_del(claims, "nbf");
	token = cos_jwt_sign(claims, SECRET, strlen(SECRET));
	if (token == NULL)
		FuzzFail(claims, "could not sign an object");
	back = cos_jwt_verify(token, strlen(token), SECRET, strlen(SECRET), NOW, &err, reason, sizeof(reason));
	if (back == NULL || !json_equal(back, claims))
		FuzzFail(claims, "signed claims did not verify unchanged: %s", back ? "changed" : reason);
	free(token);
	json_decref(back);
	json_decref(claims);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *) data + 1;

	if (size == 0)
		return 0;
	switch (data[0])
	{
		case 'j':
			CheckJwt(s, size - 1);
			break;
		case 'c':
			CheckRoundTrip(s, size - 1);
			break;
		default:
			CheckInitData(s, size - 1);
			break;
	}
	return 0;
}

/*
 * test_initdata.c
 *	  cmocka tests for extension/initdata.c: Telegram Mini App initData
 *	  validation (https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app).
 *
 * Expected hashes are computed here independently of the validator: the
 * test writes the data-check-string out by hand and signs it with OpenSSL's
 * HMAC() directly, or uses a published vector re-checked with
 * `openssl dgst -sha256 -hmac` (see test_published_vector).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "initdata.h"

#define TOKEN "123456789:AAFtestTokenForCosUnitTests_0123456"
#define AUTH_DATE 1700000000LL
#define DAY 86400LL

/* The user object Telegram sends, as JSON text and percent-encoded. */
#define USER_JSON "{\"id\":279058397,\"first_name\":\"Vladislav\",\"last_name\":\"Kibenko\",\"username\":\"vdkfrost\",\"language_code\":\"ru\",\"is_premium\":true,\"allows_write_to_pm\":true}"
#define USER_ENC "%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%2C%22allows_write_to_pm%22%3Atrue%7D"

/* hex(HMAC-SHA256(HMAC-SHA256("WebAppData", token), dcs)), straight from OpenSSL */
static void
sign_hex(const char *token, const char *dcs, char *hex)
{
	unsigned char key[32],
				mac[32];
	unsigned int n = 0;
	int			i;

	assert_non_null(HMAC(EVP_sha256(), "WebAppData", 10, (const unsigned char *) token,
						 strlen(token), key, &n));
	assert_int_equal(n, 32);
	assert_non_null(HMAC(EVP_sha256(), key, 32, (const unsigned char *) dcs, strlen(dcs), mac, &n));
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", mac[i]);
}

/* Validates s at now with the test token and max age; returns the result. */
static json_t *
check(const char *s, long long now, long long max_age, CosInitDataError *err)
{
	char		buf[256];

	return cos_initdata_validate(s, strlen(s), TOKEN, now, max_age, err, buf, sizeof(buf));
}

/* The standard test data, in any field order, with hash appended. */
static char *
signed_init_data(const char *dcs, const char *encoded_without_hash)
{
	char		hex[65];
	char	   *s = malloc(strlen(encoded_without_hash) + 80);

	sign_hex(TOKEN, dcs, hex);
	sprintf(s, "%s&hash=%s", encoded_without_hash, hex);
	return s;
}

static const char *const STD_DCS =
"auth_date=1700000000\n"
"chat_instance=-4811935339291166312\n"
"chat_type=sender\n"
"start_param=ref_42\n"
"user=" USER_JSON;

static const char *const STD_ENC =
"user=" USER_ENC "&chat_instance=-4811935339291166312&chat_type=sender"
"&start_param=ref_42&auth_date=1700000000";

/* A valid string passes, and the fields come back decoded and typed. */
static void
test_valid(void **state)
{
	char	   *s = signed_init_data(STD_DCS, STD_ENC);
	CosInitDataError err;
	json_t	   *r = check(s, AUTH_DATE + 60, DAY, &err);
	json_t	   *user;

	assert_int_equal(err, COS_INITDATA_OK);
	assert_non_null(r);
	user = json_object_get(r, "user");
	assert_true(json_is_object(user));
	assert_int_equal(json_integer_value(json_object_get(user, "id")), 279058397);
	assert_string_equal(json_string_value(json_object_get(user, "username")), "vdkfrost");
	assert_string_equal(json_string_value(json_object_get(user, "first_name")), "Vladislav");
	assert_true(json_is_true(json_object_get(user, "is_premium")));
	assert_int_equal(json_integer_value(json_object_get(r, "auth_date")), AUTH_DATE);
	assert_string_equal(json_string_value(json_object_get(r, "start_param")), "ref_42");
	assert_string_equal(json_string_value(json_object_get(r, "chat_type")), "sender");
	assert_null(json_object_get(r, "hash"));
	assert_int_equal(json_object_size(r), 5);
	json_decref(r);
	free(s);
}

/*
 * A published example (the @telegram-apps init-data documentation), whose
 * hash was re-checked while writing this test with
 *   printf '%s' "$TOKEN" | openssl dgst -sha256 -hmac WebAppData -binary   (secret)
 *   printf 'auth_date=…\nquery_id=…\nuser=…' | openssl dgst -sha256 -mac HMAC -macopt hexkey:<secret>
 */
static void
test_published_vector(void **state)
{
	static const char s[] =
		"query_id=AAHdF6IQAAAAAN0XohDhrOrc&user=%7B%22id%22%3A279058397%2C%22first_name%22%3A%22Vladislav%22%2C%22last_name%22%3A%22Kibenko%22%2C%22username%22%3A%22vdkfrost%22%2C%22language_code%22%3A%22ru%22%2C%22is_premium%22%3Atrue%7D&auth_date=1662771648&hash=c501b71e775f74ce10e377dea85a7ea24ecd640b223ea86dfe453e0eaed2e2b2";
	static const char token[] = "5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8";
	CosInitDataError err;
	char		buf[256];
	json_t	   *r = cos_initdata_validate(s, strlen(s), token, 1662771648LL + 10, DAY,
										  &err, buf, sizeof(buf));

	assert_int_equal(err, COS_INITDATA_OK);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "user"), "id")), 279058397);
	assert_string_equal(json_string_value(json_object_get(r, "query_id")), "AAHdF6IQAAAAAN0XohDhrOrc");
	json_decref(r);

	/* the same data a year later: stale */
	r = cos_initdata_validate(s, strlen(s), token, 1662771648LL + 365 * DAY, DAY,
							  &err, buf, sizeof(buf));
	assert_null(r);
	assert_int_equal(err, COS_INITDATA_EXPIRED);
	assert_non_null(strstr(buf, "seconds old"));
}

/* cos_initdata_hash agrees with OpenSSL's HMAC() applied by hand. */
static void
test_hash_function(void **state)
{
	char		a[65],
				b[65];

	sign_hex(TOKEN, STD_DCS, a);
	assert_true(cos_initdata_hash(TOKEN, STD_DCS, strlen(STD_DCS), b));
	assert_string_equal(a, b);
}

/* Any changed field, or a changed hash, is refused. */
static void
test_changed_field(void **state)
{
	char	   *s = signed_init_data(STD_DCS, STD_ENC);
	char	   *p;
	CosInitDataError err;

	/* another user id */
	p = strstr(s, "279058397");
	p[0] = '3';
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	p[0] = '2';
	/* another start_param */
	p = strstr(s, "ref_42");
	p[4] = '9';
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	p[4] = '4';
	/* a later auth_date, to outlive max_age */
	p = strstr(s, "auth_date=1700000000");
	p[10] = '2';
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	p[10] = '1';
	/* an added field */
	{
		char	   *t = malloc(strlen(s) + 32);

		sprintf(t, "%s&extra=1", s);
		assert_null(check(t, AUTH_DATE, DAY, &err));
		assert_int_equal(err, COS_INITDATA_BAD_HASH);
		free(t);
	}
	/* the last hex digit of the hash */
	p = s + strlen(s) - 1;
	*p = (*p == '0') ? '1' : '0';
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	free(s);
}

/* A hash made with another bot's token is refused. */
static void
test_wrong_token(void **state)
{
	char		hex[65];
	char		s[1024];
	CosInitDataError err;
	char		buf[256];

	sign_hex("987654321:AAFanotherBotToken_abcdefghijklmnopq", STD_DCS, hex);
	snprintf(s, sizeof(s), "%s&hash=%s", STD_ENC, hex);
	assert_null(cos_initdata_validate(s, strlen(s), TOKEN, AUTH_DATE, DAY, &err, buf, sizeof(buf)));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	assert_non_null(strstr(buf, "another bot token"));
	/* no token configured at all */
	assert_null(cos_initdata_validate(s, strlen(s), "", AUTH_DATE, DAY, &err, buf, sizeof(buf)));
	assert_int_equal(err, COS_INITDATA_NO_TOKEN);
}

/* auth_date: max_age seconds old passes, one more is stale; far future refused. */
static void
test_auth_date_age(void **state)
{
	char	   *s = signed_init_data(STD_DCS, STD_ENC);
	CosInitDataError err;
	json_t	   *r;

	r = check(s, AUTH_DATE + DAY, DAY, &err);
	assert_non_null(r);
	json_decref(r);
	assert_null(check(s, AUTH_DATE + DAY + 1, DAY, &err));
	assert_int_equal(err, COS_INITDATA_EXPIRED);
	/* max_age <= 0: no age check */
	r = check(s, AUTH_DATE + 1000 * DAY, 0, &err);
	assert_non_null(r);
	json_decref(r);
	/* clock skew: a few minutes ahead pass, more do not */
	r = check(s, AUTH_DATE - COS_INITDATA_MAX_SKEW, DAY, &err);
	assert_non_null(r);
	json_decref(r);
	assert_null(check(s, AUTH_DATE - COS_INITDATA_MAX_SKEW - 1, DAY, &err));
	assert_int_equal(err, COS_INITDATA_FUTURE);
	free(s);
}

/* No hash, an empty hash, a hash that is not hex: refused. */
static void
test_missing_hash(void **state)
{
	CosInitDataError err;
	char		s[1024];

	assert_null(check(STD_ENC, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_NO_HASH);
	snprintf(s, sizeof(s), "%s&hash=", STD_ENC);
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	snprintf(s, sizeof(s), "%s&hash=%064d", STD_ENC, 0);
	s[strlen(s) - 1] = 'g';
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	assert_null(check("", AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_MALFORMED);
	assert_null(check("&&&", AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_MALFORMED);
}

/* Signed data with no auth_date is refused. */
static void
test_no_auth_date(void **state)
{
	char	   *s = signed_init_data("user=" USER_JSON, "user=" USER_ENC);
	CosInitDataError err;

	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_NO_AUTH_DATE);
	free(s);
}

/* A field given twice is refused even when one copy matches the hash. */
static void
test_duplicate_keys(void **state)
{
	char	   *s = signed_init_data(STD_DCS, STD_ENC);
	char	   *t = malloc(strlen(s) + 100);
	CosInitDataError err;

	sprintf(t, "%s&auth_date=1800000000", s);
	assert_null(check(t, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_DUPLICATE);
	/* the same value twice, too */
	sprintf(t, "start_param=ref_42&%s", s);
	assert_null(check(t, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_DUPLICATE);
	/* two hashes */
	sprintf(t, "%s&hash=00", s);
	assert_null(check(t, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_DUPLICATE);
	/* a duplicate spelt with percent-encoding is still a duplicate */
	sprintf(t, "%s&auth%%5Fdate=1700000000", s);
	assert_null(check(t, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_DUPLICATE);
	free(t);
	free(s);
}

/*
 * '+' and percent-encoding, as URLSearchParams decodes them: the hash is
 * over the decoded values.
 */
static void
test_form_encoding(void **state)
{
	static const char dcs[] =
		"auth_date=1700000000\n"
		"query_id=a b+c%\n"
		"start_param=100% sure";
	char		hex[65];
	char		s[512];
	CosInitDataError err;
	json_t	   *r;

	sign_hex(TOKEN, dcs, hex);

	/* space as '+' or %20, '+' as %2B, a stray '%' left as is */
	snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a+b%%2Bc%%&start_param=100%%+sure&hash=%s", hex);
	r = check(s, AUTH_DATE, DAY, &err);
	assert_int_equal(err, COS_INITDATA_OK);
	assert_string_equal(json_string_value(json_object_get(r, "query_id")), "a b+c%");
	assert_string_equal(json_string_value(json_object_get(r, "start_param")), "100% sure");
	json_decref(r);

	snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a%%20b%%2bc%%25&start_param=100%%25%%20sure&hash=%s", hex);
	r = check(s, AUTH_DATE, DAY, &err);
	assert_int_equal(err, COS_INITDATA_OK);
	json_decref(r);

	/* names may be percent-encoded too; empty pairs are skipped */
	snprintf(s, sizeof(s), "&auth%%5Fdate=1700000000&&query%%5fid=a+b%%2Bc%%&start_param=100%%25+sure&hash=%s&", hex);
	r = check(s, AUTH_DATE, DAY, &err);
	assert_int_equal(err, COS_INITDATA_OK);
	json_decref(r);

	/* a literal '+' where the signer had '+' decodes to a space: refused */
	snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a+b+c%%&start_param=100%%+sure&hash=%s", hex);
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);

	/* the raw (undecoded) form is not what was signed: refused */
	snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a%%2520b&start_param=100%%+sure&hash=%s", hex);
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);

	/* %00 would hide the rest of a value from C code: refused */
	snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a%%00b&hash=%s", hex);
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_MALFORMED);

	/* an upper-case hex hash is the same hash */
	{
		int			i;

		for (i = 0; hex[i]; i++)
			if (hex[i] >= 'a' && hex[i] <= 'f')
				hex[i] -= 32;
		snprintf(s, sizeof(s), "auth_date=1700000000&query_id=a+b%%2Bc%%&start_param=100%%+sure&hash=%s", hex);
		r = check(s, AUTH_DATE, DAY, &err);
		assert_int_equal(err, COS_INITDATA_OK);
		json_decref(r);
	}
}

/* Fields Telegram added later (signature) are part of the data-check-string. */
static void
test_signature_field_is_signed(void **state)
{
	char	   *s = signed_init_data("auth_date=1700000000\nsignature=abc-_XYZ\nuser=" USER_JSON,
									 "user=" USER_ENC "&auth_date=1700000000&signature=abc-_XYZ");
	CosInitDataError err;
	json_t	   *r = check(s, AUTH_DATE, DAY, &err);

	assert_int_equal(err, COS_INITDATA_OK);
	assert_string_equal(json_string_value(json_object_get(r, "signature")), "abc-_XYZ");
	json_decref(r);
	free(s);
	/* signed without it, sent with it: refused */
	s = signed_init_data("auth_date=1700000000\nuser=" USER_JSON,
						 "user=" USER_ENC "&auth_date=1700000000&signature=abc-_XYZ");
	assert_null(check(s, AUTH_DATE, DAY, &err));
	assert_int_equal(err, COS_INITDATA_BAD_HASH);
	free(s);
}

/* A signed user that is not a JSON object is refused after the hash check. */
static void
test_bad_user_json(void **state)
{
	char	   *s = signed_init_data("auth_date=1700000000\nuser=[1,2]",
									 "user=%5B1%2C2%5D&auth_date=1700000000");
	CosInitDataError err;
	char		buf[256];

	assert_null(cos_initdata_validate(s, strlen(s), TOKEN, AUTH_DATE, DAY, &err, buf, sizeof(buf)));
	assert_int_equal(err, COS_INITDATA_BAD_JSON);
	assert_string_equal(buf, "field \"user\" is not a JSON object");
	free(s);
}

/* The form decoder on its own. */
static void
test_form_decode(void **state)
{
	size_t		n;
	char	   *d;

	d = cos_form_decode("a+b%41%4a%zz%4", 14, &n);
	assert_string_equal(d, "a bAJ%zz%4");
	assert_int_equal(n, 10);
	free(d);
	d = cos_form_decode("%D0%9F%D1%80%D0%B8%D0%B2%D0%B5%D1%82", 36, &n);
	assert_string_equal(d, "Привет");
	free(d);
	assert_null(cos_form_decode("x%00", 4, &n));
	/* the length bounds the input: "%4" then end, not "%41" */
	d = cos_form_decode("%41", 2, &n);
	assert_string_equal(d, "%4");
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_published_vector),
		cmocka_unit_test(test_hash_function),
		cmocka_unit_test(test_changed_field),
		cmocka_unit_test(test_wrong_token),
		cmocka_unit_test(test_auth_date_age),
		cmocka_unit_test(test_missing_hash),
		cmocka_unit_test(test_no_auth_date),
		cmocka_unit_test(test_duplicate_keys),
		cmocka_unit_test(test_form_encoding),
		cmocka_unit_test(test_signature_field_is_signed),
		cmocka_unit_test(test_bad_user_json),
		cmocka_unit_test(test_form_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

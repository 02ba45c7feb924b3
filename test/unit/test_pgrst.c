/*
 * test_pgrst.c
 *	  cmocka tests for extension/pgrst.c: PostgREST's SQLSTATE -> HTTP status
 *	  table (docs references/errors.rst), CORS origins, cos.http_listen,
 *	  upload names, If-None-Match, and the UTF-8 clipping of quoted text.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pgrst.h"

typedef struct StatusCase
{
	const char *sqlstate;
	int			anon;			/* status for an anonymous request */
	int			authed;			/* status for an authenticated one */
} StatusCase;

/* One row per line of PostgREST's table, plus codes of the "other" row */
static const StatusCase statuses[] = {
	{"08006", 503, 503},		/* connection_failure */
	{"09000", 500, 500},		/* triggered_action_exception */
	{"0L000", 403, 403},		/* invalid_grantor */
	{"0P000", 403, 403},		/* invalid_role_specification */
	{"23503", 409, 409},		/* foreign_key_violation */
	{"23505", 409, 409},		/* unique_violation */
	{"25006", 405, 405},		/* read_only_sql_transaction */
	{"25001", 500, 500},		/* active_sql_transaction */
	{"28000", 403, 403},		/* invalid_authorization_specification */
	{"28P01", 403, 403},		/* invalid_password */
	{"2D000", 500, 500},
	{"38001", 500, 500},
	{"39004", 500, 500},
	{"3B001", 500, 500},
	{"40001", 500, 500},		/* serialization_failure */
	{"40P01", 500, 500},		/* deadlock_detected */
	{"53400", 500, 500},		/* configuration_limit_exceeded */
	{"53100", 503, 503},		/* disk_full */
	{"54001", 500, 500},		/* statement_too_complex */
	{"55P03", 500, 500},		/* lock_not_available */
	{"57014", 500, 500},		/* query_canceled */
	{"58030", 500, 500},		/* io_error */
	{"F0000", 500, 500},
	{"HV000", 500, 500},
	{"P0001", 400, 400},		/* raise_exception */
	{"P0002", 500, 500},		/* no_data_found: P0* */
	{"P0004", 500, 500},		/* assert_failure */
	{"XX000", 500, 500},		/* internal_error */
	{"42883", 404, 404},		/* undefined_function */
	{"42P01", 404, 404},		/* undefined_table */
	{"42P17", 500, 500},		/* invalid_object_definition */
	{"42501", 401, 403},		/* insufficient_privilege */
	/* other: 400 */
	{"22023", 400, 400},		/* invalid_parameter_value */
	{"22P02", 400, 400},		/* invalid_text_representation */
	{"23502", 400, 400},		/* not_null_violation */
	{"23514", 400, 400},		/* check_violation */
	{"42703", 400, 400},		/* undefined_column */
	{"42601", 400, 400},		/* syntax_error */
	/* PTnnn: the status itself */
	{"PT402", 402, 402},
	{"PT419", 419, 419},
	{"PT099", 500, 500},		/* not an HTTP status */
};

static void
test_status_table(void **state)
{
	size_t		i;

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
	{
		if (cos_pgrst_status(statuses[i].sqlstate, false) != statuses[i].anon ||
			cos_pgrst_status(statuses[i].sqlstate, true) != statuses[i].authed)
			fail_msg("%s: got %d/%d, want %d/%d", statuses[i].sqlstate,
					 cos_pgrst_status(statuses[i].sqlstate, false),
					 cos_pgrst_status(statuses[i].sqlstate, true),
					 statuses[i].anon, statuses[i].authed);
	}
}

static void
test_status_malformed(void **state)
{
	assert_int_equal(cos_pgrst_status(NULL, false), 500);
	assert_int_equal(cos_pgrst_status("", false), 500);
	assert_int_equal(cos_pgrst_status("2350", false), 500);
	assert_int_equal(cos_pgrst_status("235055", false), 500);
	assert_int_equal(cos_pgrst_status("23 05", false), 500);
	assert_int_equal(cos_pgrst_status("pt402", false), 500);
}

static void
test_cors(void **state)
{
	assert_false(cos_cors_allowed("", "https://a.example"));
	assert_false(cos_cors_allowed(NULL, "https://a.example"));
	assert_true(cos_cors_allowed("*", "https://a.example"));
	assert_false(cos_cors_allowed("*", ""));
	assert_false(cos_cors_allowed("*", NULL));
	assert_true(cos_cors_allowed("https://a.example", "https://a.example"));
	assert_false(cos_cors_allowed("https://a.example", "https://a.example.evil"));
	assert_false(cos_cors_allowed("https://a.example", "https://a.exampl"));
	assert_false(cos_cors_allowed("https://a.example", "http://a.example"));
	assert_true(cos_cors_allowed("https://a.example, https://b.example", "https://b.example"));
	assert_true(cos_cors_allowed(" https://a.example ,https://b.example ", "https://a.example"));
	assert_false(cos_cors_allowed("https://a.example,https://b.example", "https://c.example"));
}

static void
test_listen(void **state)
{
	char		host[64];
	int			port = 0;

	assert_true(cos_parse_listen("127.0.0.1:8787", host, sizeof(host), &port));
	assert_string_equal(host, "127.0.0.1");
	assert_int_equal(port, 8787);
	assert_true(cos_parse_listen("[::1]:80", host, sizeof(host), &port));
	assert_string_equal(host, "::1");
	assert_int_equal(port, 80);
	assert_true(cos_parse_listen("localhost:65535", host, sizeof(host), &port));
	assert_string_equal(host, "localhost");
	assert_int_equal(port, 65535);

	assert_false(cos_parse_listen("127.0.0.1", host, sizeof(host), &port));
	assert_false(cos_parse_listen(":8787", host, sizeof(host), &port));
	assert_false(cos_parse_listen("127.0.0.1:", host, sizeof(host), &port));
	assert_false(cos_parse_listen("127.0.0.1:0", host, sizeof(host), &port));
	assert_false(cos_parse_listen("127.0.0.1:65536", host, sizeof(host), &port));
	assert_false(cos_parse_listen("127.0.0.1:-1", host, sizeof(host), &port));
	assert_false(cos_parse_listen("127.0.0.1:80x", host, sizeof(host), &port));
	assert_false(cos_parse_listen("::1:80", host, sizeof(host), &port));
	assert_false(cos_parse_listen("[::1]80", host, sizeof(host), &port));
	assert_false(cos_parse_listen("abcdefgh:1", host, 8, &port));
	assert_true(cos_parse_listen("abcdefg:1", host, 8, &port));
}

static void
test_upload_name(void **state)
{
	/* sha256("abc") */
	assert_true(cos_upload_name_valid("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(cos_upload_name_valid("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(cos_upload_name_valid("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a"));
	assert_false(cos_upload_name_valid("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0"));
	assert_false(cos_upload_name_valid("../7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	assert_false(cos_upload_name_valid(""));
	assert_false(cos_upload_name_valid(NULL));
}

static void
test_etag(void **state)
{
	const char *etag = "\"ba78\"";

	assert_true(cos_etag_matches("\"ba78\"", etag));
	assert_true(cos_etag_matches("W/\"ba78\"", etag));
	assert_true(cos_etag_matches("\"x\", \"ba78\"", etag));
	assert_true(cos_etag_matches("*", etag));
	assert_false(cos_etag_matches("\"ba7\"", etag));
	assert_false(cos_etag_matches("\"ba78x\"", etag));
	assert_false(cos_etag_matches("ba78", etag));
	assert_false(cos_etag_matches("", etag));
	assert_false(cos_etag_matches(NULL, etag));
	assert_false(cos_etag_matches("\"a,b\", \"c\"", "\"b\""));
	assert_true(cos_etag_matches("\"a,b\", \"c\"", "\"c\""));
}

/* Clipping keeps whole characters: 1-, 2-, 3- and 4-byte ones. */
static void
test_utf8_clip(void **state)
{
	/* "aé€😀": a (1 byte), é (2), € (3), 😀 (4): 10 bytes */
	const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";

	assert_int_equal(cos_utf8_clip("", 5), 0);
	assert_int_equal(cos_utf8_clip("abc", 3), 3);
	assert_int_equal(cos_utf8_clip("abcd", 3), 3);
	assert_int_equal(cos_utf8_clip(s, 100), 10);
	assert_int_equal(cos_utf8_clip(s, 10), 10);
	assert_int_equal(cos_utf8_clip(s, 9), 6);	/* not into 😀 */
	assert_int_equal(cos_utf8_clip(s, 7), 6);
	assert_int_equal(cos_utf8_clip(s, 6), 6);
	assert_int_equal(cos_utf8_clip(s, 5), 3);	/* not into € */
	assert_int_equal(cos_utf8_clip(s, 4), 3);
	assert_int_equal(cos_utf8_clip(s, 2), 1);	/* not into é */
	assert_int_equal(cos_utf8_clip(s, 1), 1);
	assert_int_equal(cos_utf8_clip(s, 0), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_table),
		cmocka_unit_test(test_status_malformed),
		cmocka_unit_test(test_cors),
		cmocka_unit_test(test_listen),
		cmocka_unit_test(test_upload_name),
		cmocka_unit_test(test_etag),
		cmocka_unit_test(test_utf8_clip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test_webapp.c
 *	  cmocka tests for extension/webapp.c: which paths under /app/ may name
 *	  a file (hostile ones from traversal attacks refused), content types,
 *	  cache policy and Accept-Encoding.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "webapp.h"

static void
test_path_ok(void **state)
{
	char		longpath[600];

	/* what Vite's build writes */
	assert_true(cos_webapp_path_ok(""));
	assert_true(cos_webapp_path_ok("index.html"));
	assert_true(cos_webapp_path_ok("assets/index-BXp3Kw1e.js"));
	assert_true(cos_webapp_path_ok("assets/chart-D9a-x_1.js.gz"));
	assert_true(cos_webapp_path_ok("video/42"));	/* a client route */
	assert_true(cos_webapp_path_ok("video/42/"));
	assert_true(cos_webapp_path_ok("assets/"));	/* a directory: never listed */
	/* traversal, as the decoded path arrives ("%2e%2e" is "..") */
	assert_false(cos_webapp_path_ok(".."));
	assert_false(cos_webapp_path_ok("../postgresql.conf"));
	assert_false(cos_webapp_path_ok("assets/../../x"));
	assert_false(cos_webapp_path_ok("assets/.."));
	assert_false(cos_webapp_path_ok("./index.html"));
	assert_false(cos_webapp_path_ok("/etc/passwd"));
	assert_false(cos_webapp_path_ok("assets//x.js"));
	assert_false(cos_webapp_path_ok("/"));
	assert_false(cos_webapp_path_ok("assets//"));
	assert_false(cos_webapp_path_ok("..\\..\\x"));
	assert_false(cos_webapp_path_ok(".git/config"));
	assert_false(cos_webapp_path_ok("assets/.hidden"));
	assert_false(cos_webapp_path_ok("a b"));
	assert_false(cos_webapp_path_ok("a\tb"));
	assert_false(cos_webapp_path_ok("caf\xc3\xa9"));
	assert_false(cos_webapp_path_ok(NULL));
	memset(longpath, 'a', sizeof(longpath) - 1);
	longpath[sizeof(longpath) - 1] = '\0';
	assert_false(cos_webapp_path_ok(longpath));
	longpath[512] = '\0';
	assert_true(cos_webapp_path_ok(longpath));
}

static void
test_content_type(void **state)
{
	assert_string_equal(cos_webapp_content_type("index.html"), "text/html; charset=utf-8");
	assert_string_equal(cos_webapp_content_type("assets/index-BXp3Kw1e.js"), "text/javascript; charset=utf-8");
	assert_string_equal(cos_webapp_content_type("assets/index-C1.CSS"), "text/css; charset=utf-8");
	assert_string_equal(cos_webapp_content_type("assets/logo.svg"), "image/svg+xml");
	assert_string_equal(cos_webapp_content_type("favicon.ico"), "image/x-icon");
	assert_string_equal(cos_webapp_content_type("assets/f.woff2"), "font/woff2");
	assert_string_equal(cos_webapp_content_type("assets/x.js.map"), "application/json");
	/* the extension of the last segment only */
	assert_string_equal(cos_webapp_content_type("assets.js/README"), "application/octet-stream");
	assert_string_equal(cos_webapp_content_type("Makefile"), "application/octet-stream");
	assert_string_equal(cos_webapp_content_type("x.exe"), "application/octet-stream");
}

static void
test_cache_control(void **state)
{
	assert_string_equal(cos_webapp_cache_control("assets/index-BXp3Kw1e.js"),
						"public, max-age=31536000, immutable");
	assert_string_equal(cos_webapp_cache_control("index.html"), "no-cache");
	assert_string_equal(cos_webapp_cache_control(""), "no-cache");
	assert_string_equal(cos_webapp_cache_control("assets/"), "no-cache");
	assert_string_equal(cos_webapp_cache_control("favicon.svg"), "no-cache");
}

static void
test_accepts_gzip(void **state)
{
	/* what browsers send */
	assert_true(cos_accepts_gzip("gzip, deflate, br, zstd"));
	assert_true(cos_accepts_gzip("gzip, deflate"));
	assert_true(cos_accepts_gzip("GZIP"));
	assert_true(cos_accepts_gzip("x-gzip"));
	assert_true(cos_accepts_gzip("br;q=1.0, gzip;q=0.8, *;q=0.1"));
	assert_true(cos_accepts_gzip("gzip;q=0.001"));
	assert_true(cos_accepts_gzip("*"));
	/* refused or not named */
	assert_false(cos_accepts_gzip("gzip;q=0"));
	assert_false(cos_accepts_gzip("gzip;q=0.000"));
	assert_false(cos_accepts_gzip("br, gzip;q=0, *"));
	assert_false(cos_accepts_gzip("*;q=0"));
	assert_false(cos_accepts_gzip("identity"));
	assert_false(cos_accepts_gzip("br, deflate"));
	assert_false(cos_accepts_gzip("gzipx"));
	assert_false(cos_accepts_gzip(""));
	assert_false(cos_accepts_gzip(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_ok),
		cmocka_unit_test(test_content_type),
		cmocka_unit_test(test_cache_control),
		cmocka_unit_test(test_accepts_gzip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

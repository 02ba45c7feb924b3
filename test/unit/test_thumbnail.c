/*
 * test_thumbnail.c
 *	  cmocka tests for extension/thumbnail.c: thumbnail URLs against the
 *	  platforms' CDN hosts (the URLs the captures in test/fixtures carry, and
 *	  hostile look-alikes), the fixture-server rebasing, and image types from
 *	  the test images in test/fixtures/images (SOURCES.md).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "thumbnail.h"
#include "unit_util.h"

/* the suffixes sql/cos.sql ships in cos.platforms.cdn_hosts */
static const char *const tiktok[] = {"tiktokcdn.com", "tiktokcdn-us.com", "tiktokcdn-eu.com", "ibyteimg.com"};
static const char *const youtube[] = {"ytimg.com", "ggpht.com"};
static const char *const instagram[] = {"cdninstagram.com", "fbcdn.net"};
static const char *const likee[] = {"like.video"};
static const char *const telegram[] = {"telesco.pe", "cdn-telegram.org", "telegram-cdn.org"};

#define N(a) ((int) (sizeof(a) / sizeof((a)[0])))

/* The thumbnail URLs of the captures (cos-extract on each fixture) pass. */
static void
test_fixture_hosts_allowed(void **state)
{
	char		host[256];
	char		err[256];

	assert_true(cos_thumbnail_url_allowed(
				"https://p16-sign-sg.tiktokcdn.com/tos-alisg-p-0037/o8fIweORmASjGYGgJLUIApCo1D6LQfmiQ1uRjH~tplv-tiktokx-origin.image?dr=14575&x-expires=1752634800",
				tiktok, N(tiktok), host, sizeof(host), err, sizeof(err)));
	assert_string_equal(host, "p16-sign-sg.tiktokcdn.com");
	assert_true(cos_thumbnail_url_allowed("https://i.ytimg.com/vi/GJLlxj_dtq8/maxresdefault.jpg",
										  youtube, N(youtube), host, sizeof(host), err, sizeof(err)));
	assert_string_equal(host, "i.ytimg.com");
	assert_true(cos_thumbnail_url_allowed("https://scontent-arn2-1.cdninstagram.com/v/t51.2885-15/e35/x.jpg?_nc_ht=scontent-arn2-1.cdninstagram.com",
										  instagram, N(instagram), host, sizeof(host), err, sizeof(err)));
	assert_true(cos_thumbnail_url_allowed("https://videosnap.like.video/na_live/3a2/1Kx7xs_4.jpg?wmk_sdk=1",
										  likee, N(likee), host, sizeof(host), err, sizeof(err)));
	assert_true(cos_thumbnail_url_allowed("https://cdn4.telesco.pe/file/abc.jpg",
										  telegram, N(telegram), host, sizeof(host), err, sizeof(err)));
	/* the host is compared in lower case, a trailing dot dropped */
	assert_true(cos_thumbnail_url_allowed("https://I.YTIMG.COM./vi/x/0.jpg",
										  youtube, N(youtube), host, sizeof(host), err, sizeof(err)));
	assert_string_equal(host, "i.ytimg.com");
	/* the suffix itself, and the scheme's default port written out */
	assert_true(cos_thumbnail_url_allowed("http://ytimg.com:80/x.jpg", youtube, N(youtube),
										  NULL, 0, err, sizeof(err)));
	assert_true(cos_thumbnail_url_allowed("https://i.ytimg.com:443/x.jpg", youtube, N(youtube),
										  NULL, 0, err, sizeof(err)));
}

/* One refused URL and the start of its reason */
typedef struct Refused
{
	const char *url;
	const char *reason;
} Refused;

static void
test_hostile_urls_refused(void **state)
{
	static const Refused cases[] = {
		{"https://eviltiktokcdn.com/x.jpg", "host \"eviltiktokcdn.com\" is not one"},
		{"https://tiktokcdn.com.evil.example/x.jpg", "host \"tiktokcdn.com.evil.example\" is not one"},
		{"https://evil.example/p16.tiktokcdn.com/x.jpg", "host \"evil.example\" is not one"},
		{"https://p16.tiktokcdn.com@evil.example/x.jpg", "user info"},
		{"https://user:pw@p16.tiktokcdn.com/x.jpg", "user info"},
		{"https://p16.tiktokcdn.com:8443/x.jpg", "a port other"},
		{"http://p16.tiktokcdn.com:443/x.jpg", "a port other"},
		{"https://127.0.0.2/x.jpg", "an IP address"},
		{"https://0x7f000001/x.jpg", "an IP address"},
		{"https://2130706433/x.jpg", "an IP address"},
		{"https://[::1]/x.jpg", "an IP address"},
		{"file:///etc/passwd", "not an http"},
		{"ftp://p16.tiktokcdn.com/x.jpg", "not an http"},
		{"gopher://p16.tiktokcdn.com/x", "not an http"},
		{"//p16.tiktokcdn.com/x.jpg", "not a URL"},
		{"p16.tiktokcdn.com/x.jpg", "not a URL"},
		{"https://evil.example%2ftiktokcdn.com/x.jpg", "not a URL"},
		{"https://p16.tiktokcdn.com%00.evil.example/x.jpg", "not a URL"},
		{"", "not a URL"},
	};
	size_t		i;
	char		err[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
	{
		err[0] = '\0';
		if (cos_thumbnail_url_allowed(cases[i].url, tiktok, N(tiktok), NULL, 0, err, sizeof(err)))
			fail_msg("allowed: %s", cases[i].url);
		if (strncmp(err, cases[i].reason, strlen(cases[i].reason)) != 0)
			fail_msg("%s: reason \"%s\", expected \"%s…\"", cases[i].url, err, cases[i].reason);
	}
	/* another platform's CDN */
	assert_false(cos_thumbnail_url_allowed("https://i.ytimg.com/vi/x/0.jpg", tiktok, N(tiktok),
										   NULL, 0, err, sizeof(err)));
	/* no hosts at all */
	assert_false(cos_thumbnail_url_allowed("https://i.ytimg.com/vi/x/0.jpg", NULL, 0,
										   NULL, 0, err, sizeof(err)));
	assert_false(cos_thumbnail_url_allowed(NULL, youtube, N(youtube), NULL, 0, err, sizeof(err)));
}

static void
test_rebase(void **state)
{
	char		out[512];
	char		err[256];

	assert_true(cos_thumbnail_rebase("http://127.0.0.1:18080/cdn/",
									 "https://p16-sign-sg.tiktokcdn.com/tos/o8f~tplv-origin.image?dr=1&x=2#frag",
									 out, sizeof(out), err, sizeof(err)));
	assert_string_equal(out, "http://127.0.0.1:18080/cdn/p16-sign-sg.tiktokcdn.com/tos/o8f~tplv-origin.image?dr=1&x=2");
	assert_true(cos_thumbnail_rebase("http://127.0.0.1:18080/cdn", "https://I.ytimg.com/vi/../vi/x/0.jpg",
									 out, sizeof(out), err, sizeof(err)));
	assert_string_equal(out, "http://127.0.0.1:18080/cdn/i.ytimg.com/vi/x/0.jpg");
	assert_false(cos_thumbnail_rebase("http://127.0.0.1:18080/cdn", "https://i.ytimg.com/vi/x/0.jpg",
									  out, 20, err, sizeof(err)));
	assert_false(cos_thumbnail_rebase("http://127.0.0.1:18080/cdn", "not a url", out, sizeof(out),
									  err, sizeof(err)));
	/* no base: the URL as checked (host decoded and lower case, no default port) */
	assert_true(cos_thumbnail_rebase(NULL, "HTTPS://p16.TikTokCDN%2ecom:443/a/./b.jpg?q=1#f",
									 out, sizeof(out), err, sizeof(err)));
	assert_string_equal(out, "https://p16.tiktokcdn.com/a/b.jpg?q=1");
}

/* Reads test/fixtures/images/<name> */
static unsigned char *
ReadImage(const char *name, size_t *len)
{
	char		path[1024];
	const char *dir = getenv("COS_FIXTURES");
	unsigned char *buf;

	snprintf(path, sizeof(path), "%s/images/%s", dir ? dir : "../fixtures", name);
	buf = (unsigned char *) unit_read_file(path, len);
	if (buf == NULL)
		fail_msg("cannot read %s", path);
	return buf;
}

static void
test_image_types(void **state)
{
	size_t		len;
	unsigned char *png = ReadImage("thumb_2x2.png", &len);
	unsigned char *jpg;
	static const unsigned char gif[] = "GIF89a\x02\x00\x02\x00";
	static const unsigned char webp[] = "RIFF\x24\x00\x00\x00WEBPVP8 ";
	static const unsigned char avif[] = "\x00\x00\x00\x1c" "ftypavif\x00\x00\x00\x00";
	static const unsigned char heic[] = "\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00";
	static const unsigned char mp4[] = "\x00\x00\x00\x18" "ftypisom\x00\x00\x00\x00";
	static const char html[] = "<!DOCTYPE html><html>fixture server: not an image</html>";

	assert_int_equal(len, 75);
	assert_string_equal(cos_image_type(png, len), "image/png");
	/* a PNG cut before its signature ends is not one */
	assert_null(cos_image_type(png, 7));
	free(png);
	jpg = ReadImage("thumb_8x8.jpg", &len);
	assert_string_equal(cos_image_type(jpg, len), "image/jpeg");
	free(jpg);
	assert_string_equal(cos_image_type(gif, sizeof(gif) - 1), "image/gif");
	assert_string_equal(cos_image_type(webp, sizeof(webp) - 1), "image/webp");
	assert_string_equal(cos_image_type(avif, sizeof(avif) - 1), "image/avif");
	assert_string_equal(cos_image_type(heic, sizeof(heic) - 1), "image/heic");
	assert_null(cos_image_type(mp4, sizeof(mp4) - 1));
	assert_null(cos_image_type((const unsigned char *) html, strlen(html)));
	assert_null(cos_image_type(NULL, 0));
	assert_null(cos_image_type((const unsigned char *) "", 0));
}

static void
test_content_types(void **state)
{
	assert_true(cos_image_content_type_ok("image/jpeg"));
	assert_true(cos_image_content_type_ok("IMAGE/PNG; charset=binary"));
	assert_true(cos_image_content_type_ok(" image/webp"));
	assert_true(cos_image_content_type_ok("image/avif"));
	assert_true(cos_image_content_type_ok("image/heic"));
	assert_true(cos_image_content_type_ok("image/gif"));
	assert_false(cos_image_content_type_ok("text/html; charset=utf-8"));
	assert_false(cos_image_content_type_ok("image/svg+xml"));
	assert_false(cos_image_content_type_ok("image/jpegx"));
	assert_false(cos_image_content_type_ok("application/octet-stream"));
	assert_false(cos_image_content_type_ok(""));
	assert_false(cos_image_content_type_ok(NULL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fixture_hosts_allowed),
		cmocka_unit_test(test_hostile_urls_refused),
		cmocka_unit_test(test_rebase),
		cmocka_unit_test(test_image_types),
		cmocka_unit_test(test_content_types),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

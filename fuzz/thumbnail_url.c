/*
 * thumbnail_url.c
 *	  libFuzzer target: the thumbnail URL checks (extension/thumbnail.c) on
 *	  URLs as a platform's page could give them.
 *
 * Input: any bytes, read up to the first NUL as the URL.  Checked against
 * the CDN host suffixes sql/cos.sql ships for TikTok:
 *   refused: a non-empty, NUL-terminated reason;
 *   allowed: the host written out is lower-case letters, digits, '-' and
 *	   '.', equals a suffix or ends with "." + suffix (whole labels), and is
 *	   not all digits and dots; the URL to request (cos_thumbnail_rebase,
 *	   no base) is allowed again with the same host, and rebasing that URL
 *	   gives it back (a fixed point), so what is requested is what was
 *	   checked.
 * cos_image_type runs on the same bytes and must give NULL or one of the
 * six types.
 * Seeds: the URLs quoted in test/unit/test_thumbnail.c and
 * test/sql/09_thumbnails.sql (fuzz/seeds.sh).
 */
#include "fuzz_check.h"

#include <stdlib.h>
#include <string.h>

#include "thumbnail.h"

static const char *const hosts[] = {"tiktokcdn.com", "tiktokcdn-us.com", "tiktokcdn-eu.com", "ibyteimg.com"};

/* abort() unless host is a lower-case DNS name under one of hosts */
static void
CheckHost(const char *input, const char *host)
{
	size_t		hl = strlen(host);
	bool		under = false;
	bool		letter = false;

	for (const char *p = host; *p; p++)
	{
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '.'))
			FuzzFail(NULL, "host \"%s\" of \"%s\" has byte 0x%02x", host, input, (unsigned char) *p);
		letter |= (*p >= 'a' && *p <= 'z');
	}
	if (!letter)
		FuzzFail(NULL, "host \"%s\" of \"%s\" has no letter", host, input);
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
	{
		size_t		sl = strlen(hosts[i]);

		if (hl >= sl && strcmp(host + hl - sl, hosts[i]) == 0 &&
			(hl == sl || host[hl - sl - 1] == '.'))
			under = true;
	}
	if (!under)
		FuzzFail(NULL, "host \"%s\" of \"%s\" is under none of the CDN hosts", host, input);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *input = malloc(size + 1);
	char		host[256];
	char		host2[256];
	char		err[256];
	char		url[COS_THUMBNAIL_URL_MAX + 512];
	char		url2[COS_THUMBNAIL_URL_MAX + 512];
	const char *type;

	if (input == NULL)
		return 0;
	memcpy(input, data, size);
	input[size] = '\0';

	type = cos_image_type(data, size);
	if (type != NULL && strcmp(type, "image/jpeg") != 0 && strcmp(type, "image/png") != 0 &&
		strcmp(type, "image/gif") != 0 && strcmp(type, "image/webp") != 0 &&
		strcmp(type, "image/avif") != 0 && strcmp(type, "image/heic") != 0)
		FuzzFail(NULL, "unknown image type \"%s\"", type);
	(void) cos_image_content_type_ok(input);

	memset(err, 'x', sizeof(err));
	memset(host, 'x', sizeof(host));
	if (!cos_thumbnail_url_allowed(input, hosts, 4, host, sizeof(host), err, sizeof(err)))
	{
		if (memchr(err, '\0', sizeof(err)) == NULL || err[0] == '\0')
			FuzzFail(NULL, "no NUL-terminated reason for refusing \"%s\"", input);
	}
	else
	{
		if (memchr(host, '\0', sizeof(host)) == NULL)
			FuzzFail(NULL, "host not NUL-terminated for \"%s\"", input);
		CheckHost(input, host);
		if (!cos_thumbnail_rebase(NULL, input, url, sizeof(url), err, sizeof(err)))
			FuzzFail(NULL, "\"%s\" is allowed but cannot be rebased: %s", input, err);
		if (!cos_thumbnail_url_allowed(url, hosts, 4, host2, sizeof(host2), err, sizeof(err)))
			FuzzFail(NULL, "\"%s\" is allowed, the URL requested for it \"%s\" is not: %s",
					 input, url, err);
		if (strcmp(host, host2) != 0)
			FuzzFail(NULL, "\"%s\" has host \"%s\", the URL requested for it \"%s\" host \"%s\"",
					 input, host, url, host2);
		if (!cos_thumbnail_rebase(NULL, url, url2, sizeof(url2), err, sizeof(err)) ||
			strcmp(url, url2) != 0)
			FuzzFail(NULL, "the URL requested for \"%s\", \"%s\", is not a fixed point (\"%s\")",
					 input, url, url2);
	}
	free(input);
	return 0;
}

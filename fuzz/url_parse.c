/*
 * url_parse.c
 *	  libFuzzer target: cos_url_parse on user-typed URLs.
 *
 * Input: any bytes, read up to the first NUL as the URL.  Checked:
 *   failure: a non-empty, NUL-terminated reason, and *out zeroed (url.c);
 *   success: a platform and kind in range; id, handle and canonical
 *	   NUL-terminated inside their arrays, id and canonical non-empty; no
 *	   byte below 0x20 in them, and UTF-8 when the input was; and parsing
 *	   canonical again gives the same platform, kind, id, pending flag and
 *	   canonical URL (the canonical form is a fixed point).
 * Seeds: the URLs quoted in test/unit/test_url.c (fuzz/seeds.sh).
 */
#include "fuzz_check.h"

#include <stdlib.h>
#include <string.h>

/* field (an array in CosUrl) is NUL-terminated inside it */
#define TERMINATED(field) (memchr((field), '\0', sizeof(field)) != NULL)

/* abort() unless s (NUL-terminated) is free of control bytes, and UTF-8 if utf8 */
static void
CheckField(const char *what, const char *s, bool utf8)
{
	for (const char *p = s; *p != '\0'; p++)
	{
		if ((unsigned char) *p < 0x20 || *p == 0x7f)
			FuzzFail(NULL, "%s \"%s\" holds a control byte", what, s);
	}
	if (utf8 && !FuzzIsUtf8(s, strlen(s)))
		FuzzFail(NULL, "%s \"%s\" is not UTF-8 though the input was", what, s);
}

/* abort() unless a failed parse left a reason and a zeroed *out */
static void
CheckFailure(const char *input, const CosUrl *out, const char *err, size_t errlen)
{
	static const CosUrl zero;

	if (memchr(err, '\0', errlen) == NULL || err[0] == '\0')
		FuzzFail(NULL, "no NUL-terminated reason for refusing \"%s\"", input);
	if (memcmp(out, &zero, sizeof(zero)) != 0)
		FuzzFail(NULL, "*out is not zeroed after refusing \"%s\"", input);
}

/* abort() unless a successful parse filled *out sensibly */
static void
CheckSuccess(const char *input, const CosUrl *out, bool utf8)
{
	if ((int) out->platform <= (int) COS_PLATFORM_NONE ||
		(int) out->platform > (int) COS_TELEGRAM)
		FuzzFail(NULL, "platform %d out of range for \"%s\"", (int) out->platform, input);
	if (out->kind != COS_KIND_VIDEO && out->kind != COS_KIND_CHANNEL)
		FuzzFail(NULL, "kind %d out of range for \"%s\"", (int) out->kind, input);
	if (!TERMINATED(out->id) || !TERMINATED(out->handle) || !TERMINATED(out->canonical))
		FuzzFail(NULL, "id, handle or canonical not NUL-terminated for \"%s\"", input);
	if (out->id[0] == '\0' || out->canonical[0] == '\0')
		FuzzFail(NULL, "empty id or canonical for \"%s\"", input);
	CheckField("id", out->id, utf8);
	CheckField("handle", out->handle, utf8);
	CheckField("canonical", out->canonical, utf8);
}

/* libFuzzer entry point: parse, check, parse the canonical URL again */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char	   *input = malloc(size + 1);
	CosUrl	   *first = malloc(sizeof(CosUrl));
	CosUrl	   *again = malloc(sizeof(CosUrl));
	char		err[256];
	bool		utf8;

	if (input == NULL || first == NULL || again == NULL)
		abort();
	memcpy(input, data, size);
	input[size] = '\0';
	utf8 = FuzzIsUtf8(input, strlen(input));

	/* garbage in the outputs, to see that the parser writes them */
	memset(first, 0xA5, sizeof(*first));
	memset(err, 'x', sizeof(err));
	if (!cos_url_parse(input, first, err, sizeof(err)))
		CheckFailure(input, first, err, sizeof(err));
	else
	{
		CheckSuccess(input, first, utf8);
		memset(again, 0xA5, sizeof(*again));
		if (!cos_url_parse(first->canonical, again, err, sizeof(err)))
			FuzzFail(NULL, "canonical \"%s\" of \"%s\" does not parse: %s",
					 first->canonical, input, err);
		if (again->platform != first->platform || again->kind != first->kind ||
			again->pending != first->pending ||
			strcmp(again->id, first->id) != 0 ||
			strcmp(again->canonical, first->canonical) != 0)
			FuzzFail(NULL, "\"%s\" -> (%d, %d, \"%s\", \"%s\") but its canonical "
					 "parses to (%d, %d, \"%s\", \"%s\")", input,
					 (int) first->platform, (int) first->kind, first->id,
					 first->canonical, (int) again->platform, (int) again->kind,
					 again->id, again->canonical);
	}
	free(again);
	free(first);
	free(input);
	return 0;
}

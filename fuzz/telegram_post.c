/*
 * telegram_post.c
 *	  libFuzzer target: one post of a Telegram preview page read alone
 *	  (cos_extract_for_target -> cos_extract_telegram_post).
 *
 * Input: a response body, as fetched from https://t.me/s/durov?before=38.
 * The posts asked for: "durov/37" and the value of the input's first
 * data-post="…" (up to 64 bytes).  Each result is checked by
 * FuzzCheckResult (fuzz_check.h), and against the full parse of the same
 * body (cos_extract_for): a result that is not the one post read alone
 * must be the full parse's, whole; a post read alone must be the one asked
 * for.  Seeds: fuzz/seeds.sh (the Telegram captures).
 */
#define _GNU_SOURCE				/* memmem */
#include "fuzz_check.h"

#include <string.h>
#include <strings.h>

#define TARGET_URL "https://t.me/s/durov?before=38"

/* Longest data-post value taken from the input */
#define POST_MAX 64

/* Ask for post and check the answer against full, the whole page's result */
static void
CheckPost(const uint8_t *data, size_t size, const char *post, const json_t *full)
{
	json_t	   *r = cos_extract_for_target(COS_TELEGRAM, TARGET_URL,
										   (const char *) data, size, post);
	const json_t *videos;

	FuzzCheckResult(r, COS_TELEGRAM);
	videos = json_object_get(r, "videos");
	if (!json_equal(r, full))
	{
		const char *id;

		if (strcmp(json_string_value(json_object_get(r, "status")), "ok") != 0 ||
			json_array_size(videos) != 1 ||
			json_array_size(json_object_get(r, "channels")) != 0 ||
			!json_is_null(json_object_get(r, "next")))
			FuzzFail(r, "post %s: neither the post alone nor the full parse's result", post);
		id = json_string_value(json_object_get(json_array_get(videos, 0), "id"));
		if (id == NULL || strcasecmp(id, post) != 0)
			FuzzFail(r, "post %s read alone as %s", post, id ? id : "(no id)");
	}
	json_decref(r);
}

/* libFuzzer entry point: two posts of one body, each checked */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char attr[] = "data-post=\"";
	json_t	   *full = cos_extract_for(COS_TELEGRAM, TARGET_URL, (const char *) data, size);
	const uint8_t *at = size ? memmem(data, size, attr, sizeof(attr) - 1) : NULL;

	FuzzCheckResult(full, COS_TELEGRAM);
	CheckPost(data, size, "durov/37", full);
	if (at != NULL)
	{
		const char *v = (const char *) at + sizeof(attr) - 1;
		size_t		left = size - (size_t) (v - (const char *) data);
		size_t		n = 0;
		char		post[POST_MAX + 1];

		while (n < left && n < POST_MAX && v[n] != '"' && v[n] != '\0')
			n++;
		memcpy(post, v, n);
		post[n] = '\0';
		CheckPost(data, size, post, full);
	}
	json_decref(full);
	return 0;
}

/*
 * youtube_watch.c
 *	  libFuzzer target: YouTube watch pages (HTML with ytInitialPlayerResponse and ytInitialData).
 *
 * Input: a response body, as fetched from
 *	  https://www.youtube.com/watch?v=GJLlxj_dtq8
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://www.youtube.com/watch?v=GJLlxj_dtq8"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_YOUTUBE, TARGET_URL, data, size);
}

/*
 * youtube_api.c
 *	  libFuzzer target: YouTube Data API v3 answers (JSON).
 *
 * Input: a response body, as fetched from
 *	  https://www.googleapis.com/youtube/v3/videos?id=x
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://www.googleapis.com/youtube/v3/videos?id=x"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_YOUTUBE, TARGET_URL, data, size);
}

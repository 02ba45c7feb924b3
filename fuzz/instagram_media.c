/*
 * instagram_media.c
 *	  libFuzzer target: Instagram private-API media items (JSON, media/<pk>/info).
 *
 * Input: a response body, as fetched from
 *	  https://i.instagram.com/api/v1/media/2307774091974900767/info/
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://i.instagram.com/api/v1/media/2307774091974900767/info/"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_INSTAGRAM, TARGET_URL, data, size);
}

/*
 * tiktok_page.c
 *	  libFuzzer target: TikTok video and profile pages (HTML with the rehydration JSON).
 *
 * Input: a response body, as fetched from
 *	  https://www.tiktok.com/@x/video/7526770564367748360
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://www.tiktok.com/@x/video/7526770564367748360"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_TIKTOK, TARGET_URL, data, size);
}

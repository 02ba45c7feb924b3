/*
 * instagram_api.c
 *	  libFuzzer target: Instagram profile and GraphQL answers (JSON).
 *
 * Input: a response body, as fetched from
 *	  https://i.instagram.com/api/v1/users/web_profile_info/?username=x
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://i.instagram.com/api/v1/users/web_profile_info/?username=x"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_INSTAGRAM, TARGET_URL, data, size);
}

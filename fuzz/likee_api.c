/*
 * likee_api.c
 *	  libFuzzer target: Likee video API answers (JSON).
 *
 * Input: a response body, as fetched from
 *	  https://api.like-video.com/likee-activity-flow-micro/videoApi/getUserVideo
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://api.like-video.com/likee-activity-flow-micro/videoApi/getUserVideo"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_LIKEE, TARGET_URL, data, size);
}

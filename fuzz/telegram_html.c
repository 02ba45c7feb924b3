/*
 * telegram_html.c
 *	  libFuzzer target: Telegram channel pages (HTML, libxml2).
 *
 * Input: a response body, as fetched from
 *	  https://t.me/s/durov
 * Checked by FuzzExtract (fuzz_check.h).  Seeds: fuzz/seeds.sh.
 */
#include "fuzz_check.h"

#define TARGET_URL "https://t.me/s/durov"

/* libFuzzer entry point: extract one body and check the result */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return FuzzExtract(COS_TELEGRAM, TARGET_URL, data, size);
}

/*
 * fuzz_check.h
 *	  Shared part of the libFuzzer targets: run an extractor on one input
 *	  and abort() when its result breaks the contract of extract.h.
 *
 * A result is checked for what the fetch workers rely on when they store it
 * (bgworker/store.c reads it with jsonb_to_record into bigint, integer,
 * timestamptz and text columns): an object whose "status" is one of ok,
 * unavailable, private, blocked, error; "platform" the name of the platform
 * asked for; "error" and "next" null or a string; "channels" and "videos"
 * arrays of objects; every counter present a JSON integer >= 0 or null
 * (duration_s also fits an int4); published_at null or
 * "YYYY-MM-DDTHH:MM:SSZ"; the text fields null or a string; and no string
 * anywhere holding a NUL byte (jsonb refuses "\u0000").  A wrong shape is a
 * bug, as a crash is.
 *
 * Pure C: never includes postgres.h.
 */
#ifndef COS_FUZZ_CHECK_H
#define COS_FUZZ_CHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "extract.h"
#include "url.h"

/* The libFuzzer entry point every target defines */
extern int	LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * Run cos_extract_for(platform, url, data, size), check the result with
 * FuzzCheckResult, release it.  Returns 0, as libFuzzer expects.
 */
extern int	FuzzExtract(CosPlatform platform, const char *url,
						const uint8_t *data, size_t size);

/* abort() with a message on stderr unless result has the shape above */
extern void FuzzCheckResult(const json_t *result, CosPlatform platform);

/* True when s (len bytes) is well-formed UTF-8 */
extern bool FuzzIsUtf8(const char *s, size_t len);

/* Print "fuzz check failed: <what>" and the result (if any), then abort() */
extern void FuzzFail(const json_t *result, const char *fmt,...)
			__attribute__((format(printf, 2, 3), noreturn));

#endif							/* COS_FUZZ_CHECK_H */

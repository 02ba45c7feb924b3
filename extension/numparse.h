/*
 * numparse.h
 *	  Counters as platforms print them, and ISO 8601 times and durations.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 */
#ifndef COS_NUMPARSE_H
#define COS_NUMPARSE_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes needed for "YYYY-MM-DDTHH:MM:SSZ" plus the terminating NUL. */
#define COS_ISO_UTC_SIZE 21

/*
 * cos_parse_count: parse a non-negative counter from s (len bytes, need not
 * be NUL-terminated).  Accepts what TikTok, YouTube, Telegram and the APIs
 * print (SOURCES.md): plain digits ("597"), thousands separators (",", ".",
 * ASCII space, NBSP U+00A0, narrow NBSP U+202F: "43,864", "10 114 749"), and
 * abbreviations with K, M or B, optionally after a space ("1.98K", "1.75M",
 * "2K", "1.2B", "1,5K"); leading blanks and trailing words after a blank
 * ("1,856,109 views") are allowed.  Abbreviated values are exact decimal
 * arithmetic, truncated toward zero ("1.2345K" -> 1234).
 * Returns false (and leaves *out alone) for empty input, a sign, overflow
 * of long long, separators in the wrong places, or anything else.
 */
extern bool cos_parse_count(const char *s, size_t len, long long *out);

/*
 * cos_unix_to_iso: format secs (seconds since 1970-01-01 UTC) as
 * "YYYY-MM-DDTHH:MM:SSZ" into buf (at least COS_ISO_UTC_SIZE bytes).
 * Returns false when buflen is too small or the year is outside 1..9999.
 */
extern bool cos_unix_to_iso(long long secs, char *buf, size_t buflen);

/*
 * cos_iso_to_unix: parse an ISO 8601 / RFC 3339 time (s, len bytes):
 * "YYYY-MM-DD", optionally followed by "THH:MM[:SS[.fraction]]" (or a space
 * for "T") and a zone "Z", "+HH:MM", "-HHMM" or "+HH"; no zone means UTC.
 * Fractions are dropped.  Formats seen: YouTube publishDate
 * "2018-08-02T06:00:08-07:00", Data API "2019-03-21T20:37:49.000Z",
 * Telegram "2026-01-19T15:40:00+00:00".  Returns false on anything else.
 */
extern bool cos_iso_to_unix(const char *s, size_t len, long long *out);

/*
 * cos_iso_to_utc: cos_iso_to_unix, then cos_unix_to_iso: any accepted time
 * rewritten as "YYYY-MM-DDTHH:MM:SSZ" in buf (COS_ISO_UTC_SIZE bytes).
 */
extern bool cos_iso_to_utc(const char *s, size_t len, char *buf, size_t buflen);

/*
 * cos_parse_iso_duration: ISO 8601 duration (s, len bytes) in seconds, as
 * the YouTube Data API gives contentDetails.duration: "PT21M7S" -> 1267,
 * "P1DT2H" -> 93600, "P0D" -> 0, "P1W" -> 604800; fractional seconds are
 * truncated.  Years and months (no fixed length) are rejected, as are
 * "P", "PT", signs, and overflow.
 */
extern bool cos_parse_iso_duration(const char *s, size_t len, long long *out);

#endif							/* COS_NUMPARSE_H */

/*
 * test_numparse.c
 *	  cmocka tests for extension/numparse.c: counters as the platforms print
 *	  them (the strings come from the captures in test/fixtures, SOURCES.md),
 *	  ISO 8601 times and durations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "numparse.h"

/* One string and the count it must give */
typedef struct CountCase
{
	const char *in;
	long long	out;
} CountCase;

/* Counters that must parse */
static const CountCase good_counts[] = {
	/* Telegram t.me/s views and counters */
	{"1.98K", 1980},
	{"2.01K", 2010},
	{"2K", 2000},
	{"15.4K", 15400},
	{"1.75M", 1750000},
	{"11.5M", 11500000},
	{"597", 597},
	{"305", 305},
	/* Telegram t.me/durov: ASCII spaces, and the NBSP / narrow NBSP forms */
	{"10 114 749", 10114749},
	{"10 114 749 subscribers", 10114749},
	{"10\xC2\xA0" "114\xC2\xA0" "749", 10114749},
	{"10\xE2\x80\xAF" "114\xE2\x80\xAF" "749", 10114749},
	/* YouTube watch page texts */
	{"2.7K", 2700},
	{"43,864", 43864},
	{"1,856,109 views", 1856109},
	{"1,856,109\xC2\xA0views", 1856109},
	/* TikTok stats strings, Data API statistics strings */
	{"16630", 16630},
	{"3331930783", 3331930783LL},
	{"0", 0},
	/* other spellings */
	{"1.2B", 1200000000LL},
	{"1.2b", 1200000000LL},
	{"3k", 3000},
	{"12 K views", 12000},
	{"1,5K", 1500},
	{"1,500K", 1500000},
	{"1.234.567", 1234567},
	{"1,234.5K", 1234500},
	{"1.2345K", 1234},
	{"  597  ", 597},
	{"9223372036854775807", 9223372036854775807LL},
	{"9.2B", 9200000000LL},
	{"2 Mbps", 2},
};

/* Strings that must be refused */
static const char *const bad_counts[] = {
	"", " ", "-5", "+5", "abc", "K", ".5K", "1.5", "12,34", "1,2345",
	"1,234,56", "123abc", "12K+", "1.98Kx", "9223372036854775808",
	"99999999999B", "1.2.3K", "1 2", "1,234.567", "NaN", "views 5", "\xFF" "5",
	"1,,000", "1, 000",
};

/* cos_parse_count on every good and bad case */
static void
test_parse_count(void **state)
{
	(void) state;
	for (size_t i = 0; i < sizeof(good_counts) / sizeof(good_counts[0]); i++)
	{
		long long	v = -1;

		if (!cos_parse_count(good_counts[i].in, strlen(good_counts[i].in), &v))
			fail_msg("\"%s\" refused", good_counts[i].in);
		if (v != good_counts[i].out)
			fail_msg("\"%s\" gave %lld, expected %lld", good_counts[i].in, v, good_counts[i].out);
	}
	for (size_t i = 0; i < sizeof(bad_counts) / sizeof(bad_counts[0]); i++)
	{
		long long	v = -7;

		if (cos_parse_count(bad_counts[i], strlen(bad_counts[i]), &v))
			fail_msg("\"%s\" accepted as %lld", bad_counts[i], v);
		assert_int_equal(v, -7);	/* *out untouched */
	}
}

/* The length bounds the scan: bytes past len are never read */
static void
test_parse_count_bounded(void **state)
{
	long long	v = 0;
	char	   *exact = malloc(4);

	(void) state;
	memcpy(exact, "1.9K", 4);	/* no NUL: valgrind sees any overread */
	assert_true(cos_parse_count(exact, 4, &v));
	assert_int_equal(v, 1900);
	/* "1.9" alone is not a count (decimal without suffix) */
	assert_false(cos_parse_count(exact, 3, &v));
	free(exact);
	/* a prefix of a longer string */
	assert_true(cos_parse_count("2182 comments", 4, &v));
	assert_int_equal(v, 2182);
	assert_false(cos_parse_count(NULL, 0, &v));
	assert_false(cos_parse_count("123", 0, &v));
}

/* One ISO time and its UTC form */
typedef struct IsoCase
{
	const char *in;
	const char *out;
} IsoCase;

/* cos_iso_to_utc on the formats of the captures and neighbours */
static void
test_iso_to_utc(void **state)
{
	static const IsoCase good[] = {
		{"2018-08-02T06:00:08-07:00", "2018-08-02T13:00:08Z"},	/* YouTube publishDate */
		{"2019-03-21T20:37:49.000Z", "2019-03-21T20:37:49Z"},	/* Data API */
		{"2005-09-18T22:37:10Z", "2005-09-18T22:37:10Z"},
		{"2026-01-19T15:40:00+00:00", "2026-01-19T15:40:00Z"},	/* Telegram */
		{"2018-08-02", "2018-08-02T00:00:00Z"},
		{"2020-02-29T23:30:00-01:00", "2020-03-01T00:30:00Z"},
		{"2021-01-01T02:00:00+05:30", "2020-12-31T20:30:00Z"},
		{"2021-01-01T02:00:00+0530", "2020-12-31T20:30:00Z"},
		{"2021-01-01T02:00:00+05", "2020-12-31T21:00:00Z"},
		{"2021-06-01 12:00:00", "2021-06-01T12:00:00Z"},
		{"2021-06-01T12:00Z", "2021-06-01T12:00:00Z"},
		{"1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"},
		{"1969-12-31T23:59:59Z", "1969-12-31T23:59:59Z"},
	};
	static const char *const bad[] = {
		"", "2018", "2018-08", "2018-13-01", "2018-02-30", "2019-02-29",
		"2018-08-02T25:00:00Z", "2018-08-02T06:00:08-07:00x", "2018-08-02T06",
		"2018-08-02T06:00:08.Z", "Aug 2, 2018", "2018-08-02T06:00:08-7",
		"0000-01-01T00:00:00Z", "2018-08-02T06:00:08+24:00",
	};
	char		buf[COS_ISO_UTC_SIZE];

	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		if (!cos_iso_to_utc(good[i].in, strlen(good[i].in), buf, sizeof(buf)))
			fail_msg("\"%s\" refused", good[i].in);
		assert_string_equal(buf, good[i].out);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		if (cos_iso_to_utc(bad[i], strlen(bad[i]), buf, sizeof(buf)))
			fail_msg("\"%s\" accepted as %s", bad[i], buf);
	}
	/* too small a buffer */
	assert_false(cos_iso_to_utc("2018-08-02", 10, buf, COS_ISO_UTC_SIZE - 1));
}

/* cos_unix_to_iso on TikTok createTime values and the limits */
static void
test_unix_to_iso(void **state)
{
	char		buf[COS_ISO_UTC_SIZE];
	long long	back;

	(void) state;
	assert_true(cos_unix_to_iso(1752462842LL, buf, sizeof(buf)));	/* TikTok 7526770564367748360 */
	assert_string_equal(buf, "2025-07-14T03:14:02Z");
	assert_true(cos_unix_to_iso(1766049369LL, buf, sizeof(buf)));	/* TikTok 7585124257601162516 */
	assert_string_equal(buf, "2025-12-18T09:16:09Z");
	assert_true(cos_unix_to_iso(0, buf, sizeof(buf)));
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	assert_true(cos_unix_to_iso(-1, buf, sizeof(buf)));
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	assert_true(cos_unix_to_iso(951782400LL, buf, sizeof(buf)));
	assert_string_equal(buf, "2000-02-29T00:00:00Z");
	assert_true(cos_unix_to_iso(253402300799LL, buf, sizeof(buf)));
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	assert_false(cos_unix_to_iso(253402300800LL, buf, sizeof(buf)));
	assert_false(cos_unix_to_iso(-62135596801LL, buf, sizeof(buf)));
	assert_false(cos_unix_to_iso(1LL << 62, buf, sizeof(buf)));
	assert_false(cos_unix_to_iso(0, buf, 5));

	/* round trip over a spread of days */
	for (long long t = -5000000000LL; t < 5000000000LL; t += 86399LL * 37)
	{
		assert_true(cos_unix_to_iso(t, buf, sizeof(buf)));
		assert_true(cos_iso_to_unix(buf, strlen(buf), &back));
		assert_int_equal(back, t);
	}
}

/* One ISO 8601 duration and its seconds */
typedef struct DurCase
{
	const char *in;
	long long	secs;
} DurCase;

/* cos_parse_iso_duration on Data API durations */
static void
test_duration(void **state)
{
	static const DurCase good[] = {
		{"PT21M7S", 1267},		/* videos.list D-lhorsDlUQ */
		{"PT5M16S", 316},
		{"P1DT2H", 93600},
		{"P0D", 0},
		{"PT0S", 0},
		{"PT1H", 3600},
		{"PT59S", 59},
		{"P1W", 604800},
		{"P2DT3H4M5S", 2 * 86400 + 3 * 3600 + 4 * 60 + 5},
		{"PT1.5S", 1},
		{"PT90M", 5400},
	};
	static const char *const bad[] = {
		"", "P", "PT", "P1DT", "PT5", "T5M", "5M", "P1Y", "P1M", "PT1S2M",
		"PT1M1M", "P-1D", "PT1.5M", "PT99999999999999999999S", "pt5m", "PT5M ",
	};
	long long	secs;

	(void) state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
	{
		if (!cos_parse_iso_duration(good[i].in, strlen(good[i].in), &secs))
			fail_msg("\"%s\" refused", good[i].in);
		assert_int_equal(secs, good[i].secs);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
	{
		if (cos_parse_iso_duration(bad[i], strlen(bad[i]), &secs))
			fail_msg("\"%s\" accepted as %lld", bad[i], secs);
	}
}

/* Random bytes never crash the parsers (and run under valgrind clean) */
static void
test_numparse_fuzz(void **state)
{
	static const char alphabet[] = "0123456789.,  KMBkmbPTHSDWZ:-+T\xC2\xA0\xE2\x80\xAF" "xv";
	unsigned long long seed = 0x9E3779B97F4A7C15ULL;
	char		buf[COS_ISO_UTC_SIZE];

	(void) state;
	for (int iter = 0; iter < 20000; iter++)
	{
		char		in[24];
		size_t		n;
		long long	v;

		seed ^= seed << 13;
		seed ^= seed >> 7;
		seed ^= seed << 17;
		n = (size_t) (seed % sizeof(in));
		for (size_t i = 0; i < n; i++)
		{
			seed ^= seed << 13;
			seed ^= seed >> 7;
			seed ^= seed << 17;
			in[i] = alphabet[seed % (sizeof(alphabet) - 1)];
		}
		if (cos_parse_count(in, n, &v))
			assert_true(v >= 0);
		if (cos_parse_iso_duration(in, n, &v))
			assert_true(v >= 0);
		(void) cos_iso_to_utc(in, n, buf, sizeof(buf));
	}
}

/* Run the numparse tests */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_count),
		cmocka_unit_test(test_parse_count_bounded),
		cmocka_unit_test(test_iso_to_utc),
		cmocka_unit_test(test_unix_to_iso),
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_numparse_fuzz),
	};

	return cmocka_run_group_tests_name("numparse", tests, NULL, NULL);
}

/*
 * test_errfmt.c
 *	  cmocka tests for extension/errfmt.c: the reason initdata.c and jwt.c
 *	  write when they refuse a token, formatted, truncated to the buffer,
 *	  and not written at all into a buffer of size 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "errfmt.h"

/* Calls cos_format_error with a variable argument list, as Fail() does. */
static void
Format(char *errbuf, size_t errlen, const char *fmt,...)
__attribute__((format(printf, 3, 4)));

static void
Format(char *errbuf, size_t errlen, const char *fmt,...)
{
	va_list		ap;

	va_start(ap, fmt);
	cos_format_error(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* The reason is formatted printf-style. */
static void
test_formats(void **state)
{
	char		buf[64];

	Format(buf, sizeof(buf), "field %s given %d times", "user", 2);
	assert_string_equal(buf, "field user given 2 times");
}

/* A long reason is cut to the buffer and stays NUL-terminated. */
static void
test_truncates(void **state)
{
	char		buf[8];

	memset(buf, 'x', sizeof(buf));
	Format(buf, sizeof(buf), "the JWT has %s", "expired");
	assert_string_equal(buf, "the JWT");
}

/* errlen 0: nothing is written, so the buffer may be NULL. */
static void
test_zero_length(void **state)
{
	char		buf[4] = "abc";

	Format(buf, 0, "%s", "out of memory");
	assert_string_equal(buf, "abc");
	Format(NULL, 0, "%s", "out of memory");
}

/* Run the errfmt tests */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_truncates),
		cmocka_unit_test(test_zero_length),
	};

	return cmocka_run_group_tests_name("errfmt", tests, NULL, NULL);
}

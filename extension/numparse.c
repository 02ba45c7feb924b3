/*
 * numparse.c
 *	  Counters as platforms print them, and ISO 8601 times and durations.
 *
 * Every scan is bounded by the length it is given; no input is assumed to
 * be NUL-terminated.  Pure C: never includes postgres.h.
 */
#include "numparse.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

/* Most digit runs a counter may have ("1,234,567,890,123,456,789" has 7) */
#define MAX_RUNS 8

/* Seconds of 0001-01-01T00:00:00Z and 9999-12-31T23:59:59Z */
#define MIN_ISO_SECS (-62135596800LL)
#define MAX_ISO_SECS 253402300799LL

typedef enum SepKind
{
	SEP_COMMA,
	SEP_DOT,
	SEP_SPACE
} SepKind;

/* One run of digits inside a counter, and the separator before it */
typedef struct DigitRun
{
	size_t		start;
	size_t		len;
	SepKind		sep;			/* meaningless for the first run */
} DigitRun;

/* Length of the blank at s[i] (ASCII blank, NBSP, narrow NBSP, thin space) */
static size_t
BlankLen(const unsigned char *s, size_t len, size_t i)
{
	if (i >= len)
		return 0;
	if (s[i] == ' ' || s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		return 1;
	if (i + 1 < len && s[i] == 0xC2 && s[i + 1] == 0xA0)
		return 2;
	if (i + 2 < len && s[i] == 0xE2 && s[i + 1] == 0x80 &&
		(s[i + 2] == 0xAF || s[i + 2] == 0x89))
		return 3;
	return 0;
}

/* Length of a thousands/decimal separator at s[i], 0 if none; sets *kind */
static size_t
SeparatorLen(const unsigned char *s, size_t len, size_t i, SepKind *kind)
{
	size_t		n;

	if (i >= len)
		return 0;
	if (s[i] == ',')
	{
		*kind = SEP_COMMA;
		return 1;
	}
	if (s[i] == '.')
	{
		*kind = SEP_DOT;
		return 1;
	}
	if (s[i] == '\t' || s[i] == '\n' || s[i] == '\r')
		return 0;
	n = BlankLen(s, len, i);
	if (n > 0)
		*kind = SEP_SPACE;
	return n;
}

/* True when s[i] is an ASCII digit */
static inline bool
IsDigitAt(const unsigned char *s, size_t len, size_t i)
{
	return i < len && s[i] >= '0' && s[i] <= '9';
}

/* True when s[i] is an ASCII letter */
static inline bool
IsAlphaAt(const unsigned char *s, size_t len, size_t i)
{
	return i < len && ((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z'));
}

/* Append the digits of run to *acc (acc = acc * 10^len + run), checking overflow */
static bool
AccumulateRun(const unsigned char *s, const DigitRun *run, long long *acc)
{
	for (size_t k = 0; k < run->len; k++)
	{
		if (__builtin_mul_overflow(*acc, 10LL, acc) ||
			__builtin_add_overflow(*acc, (long long) (s[run->start + k] - '0'), acc))
			return false;
	}
	return true;
}

/*
 * cos_parse_count: see numparse.h.  Grammar: blanks, digit runs joined by
 * single separators, an optional K/M/B suffix (optionally after one blank),
 * then the end or a blank followed by anything.
 */
bool
cos_parse_count(const char *str, size_t len, long long *out)
{
	const unsigned char *s = (const unsigned char *) str;
	DigitRun	runs[MAX_RUNS];
	int			nruns = 0;
	size_t		i = 0;
	size_t		n;
	long long	mult = 1;
	int			decimal = -1;	/* index of the fractional run, if any */
	long long	value = 0;

	if (s == NULL)
		return false;
	while ((n = BlankLen(s, len, i)) > 0)
		i += n;
	if (!IsDigitAt(s, len, i))
		return false;

	/* digit runs and the separators between them */
	for (;;)
	{
		SepKind		kind = SEP_COMMA;
		size_t		start = i;

		while (IsDigitAt(s, len, i))
			i++;
		runs[nruns].start = start;
		runs[nruns].len = i - start;
		nruns++;
		n = SeparatorLen(s, len, i, &kind);
		if (n == 0 || !IsDigitAt(s, len, i + n))
			break;
		if (nruns == MAX_RUNS)
			return false;
		runs[nruns].sep = kind;
		i += n;
	}

	/* optional K / M / B, directly or after one blank, not starting a word */
	{
		size_t		j = i + BlankLen(s, len, i);

		if (j < len && !IsAlphaAt(s, len, j + 1))
		{
			switch (s[j])
			{
				case 'K':
				case 'k':
					mult = 1000LL;
					break;
				case 'M':
				case 'm':
					mult = 1000000LL;
					break;
				case 'B':
				case 'b':
					mult = 1000000000LL;
					break;
				default:
					break;
			}
			if (mult > 1)
				i = j + 1;
		}
	}

	/* what follows must be nothing, or a blank (then any words) */
	if (i < len && BlankLen(s, len, i) == 0)
		return false;

	/* with a suffix, the last separator may be a decimal point */
	if (mult > 1 && nruns > 1)
	{
		DigitRun   *last = &runs[nruns - 1];

		if (last->sep == SEP_DOT ||
			(last->sep == SEP_COMMA && nruns == 2 && last->len != 3))
			decimal = nruns - 1;
	}

	/* the other separators group thousands: same kind, 1-3 then 3 digits */
	{
		int			nint = (decimal >= 0) ? decimal : nruns;

		if (nint > 1)
		{
			if (runs[0].len > 3)
				return false;
			for (int r = 1; r < nint; r++)
			{
				if (runs[r].len != 3 || runs[r].sep != runs[1].sep)
					return false;
				if (decimal >= 0 && runs[r].sep == runs[decimal].sep)
					return false;
			}
		}
		for (int r = 0; r < nint; r++)
		{
			if (!AccumulateRun(s, &runs[r], &value))
				return false;
		}
	}

	if (__builtin_mul_overflow(value, mult, &value))
		return false;

	if (decimal >= 0)
	{
		DigitRun	frac = runs[decimal];
		long long	fval = 0;
		long long	scale = 1;

		/* mult <= 10^9, so digits past the ninth never change the result */
		if (frac.len > 9)
			frac.len = 9;
		if (!AccumulateRun(s, &frac, &fval))
			return false;
		for (size_t k = 0; k < frac.len; k++)
			scale *= 10;
		if (__builtin_add_overflow(value, fval * mult / scale, &value))
			return false;
	}

	*out = value;
	return true;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm) */
static long long
DaysFromCivil(long long y, int m, int d)
{
	long long	era;
	long long	yoe;
	long long	doy;
	long long	doe;

	y -= (m <= 2);
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* Date of a day count since 1970-01-01 (inverse of DaysFromCivil) */
static void
CivilFromDays(long long z, long long *y, int *m, int *d)
{
	long long	era;
	long long	doe;
	long long	yoe;
	long long	doy;
	long long	mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int) (doy - (153 * mp + 2) / 5 + 1);
	*m = (int) (mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* Days in month m of year y */
static int
DaysInMonth(long long y, int m)
{
	static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return days[m - 1];
}

/* cos_unix_to_iso: see numparse.h */
bool
cos_unix_to_iso(long long secs, char *buf, size_t buflen)
{
	long long	days;
	long long	rem;
	long long	y;
	int			m;
	int			d;

	if (buf == NULL || buflen < COS_ISO_UTC_SIZE)
		return false;
	if (secs < MIN_ISO_SECS || secs > MAX_ISO_SECS)
		return false;
	days = secs / 86400;
	rem = secs % 86400;
	if (rem < 0)
	{
		rem += 86400;
		days--;
	}
	CivilFromDays(days, &y, &m, &d);
	snprintf(buf, buflen, "%04lld-%02d-%02dT%02d:%02d:%02dZ",
			 y, m, d, (int) (rem / 3600), (int) (rem / 60 % 60), (int) (rem % 60));
	return true;
}

/* Read exactly n ASCII digits at s[*pos] into *out and advance *pos */
static bool
FixedDigits(const char *s, size_t len, size_t *pos, int n, int *out)
{
	int			v = 0;

	if (*pos + (size_t) n > len)
		return false;
	for (int k = 0; k < n; k++)
	{
		char		c = s[*pos + k];

		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*pos += n;
	*out = v;
	return true;
}

/* Consume the character c at s[*pos] if it is there */
static inline bool
Expect(const char *s, size_t len, size_t *pos, char c)
{
	if (*pos < len && s[*pos] == c)
	{
		(*pos)++;
		return true;
	}
	return false;
}

/* cos_iso_to_unix: see numparse.h */
bool
cos_iso_to_unix(const char *s, size_t len, long long *out)
{
	size_t		pos = 0;
	int			year,
				mon,
				day;
	int			hh = 0,
				mi = 0,
				ss = 0;
	long long	offset = 0;

	if (s == NULL)
		return false;
	if (!FixedDigits(s, len, &pos, 4, &year) || !Expect(s, len, &pos, '-') ||
		!FixedDigits(s, len, &pos, 2, &mon) || !Expect(s, len, &pos, '-') ||
		!FixedDigits(s, len, &pos, 2, &day))
		return false;
	if (year < 1 || mon < 1 || mon > 12 || day < 1 || day > DaysInMonth(year, mon))
		return false;

	if (pos < len && (s[pos] == 'T' || s[pos] == 't' || s[pos] == ' '))
	{
		pos++;
		if (!FixedDigits(s, len, &pos, 2, &hh) || !Expect(s, len, &pos, ':') ||
			!FixedDigits(s, len, &pos, 2, &mi))
			return false;
		if (Expect(s, len, &pos, ':'))
		{
			if (!FixedDigits(s, len, &pos, 2, &ss))
				return false;
			if (pos < len && (s[pos] == '.' || s[pos] == ','))
			{
				pos++;
				if (pos >= len || s[pos] < '0' || s[pos] > '9')
					return false;
				while (pos < len && s[pos] >= '0' && s[pos] <= '9')
					pos++;
			}
		}
		if (hh > 23 || mi > 59 || ss > 60)
			return false;

		if (pos < len && (s[pos] == 'Z' || s[pos] == 'z'))
			pos++;
		else if (pos < len && (s[pos] == '+' || s[pos] == '-'))
		{
			int			sign = (s[pos] == '-') ? -1 : 1;
			int			oh,
						om = 0;

			pos++;
			if (!FixedDigits(s, len, &pos, 2, &oh))
				return false;
			if (Expect(s, len, &pos, ':'))
			{
				if (!FixedDigits(s, len, &pos, 2, &om))
					return false;
			}
			else if (pos < len && !FixedDigits(s, len, &pos, 2, &om))
				return false;
			if (oh > 23 || om > 59)
				return false;
			offset = sign * (oh * 3600LL + om * 60LL);
		}
	}
	if (pos != len)
		return false;

	*out = DaysFromCivil(year, mon, day) * 86400LL + hh * 3600LL + mi * 60LL + ss - offset;
	return true;
}

/* cos_iso_to_utc: see numparse.h */
bool
cos_iso_to_utc(const char *s, size_t len, char *buf, size_t buflen)
{
	long long	secs;

	return cos_iso_to_unix(s, len, &secs) && cos_unix_to_iso(secs, buf, buflen);
}

/* cos_parse_iso_duration: see numparse.h */
bool
cos_parse_iso_duration(const char *s, size_t len, long long *out)
{
	static const char date_units[] = "WD";
	static const char time_units[] = "HMS";
	static const long long date_secs[] = {604800, 86400};
	static const long long time_secs[] = {3600, 60, 1};
	size_t		pos = 0;
	long long	total = 0;
	bool		in_time = false;
	int			next_unit = 0;	/* units must come in order, once each */
	int			parts = 0;
	int			time_parts = 0;

	if (s == NULL || !Expect(s, len, &pos, 'P'))
		return false;

	while (pos < len)
	{
		long long	n = 0;
		bool		frac = false;
		const char *units = in_time ? time_units : date_units;
		const long long *secs = in_time ? time_secs : date_secs;
		const char *u;
		long long	part;

		if (s[pos] == 'T' && !in_time)
		{
			in_time = true;
			next_unit = 0;
			pos++;
			continue;
		}
		if (pos >= len || s[pos] < '0' || s[pos] > '9')
			return false;
		while (pos < len && s[pos] >= '0' && s[pos] <= '9')
		{
			if (__builtin_mul_overflow(n, 10LL, &n) ||
				__builtin_add_overflow(n, (long long) (s[pos] - '0'), &n))
				return false;
			pos++;
		}
		if (pos < len && (s[pos] == '.' || s[pos] == ','))
		{
			frac = true;
			pos++;
			while (pos < len && s[pos] >= '0' && s[pos] <= '9')
				pos++;
		}
		if (pos >= len)
			return false;
		u = memchr(units, s[pos], strlen(units));
		if (u == NULL || (int) (u - units) < next_unit)
			return false;
		/* only the last unit (seconds) may carry a fraction */
		if (frac && !(in_time && *u == 'S'))
			return false;
		next_unit = (int) (u - units) + 1;
		pos++;
		if (__builtin_mul_overflow(n, secs[u - units], &part) ||
			__builtin_add_overflow(total, part, &total))
			return false;
		parts++;
		if (in_time)
			time_parts++;
	}
	if (parts == 0 || (in_time && time_parts == 0))
		return false;
	*out = total;
	return true;
}

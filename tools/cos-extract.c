/*
 * cos-extract.c
 *	  Run the Cos extractors on a saved response body, outside Postgres.
 *
 *	  usage: cos-extract URL FILE      (FILE "-" reads standard input)
 *
 * Prints the result (extract.h) as one line of compact JSON.  Exit status:
 * 0 for any status but "error", 1 for "error", 2 for usage errors and
 * unreadable input.  At most 64 MB of input is read; a longer body is cut
 * there (as the fetch workers cap bodies) with a warning on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extract.h"

#define MAX_INPUT (64 * 1024 * 1024)

/* Read up to MAX_INPUT bytes of f into a new buffer; NULL on read error */
static char *
ReadAll(FILE *f, size_t *len, int *cut)
{
	size_t		cap = 1 << 16;
	size_t		used = 0;
	char	   *buf = malloc(cap);

	*cut = 0;
	if (buf == NULL)
		return NULL;
	for (;;)
	{
		size_t		n;

		if (used == cap)
		{
			size_t		ncap = cap * 2;
			char	   *nbuf;

			if (ncap > MAX_INPUT + 1)
				ncap = MAX_INPUT + 1;
			nbuf = realloc(buf, ncap);
			if (nbuf == NULL)
			{
				free(buf);
				return NULL;
			}
			buf = nbuf;
			cap = ncap;
		}
		n = fread(buf + used, 1, cap - used, f);
		used += n;
		if (used > MAX_INPUT)
		{
			used = MAX_INPUT;
			*cut = 1;
			break;
		}
		if (n == 0)
		{
			if (ferror(f))
			{
				free(buf);
				return NULL;
			}
			break;
		}
	}
	*len = used;
	return buf;
}

/* Entry point: see the file header */
int
main(int argc, char **argv)
{
	const char *url;
	const char *path;
	FILE	   *f;
	char	   *body;
	size_t		len = 0;
	int			cut = 0;
	json_t	   *result;
	char	   *out;
	const char *status;
	int			rc;

	if (argc != 3)
	{
		fprintf(stderr, "usage: %s URL FILE\n"
				"  Extract counters from a saved response body (FILE \"-\" = stdin).\n",
				argc > 0 ? argv[0] : "cos-extract");
		return 2;
	}
	url = argv[1];
	path = argv[2];

	if (strcmp(path, "-") == 0)
		f = stdin;
	else if ((f = fopen(path, "rb")) == NULL)
	{
		fprintf(stderr, "cos-extract: cannot open \"%s\": %s\n", path, strerror(errno));
		return 2;
	}
	body = ReadAll(f, &len, &cut);
	if (body == NULL)
	{
		fprintf(stderr, "cos-extract: cannot read \"%s\": %s\n", path,
				errno ? strerror(errno) : "read error");
		if (f != stdin)
			fclose(f);
		return 2;
	}
	if (f != stdin)
		fclose(f);
	if (cut)
		fprintf(stderr, "cos-extract: warning: input longer than %d MB, using the first %d MB\n",
				MAX_INPUT >> 20, MAX_INPUT >> 20);

	result = cos_extract(url, body, len);
	free(body);
	if (result == NULL)
	{
		fprintf(stderr, "cos-extract: out of memory\n");
		return 1;
	}
	out = json_dumps(result, JSON_COMPACT);
	if (out == NULL)
	{
		json_decref(result);
		fprintf(stderr, "cos-extract: out of memory\n");
		return 1;
	}
	puts(out);
	free(out);

	status = json_string_value(json_object_get(result, "status"));
	rc = (status == NULL || strcmp(status, "error") == 0) ? 1 : 0;
	json_decref(result);
	return rc;
}

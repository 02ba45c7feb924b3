/*
 * extract.c
 *	  Speed of the extractors on the captured fixtures.
 *
 *	  usage: extract [FIXTURES_DIR [SECONDS]]
 *
 * For every file of FIXTURES_DIR/<platform>/ (default test/fixtures; the
 * platform is the directory's name; SOURCES.md and dot files are skipped),
 * runs cos_extract_for(platform, url, body, len) in a loop for SECONDS
 * (default 1) and at least MIN_ITERATIONS times, with url the address the
 * fixture was captured from (test/fixtures/SOURCES.md) or, for a file not
 * listed below, a representative address of its document family.  Prints
 * one row per fixture: bytes, documents and megabytes (10^6 bytes) per
 * second, and the status of the result.  A fixture a video job reads one
 * item of (a t.me/s/ page answering a post's job) gets a second row, "(post
 * ID)", timed through cos_extract_for_target as the fetch worker calls it.
 * Figures only: the exit status is
 * 0 unless a fixture cannot be read.  Built and run by bench/extract.sh.
 *
 * Pure C: never includes postgres.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "extract.h"

#define MIN_ITERATIONS 20
#define MAX_PATH 4096

/* The URL a fixture was fetched from: exact files, then name patterns */
typedef struct FixtureUrl
{
	CosPlatform platform;
	const char *name;			/* the file name contains this */
	const char *url;
} FixtureUrl;

/* Fixtures a video job reads one item of, and that item */
static const struct
{
	CosPlatform platform;
	const char *name;			/* the file name contains this */
	const char *target;
}			job_targets[] = {
	{COS_TELEGRAM, "tme_s_walterbloomberg", "walterbloomberg/22898"},
	/* the page a job for durov/37 fetches: /s/durov?before=38 */
	{COS_TELEGRAM, "tme_s_durov_before38", "durov/37"},
	{COS_PLATFORM_NONE, NULL, NULL}
};

static const FixtureUrl fixture_urls[] = {
	/* the captures of test/fixtures, as SOURCES.md gives their addresses */
	{COS_TIKTOK, "user_novix.ht", "https://www.tiktok.com/@novix.ht"},
	{COS_TIKTOK, "video_desktop_7526770564367748360",
	"https://www.tiktok.com/@dangthuhaf/video/7526770564367748360"},
	{COS_TIKTOK, "video_mobile_reflow_7585124257601162516",
	"https://www.tiktok.com/@emlyreview/video/7585124257601162516"},
	{COS_TIKTOK, "video_unavailable_statuscode_10204",
	"https://www.tiktok.com/@dudeperfect/video/7276437262283859205"},
	{COS_YOUTUBE, "watch_GJLlxj_dtq8", "https://www.youtube.com/watch?v=GJLlxj_dtq8"},
	{COS_YOUTUBE, "api_videos_list",
	"https://www.googleapis.com/youtube/v3/videos?part=snippet,contentDetails,status,statistics&id=D-lhorsDlUQ"},
	{COS_YOUTUBE, "api_channels_list",
	"https://www.googleapis.com/youtube/v3/channels?part=snippet,contentDetails,statistics,brandingSettings&id=UCK8sQmJBp8GCxrOtXWBpyEA,UC_x5XG1OV2P6uZZ5FSM9Ttw"},
	{COS_YOUTUBE, "api_playlistItems_list",
	"https://www.googleapis.com/youtube/v3/playlistItems?part=snippet&playlistId=PLOU2XLYxmsIKpaV8h0AGE05so0fAwwfTw"},
	{COS_INSTAGRAM, "web_profile_info_robertdowneyjr",
	"https://i.instagram.com/api/v1/users/web_profile_info/?username=robertdowneyjr"},
	{COS_INSTAGRAM, "media_info_CAG3E8-A3wf",
	"https://www.instagram.com/p/CAG3E8-A3wf/?__a=1&__d=dis"},
	{COS_TELEGRAM, "tme_s_walterbloomberg", "https://t.me/s/walterbloomberg"},
	{COS_TELEGRAM, "tme_s_durov_before38", "https://t.me/s/durov?before=38"},
	{COS_TELEGRAM, "tme_durov_channel_page", "https://t.me/durov"},

	/* any other file, by the family its name says */
	{COS_TIKTOK, "user_", "https://www.tiktok.com/@x"},
	{COS_TIKTOK, "", "https://www.tiktok.com/@x/video/7526770564367748360"},
	{COS_YOUTUBE, "api_channels", "https://www.googleapis.com/youtube/v3/channels?id=x"},
	{COS_YOUTUBE, "api_playlistItems",
	"https://www.googleapis.com/youtube/v3/playlistItems?playlistId=x"},
	{COS_YOUTUBE, "api_", "https://www.googleapis.com/youtube/v3/videos?id=x"},
	{COS_YOUTUBE, "", "https://www.youtube.com/watch?v=GJLlxj_dtq8"},
	{COS_INSTAGRAM, "graphql", "https://www.instagram.com/graphql/query"},
	{COS_INSTAGRAM, "media_", "https://i.instagram.com/api/v1/media/1/info/"},
	{COS_INSTAGRAM, "",
	"https://i.instagram.com/api/v1/users/web_profile_info/?username=x"},
	{COS_LIKEE, "getSquareVideos",
	"https://api.like-video.com/likee-activity-flow-micro/videoApi/getSquareVideos"},
	{COS_LIKEE, "getVideoInfo",
	"https://api.like-video.com/likee-activity-flow-micro/videoApi/getVideoInfo"},
	{COS_LIKEE, "",
	"https://api.like-video.com/likee-activity-flow-micro/videoApi/getUserVideo"},
	{COS_TELEGRAM, "_s_", "https://t.me/s/durov"},
	{COS_TELEGRAM, "", "https://t.me/durov"},
	{COS_PLATFORM_NONE, NULL, NULL}
};

/* Seconds on the monotonic clock */
static double
Now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

/* The URL for fixture name of platform: the first entry that matches */
static const char *
UrlFor(CosPlatform platform, const char *name)
{
	for (const FixtureUrl *f = fixture_urls; f->name != NULL; f++)
	{
		if (f->platform == platform && strstr(name, f->name) != NULL)
			return f->url;
	}
	return "";
}

/* The item a video job wants of fixture name, or NULL */
static const char *
TargetFor(CosPlatform platform, const char *name)
{
	for (int i = 0; job_targets[i].name != NULL; i++)
	{
		if (job_targets[i].platform == platform && strstr(name, job_targets[i].name) != NULL)
			return job_targets[i].target;
	}
	return NULL;
}

/* Whole content of path in a new buffer (*len bytes); NULL on error */
static char *
ReadFile(const char *path, size_t *len)
{
	FILE	   *f;
	struct stat st;
	char	   *buf;

	errno = 0;
	if ((f = fopen(path, "rb")) == NULL)
		return NULL;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
		(buf = malloc((size_t) st.st_size + 1)) == NULL)
	{
		if (errno == 0)
			errno = EISDIR;
		fclose(f);
		return NULL;
	}
	*len = fread(buf, 1, (size_t) st.st_size, f);
	if (ferror(f) || *len != (size_t) st.st_size)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* qsort comparator of directory entry names */
static int
CompareNames(const void *a, const void *b)
{
	return strcmp(*(const char *const *) a, *(const char *const *) b);
}

/* Sorted names of the entries of dir, without dot files and SOURCES.md */
static char **
ListDir(const char *dir, size_t *n)
{
	DIR		   *d = opendir(dir);
	struct dirent *e;
	char	  **names = NULL;
	size_t		cap = 0;

	*n = 0;
	if (d == NULL)
		return NULL;
	while ((e = readdir(d)) != NULL)
	{
		if (e->d_name[0] == '.' || strcmp(e->d_name, "SOURCES.md") == 0)
			continue;
		if (*n == cap)
		{
			char	  **grown;

			cap = cap ? 2 * cap : 32;
			grown = realloc(names, cap * sizeof(*names));
			if (grown == NULL)
				break;
			names = grown;
		}
		if ((names[*n] = strdup(e->d_name)) != NULL)
			(*n)++;
	}
	closedir(d);
	if (names != NULL)
		qsort(names, *n, sizeof(*names), CompareNames);
	return names;
}

/* Free a list from ListDir */
static void
FreeList(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/*
 * Time one fixture and print its row (with target, the item a video job
 * wants: cos_extract_for_target); false when it cannot be read.  The status
 * is that of the first run.
 */
static bool
BenchOne(CosPlatform platform, const char *dir, const char *pname,
		 const char *name, double seconds, const char *target)
{
	char		path[MAX_PATH];
	char		label[MAX_PATH];
	char		status[32];
	const char *url = UrlFor(platform, name);
	size_t		len;
	char	   *body;
	json_t	   *result;
	long		iterations = 0;
	double		start;
	double		elapsed;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, pname, name);
	if (target != NULL)
		snprintf(label, sizeof(label), "%s/%s (post %s)", pname, name, target);
	else
		snprintf(label, sizeof(label), "%s/%s", pname, name);
	if ((body = ReadFile(path, &len)) == NULL)
	{
		fprintf(stderr, "extract: cannot read %s: %s\n", path, strerror(errno));
		return false;
	}

	/* one untimed run: the status, and caches warmed */
	result = cos_extract_for_target(platform, url, body, len, target);
	snprintf(status, sizeof(status), "%s",
			 json_string_value(json_object_get(result, "status")) ?
			 json_string_value(json_object_get(result, "status")) : "(none)");
	json_decref(result);

	start = Now();
	do
	{
		json_decref(cos_extract_for_target(platform, url, body, len, target));
		iterations++;
		elapsed = Now() - start;
	} while (iterations < MIN_ITERATIONS || elapsed < seconds);

	printf("%-66s %10zu %10.0f %9.1f  %s\n", label, len,
		   (double) iterations / elapsed,
		   (double) len * (double) iterations / elapsed / 1e6, status);
	fflush(stdout);
	free(body);
	return true;
}

/* Entry point: see the file header */
int
main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "test/fixtures";
	double		seconds = argc > 2 ? atof(argv[2]) : 1.0;
	char	  **platforms;
	size_t		nplatforms;
	int			failed = 0;

	if (argc > 3 || seconds <= 0)
	{
		fprintf(stderr, "usage: %s [FIXTURES_DIR [SECONDS]]\n", argv[0]);
		return 2;
	}
	if ((platforms = ListDir(dir, &nplatforms)) == NULL)
	{
		fprintf(stderr, "extract: cannot list %s: %s\n", dir, strerror(errno));
		return 1;
	}

	printf("cos_extract_for (rows \"(post ...)\": cos_extract_for_target) on %s, %g s and at least %d runs per fixture\n\n",
		   dir, seconds, MIN_ITERATIONS);
	printf("%-66s %10s %10s %9s  %s\n", "fixture", "bytes", "docs/s", "MB/s", "status");
	for (size_t p = 0; p < nplatforms; p++)
	{
		CosPlatform platform = cos_platform_from_name(platforms[p]);
		char		sub[MAX_PATH];
		char	  **files;
		size_t		nfiles;

		snprintf(sub, sizeof(sub), "%s/%s", dir, platforms[p]);
		if (platform == COS_PLATFORM_NONE)
		{
			fprintf(stderr, "extract: skipping %s (not a platform)\n", sub);
			continue;
		}
		if ((files = ListDir(sub, &nfiles)) == NULL)
			continue;
		for (size_t f = 0; f < nfiles; f++)
		{
			const char *target = TargetFor(platform, files[f]);

			if (!BenchOne(platform, dir, platforms[p], files[f], seconds, NULL))
				failed = 1;
			else if (target != NULL &&
					 !BenchOne(platform, dir, platforms[p], files[f], seconds, target))
				failed = 1;
		}
		FreeList(files, nfiles);
	}
	FreeList(platforms, nplatforms);
	printf("\nMB/s: 10^6 bytes of body per second; status: the result's \"status\"\n");
	return failed;
}

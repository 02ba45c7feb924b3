/*
 * unit_util.h
 *	  Helpers shared by the cmocka unit tests: reading the captured fixtures
 *	  and checking the shape and values of extractor results.
 *
 * Include after <cmocka.h>.  The fixtures directory comes from the
 * environment variable COS_FIXTURES (the Makefile sets it); without it the
 * tests look in ../fixtures and test/fixtures.
 */
#ifndef COS_UNIT_UTIL_H
#define COS_UNIT_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

/* Read a whole file into a new buffer (not NUL-terminated); NULL if unreadable */
static inline char *
unit_read_file(const char *path, size_t *len)
{
	FILE	   *f = fopen(path, "rb");
	char	   *buf;
	long		size;

	if (f == NULL)
		return NULL;
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0)
	{
		fclose(f);
		return NULL;
	}
	/* malloc(0) may return NULL; keep one spare byte */
	buf = malloc((size_t) size + 1);
	if (buf == NULL || fread(buf, 1, (size_t) size, f) != (size_t) size)
	{
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t) size;
	return buf;
}

/*
 * Read fixture rel (e.g. "tiktok/user_novix.ht.html") from the fixtures
 * directory; fails the running test when it cannot.  The buffer is exactly
 * *len bytes of malloc'd memory, so reads past the end show in valgrind.
 */
static inline char *
unit_read_fixture(const char *rel, size_t *len)
{
	const char *dirs[] = {getenv("COS_FIXTURES"), "../fixtures", "test/fixtures"};
	char		path[4096];

	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
	{
		char	   *buf;
		char	   *exact;

		if (dirs[i] == NULL)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dirs[i], rel);
		buf = unit_read_file(path, len);
		if (buf == NULL)
			continue;
		exact = malloc(*len ? *len : 1);
		assert_non_null(exact);
		memcpy(exact, buf, *len);
		free(buf);
		return exact;
	}
	fail_msg("cannot read fixture %s (set COS_FIXTURES to test/fixtures)", rel);
	return NULL;
}

/* The n-th element of result[key] ("videos" or "channels"); fails if absent */
static inline json_t *
unit_item(const json_t *result, const char *key, size_t n)
{
	json_t	   *arr = json_object_get(result, key);
	json_t	   *item;

	assert_true(json_is_array(arr));
	item = json_array_get(arr, n);
	if (item == NULL)
		fail_msg("%s has no element %zu (size %zu)", key, n, json_array_size(arr));
	return item;
}

/* obj[key] is the JSON integer expected */
#define assert_json_int(obj, key, expected) \
	do { \
		json_t *v_ = json_object_get((obj), (key)); \
		if (!json_is_integer(v_)) \
			fail_msg("%s: expected integer %lld, got %s", (key), (long long) (expected), \
					 v_ == NULL ? "no key" : json_is_null(v_) ? "null" : "another type"); \
		assert_int_equal(json_integer_value(v_), (expected)); \
	} while (0)

/* obj[key] is the JSON string expected */
#define assert_json_str(obj, key, expected) \
	do { \
		json_t *v_ = json_object_get((obj), (key)); \
		if (!json_is_string(v_)) \
			fail_msg("%s: expected string \"%s\"", (key), (expected)); \
		assert_string_equal(json_string_value(v_), (expected)); \
	} while (0)

/* obj[key] is a JSON string starting with prefix */
#define assert_json_prefix(obj, key, prefix) \
	do { \
		json_t *v_ = json_object_get((obj), (key)); \
		if (!json_is_string(v_) || strncmp(json_string_value(v_), (prefix), strlen(prefix)) != 0) \
			fail_msg("%s: expected a string starting \"%s\"", (key), (prefix)); \
	} while (0)

/* obj has key, and it is null */
#define assert_json_null(obj, key) \
	do { \
		json_t *v_ = json_object_get((obj), (key)); \
		if (v_ == NULL) \
			fail_msg("%s: key missing", (key)); \
		if (!json_is_null(v_)) \
			fail_msg("%s: expected null", (key)); \
	} while (0)

/* True when s is "YYYY-MM-DDTHH:MM:SSZ" */
static inline bool
unit_is_iso_utc(const char *s)
{
	static const char pattern[] = "dddd-dd-ddTdd:dd:ddZ";

	if (strlen(s) != sizeof(pattern) - 1)
		return false;
	for (size_t i = 0; pattern[i]; i++)
	{
		if (pattern[i] == 'd' ? (s[i] < '0' || s[i] > '9') : s[i] != pattern[i])
			return false;
	}
	return true;
}

/* obj has exactly the keys listed (n of them), plus the extra ones allowed */
static inline void
unit_check_keys(const json_t *obj, const char *const *keys, size_t n,
				const char *const *extra, size_t nextra)
{
	const char *k;
	json_t	   *v;

	assert_true(json_is_object(obj));
	for (size_t i = 0; i < n; i++)
	{
		if (json_object_get(obj, keys[i]) == NULL)
			fail_msg("key \"%s\" missing", keys[i]);
	}
	json_object_foreach((json_t *) obj, k, v)
	{
		bool		known = false;

		for (size_t i = 0; i < n && !known; i++)
			known = strcmp(k, keys[i]) == 0;
		for (size_t i = 0; i < nextra && !known; i++)
			known = strcmp(k, extra[i]) == 0;
		if (!known)
			fail_msg("unexpected key \"%s\"", k);
	}
}

/* key is null or a non-negative JSON integer */
static inline void
unit_check_counter(const json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	if (!(json_is_null(v) || (json_is_integer(v) && json_integer_value(v) >= 0)))
		fail_msg("counter \"%s\" is neither null nor a non-negative integer", key);
}

/* key is null or a non-empty string */
static inline void
unit_check_string(const json_t *obj, const char *key)
{
	json_t	   *v = json_object_get(obj, key);

	if (!(json_is_null(v) || (json_is_string(v) && json_string_length(v) > 0)))
		fail_msg("\"%s\" is neither null nor a non-empty string", key);
}

/*
 * result follows extract.h: the six keys, a known status, a reason exactly
 * when not ok, no items when not ok, and well-formed channels and videos.
 */
static inline void
unit_check_result(const json_t *result, const char *platform)
{
	static const char *const result_keys[] = {
		"status", "platform", "error", "channels", "videos", "next"
	};
	static const char *const channel_keys[] = {
		"id", "handle", "title", "followers", "likes", "views", "videos", "avatar_url"
	};
	static const char *const channel_extra[] = {"uploads"};
	static const char *const video_keys[] = {
		"id", "channel_id", "url", "title", "published_at", "duration_s",
		"thumbnail_url", "views", "likes", "comments", "shares", "saves"
	};
	const char *status;
	size_t		i;
	json_t	   *item;

	assert_non_null(result);
	unit_check_keys(result, result_keys, 6, NULL, 0);
	status = json_string_value(json_object_get(result, "status"));
	assert_non_null(status);
	if (platform != NULL)
		assert_json_str(result, "platform", platform);
	if (strcmp(status, "ok") == 0)
		assert_json_null(result, "error");
	else
	{
		if (strcmp(status, "unavailable") != 0 && strcmp(status, "private") != 0 &&
			strcmp(status, "blocked") != 0 && strcmp(status, "error") != 0)
			fail_msg("unknown status \"%s\"", status);
		unit_check_string(result, "error");
		assert_false(json_is_null(json_object_get(result, "error")));
		assert_int_equal(json_array_size(json_object_get(result, "videos")), 0);
		assert_int_equal(json_array_size(json_object_get(result, "channels")), 0);
	}
	unit_check_string(result, "next");
	json_array_foreach(json_object_get(result, "channels"), i, item)
	{
		unit_check_keys(item, channel_keys, 8, channel_extra, 1);
		assert_true(json_is_string(json_object_get(item, "id")));
		unit_check_string(item, "handle");
		unit_check_string(item, "title");
		unit_check_string(item, "avatar_url");
		unit_check_counter(item, "followers");
		unit_check_counter(item, "likes");
		unit_check_counter(item, "views");
		unit_check_counter(item, "videos");
	}
	json_array_foreach(json_object_get(result, "videos"), i, item)
	{
		json_t	   *pub = json_object_get(item, "published_at");

		unit_check_keys(item, video_keys, 12, NULL, 0);
		assert_true(json_is_string(json_object_get(item, "id")));
		unit_check_string(item, "channel_id");
		unit_check_string(item, "url");
		unit_check_string(item, "title");
		unit_check_string(item, "thumbnail_url");
		if (!json_is_null(pub) && !(json_is_string(pub) && unit_is_iso_utc(json_string_value(pub))))
			fail_msg("published_at is not YYYY-MM-DDTHH:MM:SSZ");
		unit_check_counter(item, "duration_s");
		unit_check_counter(item, "views");
		unit_check_counter(item, "likes");
		unit_check_counter(item, "comments");
		unit_check_counter(item, "shares");
		unit_check_counter(item, "saves");
	}
}

/* status of result */
static inline const char *
unit_status(const json_t *result)
{
	return json_string_value(json_object_get(result, "status"));
}

/* result is well-formed and its status is not "ok" */
#define assert_not_ok(result, platform) \
	do { \
		unit_check_result((result), (platform)); \
		if (strcmp(unit_status(result), "ok") == 0) \
			fail_msg("expected a non-ok status"); \
	} while (0)

/* result is well-formed and has status st */
#define assert_status(result, st) \
	do { \
		assert_non_null(result); \
		unit_check_result((result), NULL); \
		if (strcmp(unit_status(result), (st)) != 0) \
			fail_msg("expected status \"%s\", got \"%s\" (%s)", (st), unit_status(result), \
					 json_is_string(json_object_get((result), "error")) ? \
					 json_string_value(json_object_get((result), "error")) : "no reason"); \
	} while (0)

/* Deterministic pseudo-random bytes (xorshift), so failures reproduce */
static inline unsigned int
unit_rand(unsigned long long *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return (unsigned int) (*state >> 11);
}

/* Offset of needle in buf (len bytes), or (size_t) -1 */
static inline size_t
unit_find(const char *buf, size_t len, const char *needle)
{
	size_t		n = strlen(needle);

	for (size_t i = 0; n <= len && i <= len - n; i++)
	{
		if (memcmp(buf + i, needle, n) == 0)
			return i;
	}
	return (size_t) -1;
}

#endif							/* COS_UNIT_UTIL_H */

/*
 * initdata.h
 *	  Telegram Mini App initData: parsing and validation.
 *
 * Pure C: never includes postgres.h, unit-tested with cmocka.
 *
 * Format and rules: https://core.telegram.org/bots/webapps#validating-data-received-via-the-mini-app
 * initData is a query string (Telegram.WebApp.initData, the page passes it
 * unchanged).  It is decoded as application/x-www-form-urlencoded, as the
 * WHATWG URLSearchParams the page itself uses: pairs split on '&' (empty
 * pairs skipped), name and value split on the first '=' (none: value ""),
 * '+' is a space, %XX a byte, and a '%' not followed by two hex digits
 * stays a literal '%'.  Then
 *	  data_check_string = every field except "hash", sorted by name, as
 *						  "name=value" lines joined by '\n' (decoded values)
 *	  secret_key = HMAC-SHA256(key = "WebAppData", message = bot token)
 *	  valid iff hex(HMAC-SHA256(key = secret_key, data_check_string)) == hash
 * and auth_date (Unix seconds) is no older than the allowed age.
 */
#ifndef COS_INITDATA_H
#define COS_INITDATA_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

/* Why initData was refused. */
typedef enum CosInitDataError
{
	COS_INITDATA_OK = 0,
	COS_INITDATA_MALFORMED,		/* empty, a NUL byte, an empty name */
	COS_INITDATA_DUPLICATE,		/* one field name given twice */
	COS_INITDATA_NO_HASH,		/* no "hash" field */
	COS_INITDATA_BAD_HASH,		/* hash not 64 hex digits, or not the HMAC */
	COS_INITDATA_NO_AUTH_DATE,	/* auth_date missing or not a whole number */
	COS_INITDATA_EXPIRED,		/* auth_date older than max_age */
	COS_INITDATA_FUTURE,		/* auth_date more than the allowed skew ahead */
	COS_INITDATA_BAD_JSON,		/* user, receiver or chat is not a JSON object */
	COS_INITDATA_NO_TOKEN,		/* empty bot token */
	COS_INITDATA_NOMEM
} CosInitDataError;

/* Seconds auth_date may lie ahead of the server's clock (clock skew). */
#define COS_INITDATA_MAX_SKEW 300

/* Length of a hex SHA-256 HMAC, without the NUL. */
#define COS_HMAC_HEX_LEN 64

/*
 * cos_initdata_validate: validate init_data (len bytes, need not be
 * NUL-terminated) against bot_token, at time now (Unix seconds), allowing
 * auth_date to be at most max_age seconds old (max_age <= 0: no age check).
 * Hash first, then auth_date, as Telegram describes.
 *
 * Returns a new JSON object with every field except "hash": "auth_date" as
 * an integer; "user", "receiver" and "chat" parsed from their JSON text
 * (objects); every other field (query_id, start_param, chat_type,
 * chat_instance, can_send_after, signature, ...) as a string.  On failure
 * returns NULL, sets *err, and writes a one-line reason into errbuf (errlen
 * bytes, may be 0).  Duplicated field names are refused: the hash does not
 * say which copy was signed.
 */
extern json_t *cos_initdata_validate(const char *init_data, size_t len,
									 const char *bot_token, long long now,
									 long long max_age, CosInitDataError *err,
									 char *errbuf, size_t errlen);

/*
 * cos_initdata_hash: the hash Telegram would send for data_check_string dcs
 * (dcs_len bytes) and bot_token: 64 lower-case hex digits and a NUL into
 * hex (COS_HMAC_HEX_LEN + 1 bytes).  Returns false if HMAC fails.  Used by
 * the validator, by tests and by anyone signing test data.
 */
extern bool cos_initdata_hash(const char *bot_token, const char *dcs, size_t dcs_len,
							  char *hex);

/*
 * cos_form_decode: decode one application/x-www-form-urlencoded component
 * (s, len bytes) into a new NUL-terminated malloc'd string; *outlen gets its
 * length.  '+' -> space, %XX -> byte, a stray '%' stays.  Returns NULL when
 * out of memory or when the result would contain a NUL byte (%00).
 */
extern char *cos_form_decode(const char *s, size_t len, size_t *outlen);

#endif							/* COS_INITDATA_H */

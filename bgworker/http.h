/*
 * http.h
 *	  The HTTP gateway worker: one request as the event loop (http.c) hands
 *	  it to the database side (http_rpc.c), and the answer it gets back.
 */
#ifndef COS_HTTP_H
#define COS_HTTP_H

#include "postgres.h"

#include "access/tupdesc.h"
#include "lib/stringinfo.h"

/* The role of requests without credentials (the gateway logs in as cos.http_role). */
#define COS_ANON_ROLE "cos_anon"

/*
 * Longest Authorization header taken to the sign-in functions: initData is
 * 0.5 to 2 kB, a JWT a few hundred bytes.  A longer one is refused (401)
 * before any HMAC is computed.
 */
#define COS_HTTP_MAX_AUTHORIZATION 8192

/* Most bytes of each text (message, details, hint) an error body quotes. */
#define COS_HTTP_ERROR_QUOTE 500

/* One query-string argument of a GET request (decoded by libmicrohttpd). */
typedef struct CosHttpArg
{
	const char *name;
	const char *value;			/* NULL for "?name" without "=" */
} CosHttpArg;

/* One request, everything in cxt (deleted when libmicrohttpd is done). */
typedef struct CosHttpRequest
{
	MemoryContext cxt;
	const char *method;			/* "GET", "HEAD", "POST", "OPTIONS", ... */
	const char *path;			/* the URL path, decoded, no query string */
	const char *authorization;	/* Authorization header or NULL */
	const char *content_type;	/* Content-Type header or NULL */
	const char *if_none_match;	/* If-None-Match header or NULL */
	const char *accept_encoding;	/* Accept-Encoding header or NULL */
	const char *origin;			/* Origin header or NULL */
	CosHttpArg *args;			/* query string, in order */
	int			nargs;
	StringInfoData body;		/* request body, at most max_body */
	int			max_body;		/* cos.http_max_body, or cos.http_max_anon_body
								 * without an Authorization header */
	bool		answered;		/* a response has been queued */
	void	   *json;			/* parsed body (jansson json_t *), or NULL */
} CosHttpRequest;

/* An answer: status, body and the headers a route may add. */
typedef struct CosHttpResponse
{
	int			status;
	const char *content_type;	/* NULL: no Content-Type (204, 304) */
	const char *body;
	size_t		body_len;
	const char *allow;			/* Allow */
	const char *etag;			/* ETag */
	const char *cache_control;	/* Cache-Control */
	const char *www_authenticate;	/* WWW-Authenticate */
	const char *vary;			/* Vary (besides Origin, added for CORS) */
	const char *content_encoding;	/* Content-Encoding */
	const char *location;		/* Location (redirects) */
	bool		from_file;		/* the body is file_size bytes of file_fd */
	int			file_fd;		/* (closed once sent) */
	uint64		file_size;
	bool		close;			/* Connection: close, and close it */
} CosHttpResponse;

/*
 * cos_http_error: fill resp with status and a PostgREST error body
 * {"code","details","hint","message"} (NULL details or hint become JSON
 * null), each text cut to COS_HTTP_ERROR_QUOTE bytes (between two UTF-8
 * characters, "…" appended).  Allocates in the current memory context.
 */
extern void cos_http_error(CosHttpResponse *resp, int status, const char *code,
						   const char *message, const char *details, const char *hint);

/*
 * cos_http_rpc: answer GET/HEAD/POST /rpc/<fname> (fname decoded, any
 * string) in one transaction: authentication, role switch, the call of
 * cos_api.<fname> with named arguments, errors mapped as PostgREST does.
 * Never raises: every error becomes resp.
 */
extern void cos_http_rpc(CosHttpRequest *req, const char *fname, CosHttpResponse *resp);

/*
 * cos_http_upload: answer GET/HEAD /uploads/<name> from cos.uploads, with
 * Content-Type, ETag and immutable caching; 304 when If-None-Match matches.
 * Never raises.
 */
extern void cos_http_upload(CosHttpRequest *req, const char *name, CosHttpResponse *resp);

/*
 * cos_json_rows_supported: whether every column of a function's result row
 * (tupdesc) is of a type cos_json_rows writes (built-in scalars, json,
 * jsonb; not arrays, composites or types of extensions).
 * cos_json_rows: appends the n rows of tt as the JSON array of objects
 * json_agg(row) writes; errors from a type's output function propagate
 * (http_json.c).
 */
struct SPITupleTable;
extern bool cos_json_rows_supported(TupleDesc tupdesc);
extern void cos_json_rows(StringInfo out, struct SPITupleTable *tt, uint64 n);

/*
 * cos_http_static: answer GET/HEAD /app/<rel> (rel decoded, after "/app/")
 * with a file of the mini-app (cos.http_app_dir), index.html for a path
 * that names none; 404 for a path that would leave the directory.  Never
 * raises (http_static.c).
 */
extern void cos_http_static(CosHttpRequest *req, const char *rel, CosHttpResponse *resp);

/* cos_http_request_release: frees what req holds outside its context. */
extern void cos_http_request_release(CosHttpRequest *req);

#endif							/* COS_HTTP_H */

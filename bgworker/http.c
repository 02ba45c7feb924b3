/*
 * http.c
 *	  The HTTP gateway worker: libmicrohttpd in external-polling mode
 *	  (MHD_USE_EPOLL without any internal thread) driven from the worker's
 *	  own WaitEventSet, so every request is handled in this process's one
 *	  thread, where SPI and palloc are safe.  Routes:
 *
 *		POST /rpc/<fn>			cos_api.<fn> with a JSON object of named arguments
 *		GET|HEAD /rpc/<fn>?a=…	the same for STABLE / IMMUTABLE functions
 *		GET|HEAD /uploads/<sha256>	a stored upload (thumbnail)
 *		GET|HEAD /app/...		the mini-app's files (http_static.c)
 *		OPTIONS					CORS preflight (cos.http_cors_origin)
 *
 *	  The postmaster opens the listening socket on cos.http_listen once
 *	  (cos_http_open_listen_socket) and every gateway worker (cos.http_workers)
 *	  inherits it: whichever worker is waiting for work accepts the next
 *	  connection, and a worker busy with a request accepts none.
 *
 *	  Against hostile clients: each worker holds at most
 *	  cos.http_max_connections connections (below its open files limit,
 *	  raised to the hard one), cos.http_max_connections_per_client from one
 *	  address, each closed after cos.http_connection_timeout of silence;
 *	  a body stops at cos.http_max_body (cos.http_max_anon_body without
 *	  credentials); a request whose body a proxy could frame otherwise
 *	  (Content-Length with Transfer-Encoding, two Content-Lengths) is
 *	  refused and its connection closed.
 */
#include "postgres.h"

#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <microhttpd.h>

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_authid.h"
#include "catalog/pg_database.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/fd.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/syscache.h"

#include "cos.h"
#include "http.h"
#include "pgrst.h"

/* Longest wait between two MHD_run calls when libmicrohttpd names none. */
#define HTTP_IDLE_WAIT_MS 1000

/*
 * Freed memory glibc keeps in a gateway worker instead of handing it back
 * to the kernel (see KeepFreedMemory).
 */
#define HTTP_MALLOC_KEEP (64 * 1024 * 1024)

/* Wait between two checks of cos.http_role while it cannot log in. */
#define HTTP_ROLE_RETRY_MS 2000

/*
 * Descriptors a gateway worker needs besides connections and the server's
 * own files (max_safe_fds): standard streams, pipes to the postmaster and
 * the logger, the latch, epoll sets, the listening socket.
 */
#define HTTP_OTHER_FDS 64

/*
 * Most libmicrohttpd messages logged per window: a client can make it
 * write one per connection ("Server reached connection limit").
 */
#define HTTP_LOG_BURST 10
#define HTTP_LOG_WINDOW_S 10

static const char *const preflight_headers = "Authorization, Content-Type, Accept, Prefer, Range";

/*
 * Logs msg at LOG, at most HTTP_LOG_BURST lines per HTTP_LOG_WINDOW_S
 * seconds: the messages logged this way are one per connection or request,
 * and those are the client's to make.  Says when it starts leaving lines
 * out, and how many it left out once the next window has one.
 */
static void
LogLimited(const char *msg)
{
	static time_t window = 0;
	static int	logged = 0;
	static int	dropped = 0;
	time_t		now = time(NULL);

	if (now - window >= HTTP_LOG_WINDOW_S)
	{
		if (dropped > 0)
			ereport(LOG, (errmsg("cos http gateway: %d log lines about connections were left out",
								 dropped)));
		window = now;
		logged = 0;
		dropped = 0;
	}
	if (logged >= HTTP_LOG_BURST)
	{
		if (dropped++ == 0)
			ereport(LOG,
					(errmsg("cos http gateway: log lines about connections are left out for up to %d s",
							HTTP_LOG_WINDOW_S),
					 errdetail("At most %d are logged every %d s.", HTTP_LOG_BURST,
							   HTTP_LOG_WINDOW_S)));
		return;
	}
	logged++;
	ereport(LOG, (errmsg_internal("%s", msg)));
}

/*
 * The listening socket the postmaster opened on cos.http_listen for every
 * gateway worker (cos_http_open_listen_socket), inherited at fork; -1 when
 * it could not, and each worker binds its own.
 */
static int	http_listen_fd = -1;

/* Logs what libmicrohttpd reports (MHD_OPTION_EXTERNAL_LOGGER), limited. */
static void
MhdLog(void *cls, const char *fmt, va_list ap)
{
	char		buf[512];
	char		line[600];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	snprintf(line, sizeof(line), "cos http gateway: libmicrohttpd: %s", buf);
	LogLimited(line);
}

/* Collects one query-string argument (MHD_get_connection_values). */
static enum MHD_Result
CollectArg(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	CosHttpRequest *req = cls;

	req->args = repalloc(req->args, sizeof(CosHttpArg) * (req->nargs + 1));
	req->args[req->nargs].name = pstrdup(key);
	req->args[req->nargs].value = value != NULL ? pstrdup(value) : NULL;
	req->nargs++;
	return MHD_YES;
}

/* A header of the request copied into its context, or NULL. */
static const char *
Header(struct MHD_Connection *conn, const char *name)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);

	return v != NULL ? pstrdup(v) : NULL;
}

/* Sends resp with the headers every answer carries; false if MHD refused. */
static bool
Send(struct MHD_Connection *conn, CosHttpRequest *req, const CosHttpResponse *resp)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	if (resp->from_file)
	{
		/* libmicrohttpd sends the file (sendfile) and closes it */
		r = MHD_create_response_from_fd64(resp->file_size, resp->file_fd);
		if (r == NULL)
			close(resp->file_fd);
	}
	else
		r = MHD_create_response_from_buffer(resp->body_len, (void *) (resp->body ? resp->body : ""),
											MHD_RESPMEM_MUST_COPY);
	if (r == NULL)
		return false;
	if (resp->content_type != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp->content_type);
	if (resp->allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, resp->allow);
	if (resp->etag != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, resp->etag);
	if (resp->cache_control != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, resp->cache_control);
	if (resp->www_authenticate != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, resp->www_authenticate);
	if (resp->vary != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, resp->vary);
	if (resp->content_encoding != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, resp->content_encoding);
	if (resp->location != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_LOCATION, resp->location);
	if (resp->close)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONNECTION, "close");
	if (cos_cors_allowed(cos_http_cors_origin, req->origin))
	{
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, req->origin);
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
	}
	ok = MHD_queue_response(conn, resp->status, r);
	MHD_destroy_response(r);
	req->answered = true;
	return ok == MHD_YES;
}

/* OPTIONS: the methods a route takes, and CORS preflight headers. */
static bool
Preflight(struct MHD_Connection *conn, CosHttpRequest *req, const char *allow)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	r = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
	if (r == NULL)
		return false;
	MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	if (cos_cors_allowed(cos_http_cors_origin, req->origin))
	{
		MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, req->origin);
		MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, "Origin");
		MHD_add_response_header(r, "Access-Control-Allow-Methods", allow);
		MHD_add_response_header(r, "Access-Control-Allow-Headers", preflight_headers);
		MHD_add_response_header(r, "Access-Control-Max-Age", "86400");
	}
	ok = MHD_queue_response(conn, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	req->answered = true;
	return ok == MHD_YES;
}

/* Routes a complete request and sends the answer. */
static bool
Dispatch(struct MHD_Connection *conn, CosHttpRequest *req)
{
	CosHttpResponse resp;
	const char *m = req->method;
	bool		read = strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0;

	memset(&resp, 0, sizeof(resp));
	if (strncmp(req->path, "/rpc/", 5) == 0 && req->path[5] != '\0')
	{
		if (strcmp(m, "OPTIONS") == 0)
			return Preflight(conn, req, "OPTIONS, GET, HEAD, POST");
		if (read || strcmp(m, "POST") == 0)
			cos_http_rpc(req, req->path + 5, &resp);
		else
		{
			cos_http_error(&resp, 405, "PGRST101",
						   psprintf("Cannot use the %s method on RPC", m), NULL,
						   "Functions answer GET, HEAD and POST.");
			resp.allow = "OPTIONS, GET, HEAD, POST";
		}
	}
	else if (strncmp(req->path, "/uploads/", 9) == 0)
	{
		if (strcmp(m, "OPTIONS") == 0)
			return Preflight(conn, req, "OPTIONS, GET, HEAD");
		if (read)
			cos_http_upload(req, req->path + 9, &resp);
		else
		{
			cos_http_error(&resp, 405, "PGRST117", psprintf("Unsupported HTTP method: %s", m),
						   NULL, "Uploads answer GET and HEAD.");
			resp.allow = "OPTIONS, GET, HEAD";
		}
	}
	else if (strcmp(req->path, "/app") == 0 || strncmp(req->path, "/app/", 5) == 0)
	{
		if (strcmp(m, "OPTIONS") == 0)
			return Preflight(conn, req, "OPTIONS, GET, HEAD");
		if (!read)
		{
			cos_http_error(&resp, 405, "PGRST117", psprintf("Unsupported HTTP method: %s", m),
						   NULL, "The mini-app answers GET and HEAD.");
			resp.allow = "OPTIONS, GET, HEAD";
		}
		else if (req->path[4] == '\0')
		{
			/* the page's relative asset URLs need the trailing slash */
			resp.status = 308;
			resp.location = "/app/";
			resp.content_type = "text/plain; charset=utf-8";
			resp.body = "/app/\n";
			resp.body_len = strlen(resp.body);
		}
		else
			cos_http_static(req, req->path + 5, &resp);
	}
	else
		cos_http_error(&resp, 404, "PGRST125", "Invalid path specified in request URL",
					   psprintf("No route for %s.", req->path),
					   "The gateway serves /rpc/<function>, /uploads/<sha256> and the mini-app at /app/.");
	return Send(conn, req, &resp);
}

/* The setting req->max_body comes from. */
static const char *
BodyLimitName(const CosHttpRequest *req)
{
	return req->authorization == NULL && req->max_body < cos_http_max_body ?
		"cos.http_max_anon_body" : "cos.http_max_body";
}

/*
 * Answers 413, and closes the connection, for a body announced larger than
 * the request's limit (cos.http_max_body, or cos.http_max_anon_body).
 */
static bool
TooLarge(struct MHD_Connection *conn, CosHttpRequest *req)
{
	CosHttpResponse resp;

	if (strcmp(BodyLimitName(req), "cos.http_max_anon_body") == 0)
		cos_http_error(&resp, 413, "54000", "request body too large",
					   psprintf("The body is larger than cos.http_max_anon_body (%d bytes), "
								"the limit for requests without an Authorization header.",
								req->max_body),
					   "Without credentials only cos_api.login can be called, and it takes a few kB.");
	else
		cos_http_error(&resp, 413, "54000", "request body too large",
					   psprintf("The body is larger than cos.http_max_body (%d bytes).", req->max_body),
					   NULL);
	resp.close = true;
	return Send(conn, req, &resp);
}

/* How the headers of a request frame its body (CountFraming). */
typedef struct Framing
{
	int			lengths;		/* Content-Length headers */
	int			encodings;		/* Transfer-Encoding headers */
	bool		bad_length;		/* one not a number, or two that differ */
	bool		not_chunked;	/* a Transfer-Encoding other than chunked */
	uint64		length;			/* the first Content-Length */
} Framing;

/* Counts one request header into a Framing (MHD_get_connection_values). */
static enum MHD_Result
CountFraming(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
	Framing    *f = cls;

	if (pg_strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
	{
		uint64		n = 0;
		const char *p = value != NULL ? value : "";

		if (*p == '\0' || strspn(p, "0123456789") != strlen(p) || strlen(p) > 18)
			f->bad_length = true;
		else
			n = strtou64(p, NULL, 10);
		if (f->lengths > 0 && n != f->length)
			f->bad_length = true;
		f->length = n;
		f->lengths++;
	}
	else if (pg_strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
	{
		if (value == NULL || pg_strcasecmp(value, "chunked") != 0)
			f->not_chunked = true;
		f->encodings++;
	}
	return MHD_YES;
}

/*
 * Refuses, and closes, a request whose body a proxy in front could frame
 * otherwise than libmicrohttpd does (request smuggling, RFC 9112 section
 * 6.3): Content-Length with Transfer-Encoding (libmicrohttpd would take
 * the chunked body, a proxy may take the length), two Content-Lengths
 * that differ (libmicrohttpd takes the first), or a transfer coding other
 * than chunked alone.  Returns true when it answered.
 */
static bool
RefuseFraming(struct MHD_Connection *conn, CosHttpRequest *req, bool *ok)
{
	Framing		f;
	CosHttpResponse resp;

	memset(&f, 0, sizeof(f));
	MHD_get_connection_values(conn, MHD_HEADER_KIND, CountFraming, &f);
	if (f.lengths > 0 && f.encodings > 0)
		cos_http_error(&resp, 400, "08P01", "both Content-Length and Transfer-Encoding",
					   "A request gives its body's length one way only.", NULL);
	else if (f.bad_length)
		cos_http_error(&resp, 400, "08P01", "invalid Content-Length",
					   "Content-Length is not a number, or is given twice with different values.",
					   NULL);
	else if (f.not_chunked || f.encodings > 1)
		cos_http_error(&resp, 501, "08P01", "unsupported Transfer-Encoding",
					   "The only transfer coding accepted is \"chunked\", given once.", NULL);
	else
		return false;
	resp.close = true;
	*ok = Send(conn, req, &resp);
	return true;
}

/*
 * Refuses (401) an Authorization header longer than any credential, before
 * the sign-in functions compute an HMAC over it.  Returns true when it
 * answered.
 */
static bool
RefuseAuthorization(struct MHD_Connection *conn, CosHttpRequest *req, bool *ok)
{
	CosHttpResponse resp;

	if (req->authorization == NULL || strlen(req->authorization) <= COS_HTTP_MAX_AUTHORIZATION)
		return false;
	cos_http_error(&resp, 401, "PGRST301", "Authorization header too long",
				   psprintf("It is longer than %d bytes; a JWT or initData is at most a few kB.",
							COS_HTTP_MAX_AUTHORIZATION),
				   NULL);
	resp.www_authenticate = "Bearer error=\"invalid_token\"";
	resp.close = true;
	*ok = Send(conn, req, &resp);
	return true;
}

/*
 * The access handler (MHD_AccessHandlerCallback), called by MHD_run in this
 * process: first with the headers, then with each piece of the body, then
 * once more with *upload_data_size == 0 when the request is complete.
 * Returns false to make libmicrohttpd close the connection.
 */
static bool
HandleRequest(struct MHD_Connection *conn, const char *url, const char *method,
			  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	CosHttpRequest *req = *con_cls;

	if (req == NULL)
	{
		MemoryContext cxt = AllocSetContextCreate(TopMemoryContext, "cos http request",
												  ALLOCSET_SMALL_SIZES);
		MemoryContext old = MemoryContextSwitchTo(cxt);
		const char *length;
		bool		ok = true;

		req = palloc0(sizeof(CosHttpRequest));
		req->cxt = cxt;
		*con_cls = req;
		req->method = pstrdup(method);
		req->path = pstrdup(url);
		req->authorization = Header(conn, MHD_HTTP_HEADER_AUTHORIZATION);
		req->content_type = Header(conn, MHD_HTTP_HEADER_CONTENT_TYPE);
		req->if_none_match = Header(conn, MHD_HTTP_HEADER_IF_NONE_MATCH);
		req->accept_encoding = Header(conn, MHD_HTTP_HEADER_ACCEPT_ENCODING);
		req->origin = Header(conn, MHD_HTTP_HEADER_ORIGIN);
		req->args = palloc(sizeof(CosHttpArg));
		MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, CollectArg, req);
		initStringInfo(&req->body);
		/* without credentials only cos_api.login can be called: a few kB */
		req->max_body = req->authorization == NULL ?
			Min(cos_http_max_anon_body, cos_http_max_body) : cos_http_max_body;

		/*
		 * Refuse what must not be read: a body a proxy could frame
		 * otherwise, an oversized credential, an announced oversized body.
		 * An answer queued now makes libmicrohttpd skip the body and close
		 * the connection after the answer.
		 */
		if (!RefuseFraming(conn, req, &ok) && !RefuseAuthorization(conn, req, &ok))
		{
			length = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
												 MHD_HTTP_HEADER_CONTENT_LENGTH);
			if (length != NULL && strtoll(length, NULL, 10) > req->max_body)
				ok = TooLarge(conn, req);
		}
		MemoryContextSwitchTo(old);
		return ok;
	}

	if (*upload_data_size > 0)
	{
		/*
		 * A chunked body (no Content-Length) that grows past the limit: the
		 * connection is closed at once.  libmicrohttpd cannot queue an
		 * answer in the middle of a body, and reading on to its end would
		 * let a body that never ends keep the worker busy for ever.
		 */
		if (!req->answered)
		{
			MemoryContext old;

			if ((size_t) req->body.len + *upload_data_size > (size_t) req->max_body)
			{
				LogLimited(psprintf("cos http gateway: %s %.100s: the chunked body passed %s (%d bytes), connection closed",
									req->method, req->path, BodyLimitName(req), req->max_body));
				return false;
			}
			old = MemoryContextSwitchTo(req->cxt);
			appendBinaryStringInfo(&req->body, upload_data, (int) *upload_data_size);
			MemoryContextSwitchTo(old);
		}
		*upload_data_size = 0;
		return true;
	}

	if (!req->answered)
	{
		MemoryContext old = MemoryContextSwitchTo(req->cxt);
		bool		ok = Dispatch(conn, req);

		MemoryContextSwitchTo(old);
		return ok;
	}
	return true;
}

/*
 * MHD_AccessHandlerCallback: HandleRequest under PG_TRY, so that no error
 * ever unwinds through libmicrohttpd's frames; an unexpected one is logged
 * and answered 500, and the worker goes on.
 */
static enum MHD_Result
AccessHandler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
			  const char *version, const char *upload_data, size_t *upload_data_size,
			  void **con_cls)
{
	MemoryContext old = CurrentMemoryContext;
	volatile bool ok = false;

	PG_TRY();
	{
		ok = HandleRequest(conn, url, method, upload_data, upload_data_size, con_cls);
	}
	PG_CATCH();
	{
		CosHttpRequest *req = *con_cls;
		ErrorData  *edata;

		MemoryContextSwitchTo(old);
		edata = CopyErrorData();
		FlushErrorState();
		if (IsTransactionState())
			AbortCurrentTransaction();
		MemoryContextSwitchTo(old);
		ereport(LOG,
				(errmsg("cos http gateway: %s %s: %s", method, url, edata->message)));
		FreeErrorData(edata);
		*upload_data_size = 0;
		ok = false;
		if (req != NULL && !req->answered)
		{
			CosHttpResponse resp;

			PG_TRY();
			{
				cos_http_error(&resp, 500, "XX000", "internal error in the HTTP gateway",
							   NULL, NULL);
				ok = Send(conn, req, &resp);
			}
			PG_CATCH();
			{
				FlushErrorState();
			}
			PG_END_TRY();
		}
	}
	PG_END_TRY();
	MemoryContextSwitchTo(old);
	return ok ? MHD_YES : MHD_NO;
}

/* MHD_RequestCompletedCallback: frees what the request held. */
static void
RequestCompleted(void *cls, struct MHD_Connection *conn, void **con_cls,
				 enum MHD_RequestTerminationCode toe)
{
	CosHttpRequest *req = *con_cls;

	if (req == NULL)
		return;
	cos_http_request_release(req);
	MemoryContextDelete(req->cxt);
	*con_cls = NULL;
}

/*
 * Raises this process's soft limit on open files to the hard one: every
 * connection is a descriptor, and under the soft limit services get
 * (1,024 with systemd) accept() failed at 973 connections.
 */
static void
RaiseOpenFilesLimit(void)
{
	struct rlimit rl;
	unsigned long soft;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	soft = (unsigned long) rl.rlim_cur;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
		ereport(LOG,
				(errmsg("cos http gateway could not raise its open files limit from %lu to %lu: %m",
						soft, (unsigned long) rl.rlim_max)));
	else
		ereport(DEBUG1,
				(errmsg("cos http gateway raised its open files limit from %lu to %lu",
						soft, (unsigned long) rl.rlim_max)));
}

/*
 * cos.http_max_connections, lowered (with a LOG line) to what the open
 * files limit leaves after the server's own files (max_safe_fds, as fd.c
 * counts them) and HTTP_OTHER_FDS; when descriptors are that scarce,
 * connections still get half of them.
 */
static unsigned int
ConnectionLimit(void)
{
	struct rlimit rl;
	rlim_t		keep;
	rlim_t		limit;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return (unsigned int) cos_http_max_connections;
	keep = Min((rlim_t) (max_safe_fds + HTTP_OTHER_FDS), rl.rlim_cur / 2);
	limit = rl.rlim_cur - keep;
	if ((rlim_t) cos_http_max_connections <= limit)
		return (unsigned int) cos_http_max_connections;
	ereport(LOG,
			(errmsg("cos http gateway: cos.http_max_connections lowered from %d to %lu",
					cos_http_max_connections, (unsigned long) limit),
			 errdetail("The open files limit is %lu; %lu descriptors are kept for the server's own files.",
					   (unsigned long) rl.rlim_cur, (unsigned long) keep),
			 errhint("Raise the hard limit on open files (LimitNOFILE in systemd, ulimit -Hn) to allow more.")));
	return (unsigned int) limit;
}

/*
 * Resolves cos.http_listen into *ai (to be freed with freeaddrinfo); on
 * failure reports at elevel and, below ERROR, returns false.
 */
static bool
ResolveListen(int elevel, struct addrinfo **ai)
{
	char		host[256];
	char		port[16];
	int			portnum;
	struct addrinfo hints;
	int			rc;

	*ai = NULL;
	if (!cos_parse_listen(cos_http_listen, host, sizeof(host), &portnum))
	{
		ereport(elevel,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid cos.http_listen \"%s\"", cos_http_listen),
				 errhint("Give host:port, e.g. '127.0.0.1:8787' or '[::1]:8787'.")));
		return false;
	}
	snprintf(port, sizeof(port), "%d", portnum);
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host, port, &hints, ai);
	if (rc != 0 || *ai == NULL)
	{
		ereport(elevel,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("could not resolve cos.http_listen host \"%s\": %s", host, gai_strerror(rc))));
		return false;
	}
	return true;
}

/*
 * cos_http_open_listen_socket: see cos.h.  Called from _PG_init while the
 * postmaster loads shared_preload_libraries, so that every gateway worker
 * (a static background worker, forked from the postmaster) inherits one
 * socket: the kernel's accept queue is shared, a busy worker (inside SPI)
 * does not accept, and whichever worker waits in epoll takes the next
 * connection; libmicrohttpd copes with another process accepting first
 * (accept on the non-blocking socket fails with EAGAIN, which it ignores).
 * Held by the postmaster, the socket outlives a worker's crash and the
 * crash-restart that follows: connections wait in the backlog meanwhile
 * instead of being refused.  Every other child of the postmaster inherits
 * it too; regular backends and the other workers never use it, and
 * SOCK_CLOEXEC (FD_CLOEXEC) keeps it from programs they run (COPY ...
 * PROGRAM, archive_command).  Only in a postmaster: not in single-user mode, nor in
 * a child that loads the library again (EXEC_BACKEND builds, where the
 * workers bind their own).
 */
void
cos_http_open_listen_socket(void)
{
	struct addrinfo *ai;
	int			fd;
	int			on = 1;

	if (!IsPostmasterEnvironment || IsUnderPostmaster)
		return;
	if (!ResolveListen(WARNING, &ai))
		return;
	fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 ||
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
		(ai->ai_family == AF_INET6 &&
		 setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on)) != 0) ||
		bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
		listen(fd, SOMAXCONN) != 0)
	{
		int			save_errno = errno;

		if (fd >= 0)
			close(fd);
		errno = save_errno;
		ereport(WARNING,
				(errcode_for_socket_access(),
				 errmsg("could not listen on cos.http_listen \"%s\": %m", cos_http_listen),
				 errdetail("Each HTTP gateway worker will try to listen on it itself."),
				 errhint("Is another program using the port?")));
		freeaddrinfo(ai);
		return;
	}
	freeaddrinfo(ai);
	http_listen_fd = fd;
}

/*
 * Starts libmicrohttpd on the postmaster's listening socket, or, when the
 * postmaster could not open it, on a socket of its own on cos.http_listen
 * (SO_REUSEPORT, shared with the other workers); ERROR when it cannot
 * listen.
 */
static struct MHD_Daemon *
StartDaemon(void)
{
	struct addrinfo *ai = NULL;
	struct MHD_Daemon *daemon;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct MHD_OptionItem listen_opts[3];

	(void) ResolveListen(ERROR, &ai);
	if (ai->ai_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (http_listen_fd >= 0)
	{
		listen_opts[0] = (struct MHD_OptionItem) {MHD_OPTION_LISTEN_SOCKET, http_listen_fd, NULL};
		listen_opts[1] = (struct MHD_OptionItem) {MHD_OPTION_END, 0, NULL};
	}
	else
	{
		listen_opts[0] = (struct MHD_OptionItem) {MHD_OPTION_SOCK_ADDR, 0, ai->ai_addr};
		listen_opts[1] = (struct MHD_OptionItem) {MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, NULL};
		listen_opts[2] = (struct MHD_OptionItem) {MHD_OPTION_END, 0, NULL};
	}

	daemon = MHD_start_daemon(flags, 0, NULL, NULL, AccessHandler, NULL,
							  MHD_OPTION_EXTERNAL_LOGGER, MhdLog, NULL,
							  MHD_OPTION_ARRAY, listen_opts,
							  MHD_OPTION_NOTIFY_COMPLETED, RequestCompleted, NULL,
							  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int) cos_http_connection_timeout_s,
							  MHD_OPTION_CONNECTION_LIMIT, ConnectionLimit(),
							  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
							  (unsigned int) cos_http_max_connections_per_client,
							  MHD_OPTION_END);
	freeaddrinfo(ai);
	if (daemon == NULL)
		ereport(ERROR,
				(errcode_for_socket_access(),
				 errmsg("cos http gateway could not listen on \"%s\"", cos_http_listen),
				 errhint("Is another program using the port?  See the log line above.")));
	return daemon;
}

/*
 * Makes glibc keep freed memory for reuse.  Every request allocates and
 * frees the same few megabytes (parse and plan trees, executor state, the
 * answer); with glibc's defaults the top of the heap is trimmed with brk()
 * and large blocks are unmapped after each request, so the next one
 * page-faults them in again: under 200 connections a third of the worker's
 * CPU went to page faults.  A fixed threshold also stops glibc's
 * sliding mmap threshold from moving.
 */
static void
KeepFreedMemory(void)
{
#ifdef __GLIBC__
	(void) mallopt(M_MMAP_THRESHOLD, HTTP_MALLOC_KEEP / 2);
	(void) mallopt(M_TRIM_THRESHOLD, HTTP_MALLOC_KEEP);
	(void) mallopt(M_TOP_PAD, 1024 * 1024);
#endif
}

/*
 * Whether database name exists, by a plain heap scan of pg_database (as
 * the autovacuum launcher's get_database_list), which works in a process
 * connected to no database: an index scan would need the relcache entry of
 * pg_database's index, and when the relcache init file is missing (as
 * after a crash) building it reads pg_class, which is FATAL without a
 * database.  Inside a transaction.
 */
static bool
DatabaseExists(const char *name)
{
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;
	bool		found = false;

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while (!found && HeapTupleIsValid(tup = heap_getnext(scan, ForwardScanDirection)))
		found = strcmp(NameStr(((Form_pg_database) GETSTRUCT(tup))->datname), name) == 0;
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return found;
}

/*
 * Entry point of the short-lived worker that checks, for gateway worker
 * DatumGetInt32(arg), whether cos.http_role may log in to cos.database.
 * It connects to no database (pg_authid and pg_database are shared
 * catalogs), writes a CosHttpRoleCheck to cos_shared and exits.  A gateway
 * worker cannot check this itself: a failed login is FATAL, and a process
 * connects only once.  The role is looked up in the syscache, which reads
 * pg_authid without its index until the relcache has the shared indexes
 * (IndexScanOK), as logins do; pg_database by DatabaseExists.
 */
void
cos_http_check_main(Datum arg)
{
	int			i = DatumGetInt32(arg);
	CosHttpRoleCheck result;
	HeapTuple	tup;

	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);

	StartTransactionCommand();
	tup = SearchSysCache1(AUTHNAME, CStringGetDatum(cos_http_role));
	if (!HeapTupleIsValid(tup))
		result = COS_HTTP_CHECK_NO_ROLE;
	else
	{
		Form_pg_authid role = (Form_pg_authid) GETSTRUCT(tup);

		if (role->rolsuper || role->rolbypassrls)
			result = COS_HTTP_CHECK_PRIVILEGED;
		else if (!role->rolcanlogin)
			result = COS_HTTP_CHECK_NO_LOGIN;
		else if (!DatabaseExists(cos_database))
			result = COS_HTTP_CHECK_NO_DATABASE;
		else
			result = COS_HTTP_CHECK_READY;
		ReleaseSysCache(tup);
	}
	CommitTransactionCommand();

	if (i >= 0 && i < COS_MAX_HTTP_WORKERS)
	{
		SpinLockAcquire(&cos_shared->mutex);
		cos_shared->http_role_check[i] = result;
		SpinLockRelease(&cos_shared->mutex);
	}
	proc_exit(0);
}

/*
 * Runs cos_http_check_main for gateway worker i and waits for it; returns
 * what it found, COS_HTTP_CHECK_NOT_STARTED when it could not be registered,
 * COS_HTTP_CHECK_PENDING when it exited without an answer.
 */
static CosHttpRoleCheck
CheckRole(int i)
{
	BackgroundWorker worker;
	BackgroundWorkerHandle *handle;
	CosHttpRoleCheck result;

	SpinLockAcquire(&cos_shared->mutex);
	cos_shared->http_role_check[i] = COS_HTTP_CHECK_PENDING;
	SpinLockRelease(&cos_shared->mutex);

	cos_worker_init(&worker, "cos_http_check_main", "cos http gateway role check", i,
					BGW_NEVER_RESTART, true);
	snprintf(worker.bgw_name, BGW_MAXLEN, "cos http gateway %d role check", i);
	worker.bgw_notify_pid = MyProcPid;
	if (!RegisterDynamicBackgroundWorker(&worker, &handle))
		return COS_HTTP_CHECK_NOT_STARTED;
	if (WaitForBackgroundWorkerShutdown(handle) == BGWH_POSTMASTER_DIED)
		proc_exit(1);
	pfree(handle);

	SpinLockAcquire(&cos_shared->mutex);
	result = cos_shared->http_role_check[i];
	SpinLockRelease(&cos_shared->mutex);
	return result;
}

/* Logs, as a WARNING, why gateway worker i cannot log in yet. */
static void
WarnRole(int i, CosHttpRoleCheck check)
{
	const char *detail;
	const char *hint;

	switch (check)
	{
		case COS_HTTP_CHECK_NO_ROLE:
			detail = psprintf("Role \"%s\" does not exist.", cos_http_role);
			hint = psprintf("CREATE EXTENSION cos in database \"%s\" creates role cos_authenticator; or set cos.http_role.",
							cos_database);
			break;
		case COS_HTTP_CHECK_NO_LOGIN:
			detail = psprintf("Role \"%s\" has NOLOGIN.", cos_http_role);
			hint = psprintf("ALTER ROLE %s LOGIN (no password is needed: the gateway does not go through pg_hba.conf).",
							quote_identifier(cos_http_role));
			break;
		case COS_HTTP_CHECK_PRIVILEGED:
			detail = psprintf("Role \"%s\" is a superuser or has BYPASSRLS; the gateway refuses to run as such a role.",
							  cos_http_role);
			hint = "Set cos.http_role to a login role without these attributes, granted cos_anon, cos_user and cos_admin.";
			break;
		case COS_HTTP_CHECK_NO_DATABASE:
			detail = psprintf("Database \"%s\" (cos.database) does not exist.", cos_database);
			hint = "Create it, or set cos.database.";
			break;
		case COS_HTTP_CHECK_NOT_STARTED:
			detail = "The worker that checks the role could not be started: no background worker slot is free.";
			hint = "Raise max_worker_processes.";
			break;
		default:
			detail = "The worker that checks the role exited without an answer.";
			hint = "See the log lines of \"cos http gateway role check\" above.";
			break;
	}
	ereport(WARNING,
			(errmsg("cos http gateway %d cannot log in as role \"%s\" yet; retrying every %d s",
					i, cos_http_role, HTTP_ROLE_RETRY_MS / 1000),
			 errdetail_internal("%s", detail),
			 hint != NULL ? errhint("%s", hint) : 0));
}

/*
 * Waits until cos.http_role may log in to cos.database, checking every
 * HTTP_ROLE_RETRY_MS and logging a WARNING each time the reason changes,
 * so that a gateway started before CREATE EXTENSION neither fails nor
 * fills the log.  A check that did not run or gave no answer the first
 * time is run again at once (after a crash-restart, say, the postmaster
 * may stop it), and only then waited for.
 */
static void
WaitForRole(int i)
{
	CosHttpRoleCheck last = COS_HTTP_CHECK_READY;
	bool		first = true;

	for (;;)
	{
		CosHttpRoleCheck check = CheckRole(i);

		if (check == COS_HTTP_CHECK_READY)
			break;
		if (first && (check == COS_HTTP_CHECK_PENDING || check == COS_HTTP_CHECK_NOT_STARTED))
		{
			first = false;
			CHECK_FOR_INTERRUPTS();
			continue;
		}
		first = false;
		if (check != last)
			WarnRole(i, check);
		last = check;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 HTTP_ROLE_RETRY_MS, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
	}
	if (last != COS_HTTP_CHECK_READY)
		ereport(LOG,
				(errmsg("cos http gateway %d: role \"%s\" may log in now", i, cos_http_role)));
}

/*
 * Entry point of one gateway worker (static background worker, number
 * DatumGetInt32(arg)).  Logs in to cos.database as cos.http_role (by
 * default cos_authenticator: NOINHERIT, so without privileges of its own),
 * once that role may; each request switches to its own role inside its
 * transaction.
 */
void
cos_http_main(Datum arg)
{
	struct MHD_Daemon *daemon;
	const union MHD_DaemonInfo *info;
	WaitEventSet *set;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();

	KeepFreedMemory();
	RaiseOpenFilesLimit();
	WaitForRole(DatumGetInt32(arg));
	BackgroundWorkerInitializeConnection(cos_database, cos_http_role, 0);
	pgstat_report_appname(psprintf("cos http gateway %d", DatumGetInt32(arg)));

	daemon = StartDaemon();
	info = MHD_get_daemon_info(daemon, MHD_DAEMON_INFO_EPOLL_FD);
	if (info == NULL)
		elog(ERROR, "libmicrohttpd gave no epoll descriptor");

	set = CreateWaitEventSet(TopMemoryContext, 3);
	AddWaitEventToSet(set, WL_LATCH_SET, PGINVALID_SOCKET, MyLatch, NULL);
	AddWaitEventToSet(set, WL_EXIT_ON_PM_DEATH, PGINVALID_SOCKET, NULL, NULL);
	AddWaitEventToSet(set, WL_SOCKET_READABLE, info->epoll_fd, NULL, NULL);

	ereport(LOG,
			(errmsg("cos http gateway %d listening on %s for database \"%s\" as role \"%s\"",
					DatumGetInt32(arg), cos_http_listen, cos_database, cos_http_role)));

	for (;;)
	{
		MHD_UNSIGNED_LONG_LONG mhd_timeout;
		long		timeout = HTTP_IDLE_WAIT_MS;
		WaitEvent	event;

		if (MHD_get_timeout(daemon, &mhd_timeout) == MHD_YES)
			timeout = (long) Min(mhd_timeout, (MHD_UNSIGNED_LONG_LONG) HTTP_IDLE_WAIT_MS);
		(void) WaitEventSetWait(set, timeout, &event, 1, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		MHD_run(daemon);
	}
}

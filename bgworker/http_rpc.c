/*
 * http_rpc.c
 *	  The database side of the HTTP gateway: one transaction per request,
 *	  authentication through cos._auth_jwt / cos._auth_init_data, the role
 *	  switch, the call of a cos_api function with PostgREST's rules, stored
 *	  uploads, and errors answered as PostgREST writes them.
 *
 * PostgREST's rules followed here (docs: references/api/functions.rst,
 * references/transactions.rst, references/errors.rst):
 *	- a function is found by its name in schema cos_api and the set of
 *	  argument names sent: every name sent must be an input argument and
 *	  every argument without a default must be sent; otherwise 404
 *	  PGRST202 (so an unknown argument is a 404, as in PostgREST); two
 *	  matches are a 300 PGRST203; a function with one unnamed json/jsonb
 *	  argument takes the whole POST body when nothing else matches;
 *	- the JSON values are turned into the argument types by Postgres's own
 *	  json_to_record() (a JSON string goes through the type's input function
 *	  as text, a JSON array into an array type, ...), passed as one SPI
 *	  parameter, never spliced into the SQL text;
 *	- GET and HEAD call only STABLE and IMMUTABLE functions (405 otherwise);
 *	  the transaction is READ ONLY unless a VOLATILE function is POSTed;
 *	- a function returning json/jsonb answers that value, a set or a
 *	  composite answers a JSON array of rows, a scalar its JSON value, void
 *	  204 No Content.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/namespace.h"
#include "commands/dbcommands.h"
#include "catalog/pg_proc.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/proc.h"
#include "utils/acl.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#include "utils/catcache.h"
#undef json_object
#include "utils/guc.h"
#include "utils/hsearch.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
#include "utils/timeout.h"

#include <jansson.h>

#include "cos.h"
#include "http.h"
#include "pgrst.h"

/* A cos_api function as the matching rules see it. */
typedef struct RpcFunc
{
	Oid			oid;
	int			nin;			/* input arguments */
	char	  **names;			/* their names (NULL or "" when unnamed) */
	Oid		   *types;
	int			nrequired;		/* the first nrequired have no default */
	char		volatility;		/* PROVOLATILE_* */
	Oid			rettype;
	bool		retset;
} RpcFunc;

/* What the request's authentication established. */
typedef struct RpcAuth
{
	bool		bearer;			/* Authorization: Bearer was sent */
	bool		authenticating; /* inside cos._auth_* */
	bool		authenticated;	/* role is not cos_anon */
} RpcAuth;

/*
 * A prepared call of a cos_api function, kept for the worker's life
 * (SPI_keepplan), keyed by the function and the arguments sent: the SQL
 * text depends on nothing else (CREATE OR REPLACE cannot change argument
 * names or types, nor the return type; DROP and CREATE give a new OID).
 * The plan cache re-plans after DDL on what the plan uses; EXECUTE
 * privilege is checked at each execution, as the request's role.
 */
typedef struct RpcPlanKey
{
	Oid			oid;
	bool		whole_body;
	uint64		sent[(FUNC_MAX_ARGS + 63) / 64];	/* bit i: input argument i sent */
} RpcPlanKey;

typedef struct RpcPlan
{
	RpcPlanKey	key;
	SPIPlanPtr	plan;
	bool		is_void;
	bool		rows;			/* returns the function's rows, written by
								 * cos_json_rows (else one text: the body) */
} RpcPlan;

/* Most prepared calls kept; past it they are all dropped and made again. */
#define RPC_MAX_PLANS 256

static HTAB *rpc_plans = NULL;

/* The prepared "SELECT cos._auth_jwt($1)::text" and the initData one. */
static SPIPlanPtr auth_plans[2];

void
cos_http_request_release(CosHttpRequest *req)
{
	json_decref((json_t *) req->json);
	req->json = NULL;
}

/*
 * text, or its first COS_HTTP_ERROR_QUOTE bytes cut between two UTF-8
 * characters and followed by "…": errors quote what the client sent (a
 * path, a value, a name), and must not send a megabyte back.
 */
static const char *
Quote(const char *text)
{
	size_t		keep;

	if (text == NULL)
		return NULL;
	keep = cos_utf8_clip(text, COS_HTTP_ERROR_QUOTE);
	if (text[keep] == '\0')
		return text;
	return psprintf("%.*s\xe2\x80\xa6", (int) keep, text);	/* U+2026 … */
}

void
cos_http_error(CosHttpResponse *resp, int status, const char *code,
			   const char *message, const char *details, const char *hint)
{
	json_t	   *o;
	char	   *s = NULL;

	o = json_pack("{s:s, s:s?, s:s?, s:s?}", "code", code, "details", Quote(details),
				  "hint", Quote(hint), "message", Quote(message));
	if (o == NULL)				/* text that is not UTF-8 */
		o = json_pack("{s:s, s:n, s:n, s:s}", "code", code, "details", "hint",
					  "message", "the error message is not valid UTF-8");
	if (o != NULL)
		s = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	memset(resp, 0, sizeof(*resp));
	resp->status = status;
	resp->content_type = "application/json; charset=utf-8";
	resp->body = pstrdup(s != NULL ? s : "{}");
	resp->body_len = strlen(resp->body);
	free(s);
}

/* Fills resp with a JSON body copied into the request's context. */
static void
JsonAnswer(CosHttpRequest *req, CosHttpResponse *resp, const char *json)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->content_type = "application/json; charset=utf-8";
	resp->body = MemoryContextStrdup(req->cxt, json);
	resp->body_len = strlen(resp->body);
}

/* Turns a caught error into the PostgREST answer; logs server faults. */
static void
ErrorAnswer(CosHttpRequest *req, CosHttpResponse *resp, ErrorData *edata, const RpcAuth *auth)
{
	char	   *code = pstrdup(unpack_sql_state(edata->sqlerrcode));
	int			status;

	/*
	 * While cos._auth_* runs, the request has no role yet, so the table's
	 * anonymous column does not apply: bad credentials (28xxx) are 401, as
	 * PostgREST's PGRST301; a known user refused (42501, a blocked user) is
	 * 403, not the 401 that would make the client sign in again; anything
	 * else keeps the table's status, so a server without cos.bot_token or
	 * with a short cos.jwt_secret (55000) answers 500, not 401.
	 */
	if (auth->authenticating &&
		ERRCODE_TO_CATEGORY(edata->sqlerrcode) == ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION)
		status = 401;
	else if (auth->authenticating && edata->sqlerrcode == ERRCODE_INSUFFICIENT_PRIVILEGE)
		status = 403;
	else
		status = cos_pgrst_status(code, auth->authenticated);
	cos_http_error(resp, status, code, edata->message, edata->detail, edata->hint);
	if (status == 401)
		resp->www_authenticate = auth->bearer ? "Bearer error=\"invalid_token\"" : "Bearer";
	if (status >= 500)
		ereport(LOG,
				(errmsg("cos http gateway: %s %s failed: %s (SQLSTATE %s)",
						req->method, Quote(req->path), Quote(edata->message), code)));
}

/* The OID of function cos.<name>(text), InvalidOid when not installed. */
static Oid
AuthFunction(const char *name)
{
	Oid			nsp = get_namespace_oid("cos", true);
	Oid			argtype = TEXTOID;

	if (!OidIsValid(nsp))
		return InvalidOid;
	return GetSysCacheOid3(PROCNAMEARGSNSP, Anum_pg_proc_oid, CStringGetDatum(name),
						   PointerGetDatum(buildoidvector(&argtype, 1)),
						   ObjectIdGetDatum(nsp));
}

/* Whether the header value starts with scheme and a blank; *rest after. */
static bool
SchemeIs(const char *value, const char *scheme, const char **rest)
{
	size_t		n = strlen(scheme);

	if (pg_strncasecmp(value, scheme, n) != 0 || (value[n] != ' ' && value[n] != '\t'))
		return false;
	value += n;
	while (*value == ' ' || *value == '\t')
		value++;
	*rest = value;
	return true;
}

/*
 * Authenticates the request and switches to its role (SET LOCAL ROLE and
 * request.jwt.claims, as PostgREST does).  Returns false with resp filled
 * when the request may not go on; errors from cos._auth_* propagate with
 * auth->authenticating set.
 */
static bool
Authenticate(CosHttpRequest *req, CosHttpResponse *resp, RpcAuth *auth)
{
	const char *credential = NULL;
	const char *fname = NULL;
	const char *claims_text;
	const char *role;
	json_t	   *claims = NULL;
	json_t	   *jrole;
	Oid			authenticator;
	Oid			roleid;

	if (req->authorization != NULL)
	{
		if (SchemeIs(req->authorization, "Bearer", &credential))
		{
			fname = "_auth_jwt";
			auth->bearer = true;
		}
		else if (SchemeIs(req->authorization, "tma", &credential))
			fname = "_auth_init_data";
		else
		{
			cos_http_error(resp, 401, "PGRST301", "unsupported Authorization scheme", NULL,
						   "Send \"Authorization: Bearer <JWT>\" or \"Authorization: tma <initData>\".");
			resp->www_authenticate = "Bearer";
			return false;
		}
	}

	if (fname != NULL)
	{
		Oid			fn = AuthFunction(fname);
		Datum		arg;
		char		nulls = ' ';
		Oid			argtype = TEXTOID;
		bool		isnull;
		int			rc;

		if (!OidIsValid(fn))
		{
			cos_http_error(resp, 401, "PGRST301", "sign-in is not installed",
						   psprintf("Function cos.%s(text) does not exist in database \"%s\".",
									fname, get_database_name(MyDatabaseId)),
						   "Install Cos's API (schema cos_api) in this database.");
			resp->www_authenticate = "Bearer";
			return false;
		}
		arg = CStringGetTextDatum(credential);
		/*
		 * cos._auth_init_data writes (it creates or refreshes the user), so
		 * it runs before CallFunction makes the transaction READ ONLY; going
		 * from read-write to read-only later in a transaction is allowed.
		 */
		auth->authenticating = true;
		{
			int			which = strcmp(fname, "_auth_jwt") == 0 ? 0 : 1;

			if (auth_plans[which] == NULL)
			{
				SPIPlanPtr	plan = SPI_prepare(psprintf("SELECT cos.%s($1)::text", fname), 1, &argtype);

				if (plan == NULL || SPI_keepplan(plan) != 0)
					elog(ERROR, "could not prepare the call of cos.%s: %s", fname,
						 SPI_result_code_string(SPI_result));
				auth_plans[which] = plan;
			}
			rc = SPI_execute_plan(auth_plans[which], &arg, &nulls, false, 1);
		}
		auth->authenticating = false;
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "cos.%s returned no row", fname);
		claims_text = TextDatumGetCString(SPI_getbinval(SPI_tuptable->vals[0],
														SPI_tuptable->tupdesc, 1, &isnull));
		if (isnull || (claims = json_loads(claims_text, 0, NULL)) == NULL ||
			!json_is_object(claims))
		{
			json_decref(claims);
			cos_http_error(resp, 401, "PGRST301", "sign-in returned no claims",
						   psprintf("cos.%s returned %s instead of a JSON object.", fname,
									isnull ? "NULL" : claims_text), NULL);
			resp->www_authenticate = "Bearer";
			return false;
		}
		/* PostgREST: a token without a role claim is the anonymous role */
		jrole = json_object_get(claims, "role");
		if (jrole != NULL && !json_is_null(jrole) && !json_is_string(jrole))
		{
			json_decref(claims);
			cos_http_error(resp, 401, "PGRST301", "the role claim is not a string", NULL, NULL);
			resp->www_authenticate = "Bearer";
			return false;
		}
		role = json_is_string(jrole) ? pstrdup(json_string_value(jrole)) : COS_ANON_ROLE;
		json_decref(claims);
	}
	else
	{
		role = COS_ANON_ROLE;
		claims_text = "{\"role\":\"" COS_ANON_ROLE "\"}";
	}

	/* the session's role is the one the gateway logged in as (cos.http_role) */
	authenticator = GetSessionUserId();
	roleid = get_role_oid(role, true);
	if (!OidIsValid(roleid) || !is_member_of_role(authenticator, roleid) ||
		superuser_arg(roleid))
	{
		cos_http_error(resp, 401, "28000", psprintf("role \"%s\" is not allowed", role),
					   OidIsValid(roleid) ?
					   psprintf("Role \"%s\" may not switch to role \"%s\".",
								GetUserNameFromId(authenticator, false), role) :
					   psprintf("Role \"%s\" does not exist.", role), NULL);
		resp->www_authenticate = auth->bearer ? "Bearer error=\"invalid_token\"" : "Bearer";
		return false;
	}

	(void) set_config_option("request.jwt.claims", claims_text, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	(void) set_config_option("role", role, PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_LOCAL, true, 0, false);
	auth->authenticated = strcmp(role, COS_ANON_ROLE) != 0;
	return true;
}

/* The functions named fname in schema cos_api (PROKIND_FUNCTION only). */
static List *
FunctionsNamed(const char *fname)
{
	Oid			nsp = get_namespace_oid("cos_api", true);
	CatCList   *catlist;
	List	   *result = NIL;
	int			i;

	if (!OidIsValid(nsp) || strlen(fname) >= NAMEDATALEN)
		return NIL;
	catlist = SearchSysCacheList1(PROCNAMEARGSNSP, CStringGetDatum(fname));
	for (i = 0; i < catlist->n_members; i++)
	{
		HeapTuple	tup = &catlist->members[i]->tuple;
		Form_pg_proc p = (Form_pg_proc) GETSTRUCT(tup);
		Oid		   *types;
		char	  **names;
		char	   *modes;
		int			nall;
		int			j;
		RpcFunc    *f;

		if (p->pronamespace != nsp || p->prokind != PROKIND_FUNCTION)
			continue;
		nall = get_func_arg_info(tup, &types, &names, &modes);
		f = palloc0(sizeof(RpcFunc));
		f->oid = p->oid;
		f->names = palloc0(sizeof(char *) * (nall + 1));
		f->types = palloc0(sizeof(Oid) * (nall + 1));
		for (j = 0; j < nall; j++)
		{
			if (modes != NULL && modes[j] != PROARGMODE_IN && modes[j] != PROARGMODE_INOUT &&
				modes[j] != PROARGMODE_VARIADIC)
				continue;
			f->names[f->nin] = names != NULL ? names[j] : NULL;
			f->types[f->nin] = types[j];
			f->nin++;
		}
		f->nrequired = f->nin - p->pronargdefaults;
		f->volatility = p->provolatile;
		f->rettype = p->prorettype;
		f->retset = p->proretset;
		result = lappend(result, f);
	}
	ReleaseSysCacheList(catlist);
	return result;
}

/* Whether f takes exactly the named arguments in args (a JSON object). */
static bool
ArgsMatch(const RpcFunc *f, json_t *args)
{
	const char *key;
	json_t	   *value;
	int			i;

	json_object_foreach(args, key, value)
	{
		bool		found = false;

		for (i = 0; i < f->nin && !found; i++)
			found = f->names[i] != NULL && strcmp(f->names[i], key) == 0;
		if (!found)
			return false;
	}
	for (i = 0; i < f->nrequired; i++)
		if (f->names[i] == NULL || f->names[i][0] == '\0' ||
			json_object_get(args, f->names[i]) == NULL)
			return false;
	return true;
}

/* Whether f has a single unnamed json or jsonb argument. */
static bool
TakesWholeBody(const RpcFunc *f)
{
	return f->nin == 1 && (f->names[0] == NULL || f->names[0][0] == '\0') &&
		(f->types[0] == JSONOID || f->types[0] == JSONBOID);
}

/* "cos_api.fn(a, b)" for messages. */
static char *
Signature(const char *fname, json_t *args)
{
	StringInfoData s;
	const char *key;
	json_t	   *value;
	bool		first = true;

	initStringInfo(&s);
	appendStringInfo(&s, "cos_api.%s(", fname);
	if (args != NULL && json_is_object(args))
		json_object_foreach(args, key, value)
	{
		appendStringInfo(&s, "%s%s", first ? "" : ", ", key);
		first = false;
	}
	appendStringInfoChar(&s, ')');
	return s.data;
}

/* "cos_api.fn(a integer, b integer DEFAULT)" for hints. */
static char *
Declared(const char *fname, const RpcFunc *f)
{
	StringInfoData s;
	int			i;

	initStringInfo(&s);
	appendStringInfo(&s, "cos_api.%s(", fname);
	for (i = 0; i < f->nin; i++)
		appendStringInfo(&s, "%s%s%s%s%s", i > 0 ? ", " : "",
						 f->names[i] != NULL ? f->names[i] : "",
						 f->names[i] != NULL && f->names[i][0] != '\0' ? " " : "",
						 format_type_be(f->types[i]), i >= f->nrequired ? " DEFAULT" : "");
	appendStringInfoChar(&s, ')');
	return s.data;
}

/*
 * The SQL that calls f with the arguments present in args ($1: the JSON
 * object as text).  It returns one text column, the answer's body, or, for
 * a function returning rows of types cos_json_rows writes (*rows), the
 * rows themselves.
 */
static char *
CallSql(const char *fname, const RpcFunc *f, json_t *args, bool whole_body, bool *is_void,
		bool *rows)
{
	StringInfoData call;
	StringInfoData coldefs;
	StringInfoData sql;
	Oid			base = getBaseType(f->rettype);
	int			i;
	bool		any = false;

	initStringInfo(&call);
	initStringInfo(&coldefs);
	appendStringInfo(&call, "%s(", quote_qualified_identifier("cos_api", fname));
	if (whole_body)
		appendStringInfo(&call, "$1::%s", format_type_be_qualified(f->types[0]));
	else
		for (i = 0; i < f->nin; i++)
		{
			const char *name;

			if (f->names[i] == NULL || json_object_get(args, f->names[i]) == NULL)
				continue;
			name = quote_identifier(f->names[i]);
			appendStringInfo(&call, "%s%s => _cos_a.%s", any ? ", " : "", name, name);
			appendStringInfo(&coldefs, "%s%s %s", any ? ", " : "", name,
							 format_type_be_qualified(f->types[i]));
			any = true;
		}
	appendStringInfoChar(&call, ')');

	*is_void = false;
	*rows = false;
	initStringInfo(&sql);
	if (f->retset || type_is_rowtype(f->rettype))
	{
		TupleDesc	tupdesc;

		if (type_is_rowtype(f->rettype) &&
			get_func_result_type(f->oid, NULL, &tupdesc) == TYPEFUNC_COMPOSITE &&
			cos_json_rows_supported(tupdesc))
		{
			appendStringInfoString(&sql, "SELECT _cos_r.* FROM ");
			*rows = true;
		}
		else
			appendStringInfoString(&sql, "SELECT COALESCE(pg_catalog.json_agg(_cos_r), '[]')::text FROM ");
		if (any)
			appendStringInfo(&sql, "pg_catalog.json_to_record($1::pg_catalog.json) AS _cos_a(%s), LATERAL ",
							 coldefs.data);
		appendStringInfo(&sql, "%s AS _cos_r", call.data);
		return sql.data;
	}
	if (base == JSONOID || base == JSONBOID)
		appendStringInfo(&sql, "SELECT (%s)::text", call.data);
	else if (base == VOIDOID)
	{
		appendStringInfo(&sql, "SELECT %s", call.data);
		*is_void = true;
	}
	else
		appendStringInfo(&sql, "SELECT pg_catalog.to_json(%s)::text", call.data);
	if (any)
		appendStringInfo(&sql, " FROM pg_catalog.json_to_record($1::pg_catalog.json) AS _cos_a(%s)",
						 coldefs.data);
	return sql.data;
}

/*
 * The prepared call of f with the arguments present in args (CallSql),
 * made on first use and kept; inside SPI.
 */
static RpcPlan *
PreparedCall(const char *fname, const RpcFunc *f, json_t *args, bool whole_body)
{
	RpcPlanKey	key;
	RpcPlan    *entry;
	bool		found;
	int			i;

	memset(&key, 0, sizeof(key));
	key.oid = f->oid;
	key.whole_body = whole_body;
	if (!whole_body)
		for (i = 0; i < f->nin && i < FUNC_MAX_ARGS; i++)
			if (f->names[i] != NULL && json_object_get(args, f->names[i]) != NULL)
				key.sent[i / 64] |= UINT64CONST(1) << (i % 64);

	if (rpc_plans != NULL && hash_get_num_entries(rpc_plans) >= RPC_MAX_PLANS)
	{
		HASH_SEQ_STATUS seq;

		hash_seq_init(&seq, rpc_plans);
		while ((entry = hash_seq_search(&seq)) != NULL)
			SPI_freeplan(entry->plan);
		hash_destroy(rpc_plans);
		rpc_plans = NULL;
	}
	if (rpc_plans == NULL)
	{
		HASHCTL		ctl;

		ctl.keysize = sizeof(RpcPlanKey);
		ctl.entrysize = sizeof(RpcPlan);
		rpc_plans = hash_create("cos http prepared calls", 64, &ctl, HASH_ELEM | HASH_BLOBS);
	}

	entry = hash_search(rpc_plans, &key, HASH_FIND, NULL);
	if (entry == NULL)
	{
		bool		is_void;
		bool		rows;
		Oid			paramtype = TEXTOID;
		char	   *sql = CallSql(fname, f, args, whole_body, &is_void, &rows);
		SPIPlanPtr	plan = SPI_prepare_cursor(sql, 1, &paramtype, CURSOR_OPT_GENERIC_PLAN);

		/* a failure raises before anything is entered */
		if (plan == NULL)
			elog(ERROR, "could not prepare the call of cos_api.%s: %s", fname,
				 SPI_result_code_string(SPI_result));
		if (SPI_keepplan(plan) != 0)
			elog(ERROR, "could not keep the plan of cos_api.%s", fname);
		entry = hash_search(rpc_plans, &key, HASH_ENTER, &found);
		entry->plan = plan;
		entry->is_void = is_void;
		entry->rows = rows;
	}
	return entry;
}

/* The named arguments of the request: the POST body or the query string. */
static json_t *
RequestArgs(CosHttpRequest *req, CosHttpResponse *resp)
{
	json_t	   *args;
	int			i;

	if (strcmp(req->method, "POST") != 0)
	{
		args = json_object();
		for (i = 0; i < req->nargs; i++)
		{
			/* jansson refuses a name or value that is not UTF-8 */
			if (json_object_set_new(args, req->args[i].name,
									json_string(req->args[i].value != NULL ? req->args[i].value : "")) != 0)
			{
				json_decref(args);
				cos_http_error(resp, 400, "PGRST100", "invalid query string",
							   "A query-string argument is not valid UTF-8.", NULL);
				return NULL;
			}
		}
		return args;
	}
	if (req->content_type != NULL &&
		pg_strncasecmp(req->content_type, "application/json", 16) != 0)
	{
		cos_http_error(resp, 415, "PGRST107",
					   psprintf("Content-Type not acceptable: %s", req->content_type), NULL,
					   "Send the arguments as a JSON object with Content-Type: application/json.");
		return NULL;
	}
	/* PostgREST: an empty body calls the function without arguments */
	if (req->body.len == 0)
		return json_object();
	{
		json_error_t err;

		args = json_loadb(req->body.data, req->body.len, JSON_DECODE_ANY, &err);
		if (args == NULL)
		{
			cos_http_error(resp, 400, "PGRST102", "Empty or invalid json",
						   psprintf("%s at line %d, column %d.", err.text, err.line, err.column),
						   NULL);
			return NULL;
		}
	}
	return args;
}

/*
 * Chooses the function, checks the method, sets the access mode and runs
 * the call; inside the request's transaction, after Authenticate.
 */
static void
CallFunction(CosHttpRequest *req, const char *fname, CosHttpResponse *resp, RpcAuth *auth)
{
	json_t	   *args = (json_t *) req->json;
	bool		post = strcmp(req->method, "POST") == 0;
	List	   *funcs = FunctionsNamed(fname);
	RpcFunc    *chosen = NULL;
	RpcFunc    *second = NULL;
	bool		whole_body = false;
	bool		is_void;
	ListCell   *lc;
	RpcPlan    *plan;
	Datum		param;
	char		nulls = ' ';
	bool		isnull;
	Datum		result;
	int			rc;

	if (json_is_object(args))
		foreach(lc, funcs)
	{
		RpcFunc    *f = lfirst(lc);

		if (!ArgsMatch(f, args))
			continue;
		if (chosen == NULL)
			chosen = f;
		else
			second = f;
	}
	if (chosen == NULL && post)
		foreach(lc, funcs)
	{
		if (TakesWholeBody(lfirst(lc)))
		{
			chosen = lfirst(lc);
			whole_body = true;
		}
	}

	if (chosen == NULL && post && !json_is_object(args) && funcs != NIL)
	{
		cos_http_error(resp, 400, "PGRST102", "Empty or invalid json",
					   "The body must be a JSON object of named arguments.", NULL);
		return;
	}
	if (chosen == NULL)
	{
		cos_http_error(resp, 404, "PGRST202",
					   psprintf("Could not find the function %s in the schema cache",
								Signature(fname, args)),
					   psprintf("Searched for the function cos_api.%s with these parameters "
								"or with a single unnamed json/jsonb parameter, but no matches were found.",
								fname),
					   funcs != NIL ? psprintf("Perhaps you meant to call the function %s",
											   Declared(fname, linitial(funcs))) : NULL);
		return;
	}
	if (second != NULL)
	{
		cos_http_error(resp, 300, "PGRST203",
					   psprintf("Could not choose the best candidate function between: %s, %s",
								Declared(fname, chosen), Declared(fname, second)),
					   NULL, "Rename the function or its arguments so that one matches.");
		return;
	}
	if (!post && chosen->volatility == PROVOLATILE_VOLATILE)
	{
		cos_http_error(resp, 405, "PGRST101",
					   psprintf("cannot call the volatile function cos_api.%s with %s",
								fname, req->method),
					   NULL, "Call it with POST; only STABLE and IMMUTABLE functions answer GET.");
		resp->allow = "OPTIONS, POST";
		return;
	}

	/* PostgREST's access mode: read-write only to POST a VOLATILE function */
	if (!(post && chosen->volatility == PROVOLATILE_VOLATILE))
		(void) set_config_option("transaction_read_only", "on", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);

	plan = PreparedCall(fname, chosen, args, whole_body);
	is_void = plan->is_void;
	{
		char	   *text = json_dumps(args, JSON_COMPACT | JSON_ENCODE_ANY);

		if (text == NULL)
			elog(ERROR, "could not serialise the arguments");
		param = CStringGetTextDatum(text);
		free(text);
	}
	rc = SPI_execute_plan(plan->plan, &param, &nulls, false, 0);
	if (rc == SPI_OK_SELECT && plan->rows)
	{
		StringInfoData body;

		initStringInfo(&body);
		cos_json_rows(&body, SPI_tuptable, SPI_processed);
		JsonAnswer(req, resp, body.data);
		return;
	}
	if (rc != SPI_OK_SELECT || SPI_processed != 1)
		elog(ERROR, "the call of cos_api.%s returned %llu rows", fname,
			 (unsigned long long) SPI_processed);
	if (is_void)
	{
		memset(resp, 0, sizeof(*resp));
		resp->status = 204;
		resp->body = "";
		return;
	}
	result = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	JsonAnswer(req, resp, isnull ? "null" : TextDatumGetCString(result));
}

/*
 * Sets the request's time limits, as SET LOCAL in its transaction:
 * statement_timeout = cos.http_statement_timeout, armed here once for the
 * whole transaction (a background worker has no client loop that would arm
 * it per statement, as postgres.c does), and lock_timeout =
 * cos.http_lock_timeout, which the lock manager reads at each wait.  Per
 * request rather than once per worker: a reload applies to the next
 * request, a function's own SET clause holds only inside it, and a
 * function's plain SET of either does not outlive its request.  An expired
 * limit cancels the request with 57014 or 55P03 (500, as in PostgREST).
 */
static void
SetRequestLimits(void)
{
	(void) set_config_option("statement_timeout", psprintf("%d", cos_http_statement_timeout_ms),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	(void) set_config_option("lock_timeout", psprintf("%d", cos_http_lock_timeout_ms),
							 PGC_USERSET, PGC_S_SESSION, GUC_ACTION_LOCAL, true, 0, false);
	if (cos_http_statement_timeout_ms > 0)
		enable_timeout_after(STATEMENT_TIMEOUT, cos_http_statement_timeout_ms);
}

/* Disarms the statement timer and drops a cancel that came too late. */
static void
DisarmStatementTimeout(void)
{
	disable_timeout(STATEMENT_TIMEOUT, false);
	QueryCancelPending = false;
}

void
cos_http_rpc(CosHttpRequest *req, const char *fname, CosHttpResponse *resp)
{
	MemoryContext cxt = CurrentMemoryContext;
	RpcAuth		auth = {0};
	volatile bool in_xact = false;

	req->json = RequestArgs(req, resp);
	if (req->json == NULL)
		return;

	PG_TRY();
	{
		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		in_xact = true;
		SetRequestLimits();
		SPI_connect();
		/* the answer is built in the request's context, which outlives SPI's */
		MemoryContextSwitchTo(cxt);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, psprintf("%s /rpc/%s", req->method, fname));

		if (Authenticate(req, resp, &auth))
			CallFunction(req, fname, resp, &auth);

		SPI_finish();
		PopActiveSnapshot();
		if (resp->status < 400)
			CommitTransactionCommand();
		else
			AbortCurrentTransaction();
		in_xact = false;
		DisarmStatementTimeout();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		DisarmStatementTimeout();
		if (in_xact)
			AbortCurrentTransaction();
		MemoryContextSwitchTo(cxt);
		ErrorAnswer(req, resp, edata, &auth);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	pgstat_report_stat(false);
}

void
cos_http_upload(CosHttpRequest *req, const char *name, CosHttpResponse *resp)
{
	MemoryContext cxt = CurrentMemoryContext;
	RpcAuth		auth = {0};
	volatile bool in_xact = false;

	if (!cos_upload_name_valid(name))
	{
		cos_http_error(resp, 404, "PGRST125", "no such upload",
					   "An upload is named by the SHA-256 of its content, 64 lower-case hexadecimal digits.",
					   NULL);
		return;
	}

	PG_TRY();
	{
		Oid			nsp;

		SetCurrentStatementStartTimestamp();
		StartTransactionCommand();
		in_xact = true;
		SetRequestLimits();
		SPI_connect();
		MemoryContextSwitchTo(cxt);
		PushActiveSnapshot(GetTransactionSnapshot());
		pgstat_report_activity(STATE_RUNNING, "GET /uploads/");
		(void) set_config_option("transaction_read_only", "on", PGC_USERSET, PGC_S_SESSION,
								 GUC_ACTION_LOCAL, true, 0, false);

		nsp = get_namespace_oid("cos", true);
		/* uploads are public: read as the anonymous role, like PostgREST */
		if (OidIsValid(get_role_oid(COS_ANON_ROLE, true)))
			(void) set_config_option("role", COS_ANON_ROLE, PGC_USERSET, PGC_S_SESSION,
									 GUC_ACTION_LOCAL, true, 0, false);
		if (!OidIsValid(nsp) || !OidIsValid(get_relname_relid("uploads", nsp)))
			cos_http_error(resp, 404, "PGRST125", "no such upload", "Table cos.uploads does not exist.",
						   "CREATE EXTENSION cos in the database the gateway serves (cos.database).");
		else
		{
			Oid			argtype = TEXTOID;
			Datum		arg = CStringGetTextDatum(name);
			char		nulls = ' ';
			int			rc;

			rc = SPI_execute_with_args("SELECT content_type, body FROM cos.uploads WHERE sha256 = $1",
									   1, &argtype, &arg, &nulls, true, 1);
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "could not read cos.uploads");
			if (SPI_processed == 0)
				cos_http_error(resp, 404, "PGRST125", "no such upload",
							   psprintf("No upload is named %s.", name), NULL);
			else
			{
				HeapTuple	tup = SPI_tuptable->vals[0];
				TupleDesc	desc = SPI_tuptable->tupdesc;
				char	   *etag = MemoryContextStrdup(req->cxt, psprintf("\"%s\"", name));
				bool		isnull;

				memset(resp, 0, sizeof(*resp));
				resp->etag = etag;
				resp->cache_control = "public, max-age=31536000, immutable";
				if (cos_etag_matches(req->if_none_match, etag))
				{
					resp->status = 304;
					resp->body = "";
				}
				else
				{
					Datum		body = SPI_getbinval(tup, desc, 2, &isnull);
					bytea	   *b = DatumGetByteaPP(body);
					size_t		len = VARSIZE_ANY_EXHDR(b);
					char	   *copy = MemoryContextAlloc(req->cxt, len + 1);

					memcpy(copy, VARDATA_ANY(b), len);
					resp->status = 200;
					resp->body = copy;
					resp->body_len = len;
					resp->content_type = MemoryContextStrdup(req->cxt,
															 SPI_getvalue(tup, desc, 1));
				}
			}
		}

		SPI_finish();
		PopActiveSnapshot();
		CommitTransactionCommand();
		in_xact = false;
		DisarmStatementTimeout();
	}
	PG_CATCH();
	{
		ErrorData  *edata;

		MemoryContextSwitchTo(cxt);
		edata = CopyErrorData();
		FlushErrorState();
		DisarmStatementTimeout();
		if (in_xact)
			AbortCurrentTransaction();
		MemoryContextSwitchTo(cxt);
		ErrorAnswer(req, resp, edata, &auth);
	}
	PG_END_TRY();
	MemoryContextSwitchTo(cxt);
	pgstat_report_activity(STATE_IDLE, NULL);
	pgstat_report_stat(false);
}

/*
 * sql_funcs.c
 *	  SQL-callable C: cos.parse_url, cos.extract, cos._wake,
 *	  cos._thumbnail_url_allowed.
 */
#include "postgres.h"

#include "access/htup_details.h"
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "fmgr.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
/* PostgreSQL's json_object() SQL function clashes with jansson's */
#define json_object pg_json_object
#include "utils/builtins.h"
#undef json_object
#include "utils/array.h"
#include "utils/jsonb.h"

#include "cos.h"
#include "extract.h"
#include "thumbnail.h"
#include "url.h"

PG_FUNCTION_INFO_V1(cos_parse_url);
PG_FUNCTION_INFO_V1(cos_extract_sql);
PG_FUNCTION_INFO_V1(cos_wake);
PG_FUNCTION_INFO_V1(cos_wake_bot_sql);
PG_FUNCTION_INFO_V1(cos_thumbnail_url_allowed_sql);

static bool wake_registered = false;
static bool wake_pending = false;
static bool wake_bot_pending = false;

/* cos_clip: see cos.h */
char *
cos_clip(const char *s)
{
	int			len = strlen(s);
	int			cut;

	if (pg_mbstrlen_with_len(s, len) <= COS_CLIP_CHARS)
		return pstrdup(s);
	cut = pg_mbcharcliplen(s, len, COS_CLIP_CHARS);
	return psprintf("%.*s…", cut, s);
}

/*
 * cos.parse_url(url text) -> (platform, kind, id, canonical_url, pending, handle)
 * Raises invalid_parameter_value, with the accepted forms as a hint, for a URL
 * that names no supported channel or video.
 */
Datum
cos_parse_url(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));
	CosUrl		parsed;
	char		err[256];
	TupleDesc	tupdesc;
	Datum		values[6];
	bool		nulls[6] = {0};

	if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
		elog(ERROR, "return type must be a row type");

	if (!cos_url_parse(url, &parsed, err, sizeof(err)))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unsupported URL \"%s\": %s", cos_clip(url), err),
				 errhint("%s", cos_url_accepted_forms())));

	values[0] = CStringGetTextDatum(cos_platform_name(parsed.platform));
	values[1] = CStringGetTextDatum(parsed.kind == COS_KIND_VIDEO ? "video" : "channel");
	values[2] = CStringGetTextDatum(parsed.id);
	values[3] = CStringGetTextDatum(parsed.canonical);
	values[4] = BoolGetDatum(parsed.pending);
	values[5] = CStringGetTextDatum(parsed.handle);

	PG_RETURN_DATUM(HeapTupleGetDatum(heap_form_tuple(BlessTupleDesc(tupdesc), values, nulls)));
}

/*
 * cos.extract(url text, body bytea) -> jsonb: the extractor's result for a
 * body fetched from url (see extract.h for the format).
 */
Datum
cos_extract_sql(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bytea	   *body = PG_GETARG_BYTEA_PP(1);
	json_t	   *result;
	char	   *json;
	Datum		jsonb;

	result = cos_extract(url, VARDATA_ANY(body), VARSIZE_ANY_EXHDR(body));
	if (result == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while extracting")));
	json = json_dumps(result, JSON_COMPACT);
	json_decref(result);
	if (json == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory while serialising the extraction result")));

	PG_TRY();
	{
		jsonb = DirectFunctionCall1(jsonb_in, CStringGetDatum(json));
	}
	PG_FINALLY();
	{
		free(json);
	}
	PG_END_TRY();

	PG_RETURN_DATUM(jsonb);
}

/* On commit, wakes the fetch workers if this transaction asked to. */
static void
WakeAtCommit(XactEvent event, void *arg)
{
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
			if (wake_pending)
				cos_wake_fetch_workers();
			if (wake_bot_pending)
				cos_wake_bot();
			wake_pending = false;
			wake_bot_pending = false;
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			wake_pending = false;
			wake_bot_pending = false;
			break;
		default:
			break;
	}
}

/*
 * cos._wake() -> void: the fetch workers are woken when the calling
 * transaction commits (nothing happens if it aborts).
 */
Datum
cos_wake(PG_FUNCTION_ARGS)
{
	if (!wake_registered)
	{
		RegisterXactCallback(WakeAtCommit, NULL);
		wake_registered = true;
	}
	wake_pending = true;
	PG_RETURN_VOID();
}

/*
 * cos._wake_bot() -> void: the bot worker is woken when the calling
 * transaction commits (it sends the outbox rows queued), nothing if it
 * aborts.
 */
Datum
cos_wake_bot_sql(PG_FUNCTION_ARGS)
{
	if (!wake_registered)
	{
		RegisterXactCallback(WakeAtCommit, NULL);
		wake_registered = true;
	}
	wake_bot_pending = true;
	PG_RETURN_VOID();
}

/*
 * cos._thumbnail_url_allowed(url text, cdn_hosts text[]) -> boolean: whether
 * url may be downloaded as a thumbnail of a platform with those CDN host
 * suffixes (cos_thumbnail_url_allowed in thumbnail.h; NULL elements are
 * skipped).  Never raises for a bad URL: false is the answer.
 */
Datum
cos_thumbnail_url_allowed_sql(PG_FUNCTION_ARGS)
{
	char	   *url = text_to_cstring(PG_GETARG_TEXT_PP(0));
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(1);
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	int			i;
	const char **hosts;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_ARRAY_SUBSCRIPT_ERROR),
				 errmsg("cdn_hosts must be a one-dimensional array")));
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	hosts = palloc0(sizeof(char *) * Max(n, 1));
	for (i = 0; i < n; i++)
		hosts[i] = nulls[i] ? NULL : TextDatumGetCString(elems[i]);
	PG_RETURN_BOOL(cos_thumbnail_url_allowed(url, hosts, n, NULL, 0, NULL, 0));
}

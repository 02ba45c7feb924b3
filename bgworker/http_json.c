/*
 * http_json.c
 *	  The HTTP gateway's answer for functions returning rows: the rows SPI
 *	  fetched, written as a JSON array of objects.
 *
 * PostgREST (and this gateway, before) write such an answer with
 * json_agg(row), which looks up each column's type category and output
 * function again for every row: for a page of 50 videos of 21 columns that
 * was as much CPU as the query.  Here each column's category and output
 * function are looked up once per answer, and integers are written
 * directly; the JSON is the one json_agg writes (same numbers, the same ISO
 * 8601 times from JsonEncodeDateTime, strings escaped by escape_json, json
 * and jsonb as their text).  Types json_agg would write otherwise (arrays,
 * composites, types with a cast to json) are not handled here: the caller
 * checks cos_json_rows_supported first and keeps json_agg for them.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "access/transam.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/datetime.h"
#include "utils/json.h"
#include "utils/jsonfuncs.h"
#include "utils/lsyscache.h"

#include "http.h"

/* how a column's values are written */
typedef enum JsonCategory
{
	JC_UNSUPPORTED,
	JC_BOOL,
	JC_INT,						/* int2, int4, int8: digits */
	JC_NUMERIC,					/* float4, float8, numeric: a number, or a
								 * string for NaN and infinities */
	JC_DATETIME,				/* date, timestamp, timestamptz */
	JC_JSON,					/* json, jsonb: their text */
	JC_STRING					/* any other built-in scalar: its text, quoted */
} JsonCategory;

/* The category of a column of type typid (domains: their base type). */
static JsonCategory
Categorize(Oid typid)
{
	typid = getBaseType(typid);
	switch (typid)
	{
		case BOOLOID:
			return JC_BOOL;
		case INT2OID:
		case INT4OID:
		case INT8OID:
			return JC_INT;
		case FLOAT4OID:
		case FLOAT8OID:
		case NUMERICOID:
			return JC_NUMERIC;
		case DATEOID:
		case TIMESTAMPOID:
		case TIMESTAMPTZOID:
			return JC_DATETIME;
		case JSONOID:
		case JSONBOID:
			return JC_JSON;
		default:
			/* json_agg writes these as arrays, objects or through a cast */
			if (typid >= FirstNormalObjectId || OidIsValid(get_element_type(typid)) ||
				type_is_rowtype(typid))
				return JC_UNSUPPORTED;
			return JC_STRING;
	}
}

/*
 * Whether every column of tupdesc (a function's result row) is of a type
 * cos_json_rows writes.
 */
bool
cos_json_rows_supported(TupleDesc tupdesc)
{
	for (int i = 0; i < tupdesc->natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);

		if (!att->attisdropped && Categorize(att->atttypid) == JC_UNSUPPORTED)
			return false;
	}
	return true;
}

/*
 * Appends to out the n rows of tt as a JSON array of objects (column name:
 * value; NULL as null), as json_agg(row) writes them; "[]" for none.
 * Errors from a type's output function propagate.
 */
void
cos_json_rows(StringInfo out, SPITupleTable *tt, uint64 n)
{
	TupleDesc	tupdesc = tt->tupdesc;
	int			natts = tupdesc->natts;
	JsonCategory *cat = palloc(natts * sizeof(JsonCategory));
	Oid		   *base = palloc(natts * sizeof(Oid));
	FmgrInfo   *outfn = palloc0(natts * sizeof(FmgrInfo));

	for (int i = 0; i < natts; i++)
	{
		Form_pg_attribute att = TupleDescAttr(tupdesc, i);
		Oid			fn;
		bool		varlena;

		cat[i] = Categorize(att->atttypid);
		base[i] = getBaseType(att->atttypid);
		if (cat[i] == JC_UNSUPPORTED)
			elog(ERROR, "column \"%s\" of type %s cannot be written as JSON here",
				 NameStr(att->attname), format_type_be(att->atttypid));
		getTypeOutputInfo(att->atttypid, &fn, &varlena);
		fmgr_info(fn, &outfn[i]);
	}

	appendStringInfoChar(out, '[');
	for (uint64 r = 0; r < n; r++)
	{
		HeapTuple	tuple = tt->vals[r];
		bool		first = true;

		if (r > 0)
			appendStringInfoString(out, ", ");
		appendStringInfoChar(out, '{');
		for (int i = 0; i < natts; i++)
		{
			Form_pg_attribute att = TupleDescAttr(tupdesc, i);
			bool		isnull;
			Datum		v;

			if (att->attisdropped)
				continue;
			if (!first)
				appendStringInfoChar(out, ',');
			first = false;
			escape_json(out, NameStr(att->attname));
			appendStringInfoChar(out, ':');
			v = heap_getattr(tuple, i + 1, tupdesc, &isnull);
			if (isnull)
			{
				appendStringInfoString(out, "null");
				continue;
			}
			switch (cat[i])
			{
				case JC_BOOL:
					appendStringInfoString(out, DatumGetBool(v) ? "true" : "false");
					break;
				case JC_INT:
					{
						char		buf[MAXINT8LEN + 1];

						pg_lltoa(base[i] == INT8OID ? DatumGetInt64(v) :
								 base[i] == INT4OID ? DatumGetInt32(v) : DatumGetInt16(v), buf);
						appendStringInfoString(out, buf);
						break;
					}
				case JC_NUMERIC:
					{
						char	   *s = OutputFunctionCall(&outfn[i], v);

						if (IsValidJsonNumber(s, strlen(s)))
							appendStringInfoString(out, s);
						else
							escape_json(out, s);
						break;
					}
				case JC_DATETIME:
					{
						char		buf[MAXDATELEN + 1];

						JsonEncodeDateTime(buf, v, base[i], NULL);
						appendStringInfoChar(out, '"');
						appendStringInfoString(out, buf);
						appendStringInfoChar(out, '"');
						break;
					}
				case JC_JSON:
					appendStringInfoString(out, OutputFunctionCall(&outfn[i], v));
					break;
				case JC_STRING:
					escape_json(out, OutputFunctionCall(&outfn[i], v));
					break;
				case JC_UNSUPPORTED:
					pg_unreachable();
			}
		}
		appendStringInfoChar(out, '}');
	}
	appendStringInfoChar(out, ']');
}

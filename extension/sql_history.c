/*
 * sql_history.c
 *	  cos._history_series: one video's or channel's counters as a series of
 *	  time buckets; cos._history_change: the last two snapshots of many
 *	  videos.  Both read straight from the primary-key index of each
 *	  partition of cos.video_history or cos.channel_history.
 *
 * The series the mini-app draws (cos_api.video_series, channel_series) need,
 * per bucket, the last row at or before the bucket's end.  In SQL that is one
 * LIMIT 1 probe per bucket through the partitioned table, and each probe pays
 * for run-time partition pruning and a rescan of the Append above the
 * partitions' index scans (~10 us: 0.5 ms for 50 weekly buckets), and every
 * call locks and opens every partition.  Here only the partitions whose range
 * meets the series are opened, and each is read with one backward index
 * descent per bucket, from its latest row down, each descent bounded to its
 * bucket.
 */
#include "postgres.h"

#include "access/genam.h"
#include "access/relation.h"
#include "access/stratnum.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/partition.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "common/int.h"
#include "executor/tuptable.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "partitioning/partbounds.h"
#include "partitioning/partdesc.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/partcache.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"

PG_FUNCTION_INFO_V1(cos_history_series);
PG_FUNCTION_INFO_V1(cos_history_change);

/* counters per row: video_history has five (the SQL function's c1..c5) */
#define HISTORY_MAX_COLS 5

/* the last snapshot of one bucket, so far */
typedef struct BucketLast
{
	bool		found;
	TimestampTz at;
	int64		vals[HISTORY_MAX_COLS];
	bool		nulls[HISTORY_MAX_COLS];
} BucketLast;

/* a leaf partition to read, and the range [lower, upper) it holds */
typedef struct HistoryPart
{
	Oid			relid;
	TimestampTz lower;
	TimestampTz upper;
} HistoryPart;

/* what the series is read for */
typedef struct SeriesScan
{
	int64		key;
	const TimestampTz *bounds;	/* nbounds strictly ascending times */
	int			nbounds;
	char	  **cols;
	int			ncols;
	BucketLast *best;			/* nbounds - 1 buckets */
} SeriesScan;

/* The bucket of at, within (bounds[0], bounds[nbounds - 1]]: the j with
 * bounds[j] < at <= bounds[j + 1]. */
static int
BucketOf(const TimestampTz *bounds, int nbounds, TimestampTz at)
{
	int			lo = 0;
	int			hi = nbounds - 2;

	while (lo < hi)
	{
		int			mid = (lo + hi + 1) / 2;

		if (bounds[mid] < at)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

/* The attribute number of column name in rel, which must be of type typid. */
static AttrNumber
HistoryColumn(Relation rel, const char *name, Oid typid)
{
	AttrNumber	attnum = get_attnum(RelationGetRelid(rel), name);

	/* (system columns, which have negative numbers, are not counters) */
	if (attnum <= 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_COLUMN),
				 errmsg("column \"%s\" of relation \"%s\" does not exist",
						name, RelationGetRelationName(rel))));
	if (TupleDescAttr(RelationGetDescr(rel), attnum - 1)->atttypid != typid)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("column \"%s\" of relation \"%s\" is not of type %s",
						name, RelationGetRelationName(rel), format_type_be(typid))));
	return attnum;
}

/* A range bound of a partition on one timestamptz column, as a time. */
static TimestampTz
RangeBound(PartitionBoundInfo bi, int i)
{
	if (bi->kind[i][0] == PARTITION_RANGE_DATUM_MINVALUE)
		return DT_NOBEGIN;
	if (bi->kind[i][0] == PARTITION_RANGE_DATUM_MAXVALUE)
		return DT_NOEND;
	return DatumGetTimestampTz(bi->datums[i][0]);
}

/* Appends a leaf partition to *parts (grown as needed). */
static void
AddPart(HistoryPart **parts, int *nparts, int *maxparts, Oid relid,
		TimestampTz lower, TimestampTz upper)
{
	if (*nparts == *maxparts)
	{
		*maxparts *= 2;
		*parts = repalloc(*parts, *maxparts * sizeof(HistoryPart));
	}
	(*parts)[(*nparts)++] = (HistoryPart)
	{
		relid, lower, upper
	};
}

/*
 * Appends to *parts the leaf partitions of rel (or rel itself) that may hold
 * rows in (lo, hi], locking each.  A range partitioning on captured_at alone
 * gives each partition's range, and those outside (lo, hi] are skipped; any
 * other partitioning (and the default partition) is read whole.
 */
static void
CollectParts(Relation rel, AttrNumber at_attnum, TimestampTz lo, TimestampTz hi,
			 HistoryPart **parts, int *nparts, int *maxparts)
{
	PartitionKey pkey;
	PartitionDesc pdesc;
	PartitionBoundInfo bi;
	bool		by_time;
	int			n;
	Oid		   *oids;
	bool	   *leaf;
	TimestampTz *lower;
	TimestampTz *upper;

	if (rel->rd_rel->relkind == RELKIND_RELATION)
	{
		AddPart(parts, nparts, maxparts, RelationGetRelid(rel), DT_NOBEGIN, DT_NOEND);
		return;
	}
	if (rel->rd_rel->relkind != RELKIND_PARTITIONED_TABLE)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" is neither a table nor a partitioned table",
						RelationGetRelationName(rel))));

	/* copy what is needed out of the relcache before opening partitions */
	pkey = RelationGetPartitionKey(rel);
	pdesc = RelationGetPartitionDesc(rel, true);
	bi = pdesc->boundinfo;
	n = pdesc->nparts;
	by_time = bi != NULL && pkey->strategy == PARTITION_STRATEGY_RANGE &&
		pkey->partnatts == 1 && pkey->partattrs[0] == at_attnum;
	oids = palloc(n * sizeof(Oid));
	leaf = palloc(n * sizeof(bool));
	lower = palloc(n * sizeof(TimestampTz));
	upper = palloc(n * sizeof(TimestampTz));
	for (int p = 0; p < n; p++)
	{
		oids[p] = pdesc->oids[p];
		leaf[p] = pdesc->is_leaf[p];
		lower[p] = DT_NOBEGIN;
		upper[p] = DT_NOEND;
	}
	/* range bounds: indexes[i] is the partition [datums[i - 1], datums[i]) */
	if (by_time)
		for (int i = 1; i < bi->nindexes && i < bi->ndatums + 1; i++)
		{
			int			p = bi->indexes[i];

			if (p < 0)
				continue;
			lower[p] = RangeBound(bi, i - 1);
			upper[p] = i < bi->ndatums ? RangeBound(bi, i) : DT_NOEND;
		}

	for (int p = 0; p < n; p++)
	{
		Relation	part;

		/* rows t with lo < t <= hi and lower <= t < upper */
		if (lower[p] > hi || upper[p] <= lo + 1)
			continue;
		part = table_open(oids[p], AccessShareLock);
		if (leaf[p])
			AddPart(parts, nparts, maxparts, oids[p], lower[p], upper[p]);
		else
			CollectParts(part, HistoryColumn(part, "captured_at", TIMESTAMPTZOID),
						 lo, hi, parts, nparts, maxparts);
		table_close(part, NoLock);
	}
}

/* One leaf partition's primary key (key bigint, captured_at, ...), open
 * for backward descents. */
typedef struct HistoryIndex
{
	Relation	heap;
	Relation	index;
	AttrNumber	at_attnum;
	AttrNumber	col_attnum[HISTORY_MAX_COLS];
	int			ncols;
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData skey[3];
} HistoryIndex;

/* Opens partition partid and its primary key for reading cols (bigint). */
static void
HistoryIndexOpen(HistoryIndex *hi, Oid partid, char **cols, int ncols)
{
	Oid			indexid;

	hi->heap = table_open(partid, AccessShareLock);
	indexid = RelationGetPrimaryKeyIndex(hi->heap);
	if (!OidIsValid(indexid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" has no primary key", RelationGetRelationName(hi->heap))));
	hi->index = index_open(indexid, AccessShareLock);
	hi->at_attnum = HistoryColumn(hi->heap, "captured_at", TIMESTAMPTZOID);
	if (hi->index->rd_index->indnkeyatts < 2 || hi->index->rd_index->indkey.values[0] <= 0 ||
		TupleDescAttr(RelationGetDescr(hi->heap), hi->index->rd_index->indkey.values[0] - 1)->atttypid != INT8OID ||
		hi->index->rd_index->indkey.values[1] != hi->at_attnum)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the primary key of \"%s\" is not (bigint, captured_at, ...)",
						RelationGetRelationName(hi->heap))));
	hi->ncols = ncols;
	for (int c = 0; c < ncols; c++)
		hi->col_attnum[c] = HistoryColumn(hi->heap, cols[c], INT8OID);
	hi->slot = table_slot_create(hi->heap, NULL);
	hi->scan = index_beginscan(hi->heap, hi->index, GetActiveSnapshot(), 3, 0);
}

/*
 * Positions a backward scan on the latest visible row of key in (after,
 * upto]; false when there is none.  The lower bound keeps the leaf page from
 * being walked past the range.  HistoryIndexNext steps to the row before.
 */
static bool
HistoryIndexDescend(HistoryIndex *hi, int64 key, TimestampTz after, TimestampTz upto)
{
	CHECK_FOR_INTERRUPTS();
	ScanKeyInit(&hi->skey[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(key));
	ScanKeyInit(&hi->skey[1], 2, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE,
				TimestampTzGetDatum(upto));
	ScanKeyInit(&hi->skey[2], 2, BTGreaterStrategyNumber, F_TIMESTAMPTZ_GT,
				TimestampTzGetDatum(after));
	index_rescan(hi->scan, hi->skey, 3, NULL, 0);
	return index_getnext_slot(hi->scan, BackwardScanDirection, hi->slot);
}

/* Moves to the visible row before the current one in the range; false at
 * its start. */
static bool
HistoryIndexNext(HistoryIndex *hi)
{
	return index_getnext_slot(hi->scan, BackwardScanDirection, hi->slot);
}

/* The time and counters of the row the scan is on. */
static void
HistoryIndexRow(HistoryIndex *hi, BucketLast *row)
{
	bool		isnull;

	row->found = true;
	row->at = DatumGetTimestampTz(slot_getattr(hi->slot, hi->at_attnum, &isnull));
	for (int c = 0; c < hi->ncols; c++)
	{
		Datum		v = slot_getattr(hi->slot, hi->col_attnum[c], &row->nulls[c]);

		row->vals[c] = row->nulls[c] ? 0 : DatumGetInt64(v);
	}
}

static void
HistoryIndexClose(HistoryIndex *hi)
{
	index_endscan(hi->scan);
	ExecDropSingleTupleTableSlot(hi->slot);
	index_close(hi->index, NoLock);
	table_close(hi->heap, NoLock);
}

/*
 * Reads one leaf partition backwards: the latest visible row of the key in
 * the series, then one descent per earlier bucket, each bounded to its
 * bucket; keeps in s->best[j] the latest row of bucket j.
 */
static void
ScanPartition(const HistoryPart *part, SeriesScan *s)
{
	HistoryIndex hi;
	const TimestampTz *bounds = s->bounds;
	int			last = s->nbounds - 1;
	int			j;
	bool		first = true;

	HistoryIndexOpen(&hi, part->relid, s->cols, s->ncols);
	/* the last bucket the partition's range reaches */
	j = part->upper > bounds[last] ? last - 1 : BucketOf(bounds, s->nbounds, part->upper);
	while (j >= 0 && bounds[j + 1] >= part->lower)
	{
		BucketLast	row;

		/*
		 * The first descent finds the latest row of the series in the
		 * partition, wherever it is; the next ones only bucket j's rows.
		 */
		if (!HistoryIndexDescend(&hi, s->key, first ? bounds[0] : bounds[j], bounds[j + 1]))
		{
			if (first)
				break;			/* nothing of the key in the series */
			j--;
			continue;
		}
		HistoryIndexRow(&hi, &row);
		j = BucketOf(bounds, s->nbounds, row.at);
		if (!s->best[j].found || row.at > s->best[j].at)
			s->best[j] = row;
		first = false;
		j--;
	}
	HistoryIndexClose(&hi);
}

/* The elements of arr (of elemtype) into *n datums, or 22023 naming what
 * when one is NULL. */
static Datum *
ArrayNoNulls(ArrayType *arr, Oid elemtype, const char *what, int *n)
{
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *datums;
	bool	   *dnulls;

	get_typlenbyvalalign(elemtype, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elemtype, typlen, typbyval, typalign, &datums, &dnulls, n);
	for (int i = 0; i < *n; i++)
		if (dnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("%s must not contain NULLs", what)));
	return datums;
}

/* The names in cols (text[]) into cols_out, checked: 1 to HISTORY_MAX_COLS,
 * no NULLs; returns how many. */
static int
HistoryCols(ArrayType *cols_arr, char **cols_out)
{
	int			n;
	Datum	   *datums = ArrayNoNulls(cols_arr, TEXTOID, "cols", &n);

	if (n < 1 || n > HISTORY_MAX_COLS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cols must name 1 to %d columns", HISTORY_MAX_COLS)));
	for (int c = 0; c < n; c++)
		cols_out[c] = TextDatumGetCString(datums[c]);
	return n;
}

/*
 * The leaf partitions of hist that may hold rows in (lo, hi], each locked,
 * after the checks the executor makes for SELECT ... FROM hist and a check
 * that cols are bigint columns of it; fname names the caller in errors.
 */
static HistoryPart *
HistoryParts(Oid relid, char **cols, int ncols, TimestampTz lo, TimestampTz hi,
			 const char *fname, int *nparts)
{
	AclResult	aclresult;
	Relation	rel;
	HistoryPart *parts;
	int			maxparts = 16;

	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row security applies to \"%s\" for the current user",
						get_rel_name(relid)),
				 errdetail("%s reads the table's indexes directly.", fname)));

	rel = table_open(relid, AccessShareLock);
	for (int c = 0; c < ncols; c++)
		(void) HistoryColumn(rel, cols[c], INT8OID);
	parts = palloc(maxparts * sizeof(HistoryPart));
	*nparts = 0;
	CollectParts(rel, HistoryColumn(rel, "captured_at", TIMESTAMPTZOID), lo, hi,
				 &parts, nparts, &maxparts);
	table_close(rel, NoLock);
	return parts;
}

/* a - b, or 22003 */
static int64
HistoryChange(int64 a, int64 b)
{
	int64		d;

	if (pg_sub_s64_overflow(a, b, &d))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("bigint out of range")));
	return d;
}

/* The timestamptz elements of arr into *n times, or 22023 naming what
 * when one is NULL. */
static TimestampTz *
HistoryTimes(ArrayType *arr, const char *what, int *n)
{
	Datum	   *datums = ArrayNoNulls(arr, TIMESTAMPTZOID, what, n);
	TimestampTz *t = palloc(Max(*n, 1) * sizeof(TimestampTz));

	for (int i = 0; i < *n; i++)
		t[i] = DatumGetTimestampTz(datums[i]);
	return t;
}

/*
 * cos._history_series(hist regclass, key bigint, bounds timestamptz[],
 *                     cols text[])
 *   -> SETOF (bucket_start, bucket_end timestamptz, c1 .. c5 bigint,
 *             d1 .. d5 bigint)
 *
 * hist: a table, partitioned or not, whose primary key starts (bigint key,
 * captured_at timestamptz): cos.video_history or cos.channel_history.
 * bounds: n + 1 strictly ascending times making n buckets (bounds[j],
 * bounds[j + 1]] (both ends are instants; a row exactly at a bucket's end is
 * in it).  cols: 1 to 5 bigint columns of hist, by name.
 *
 * One row per bucket but the first, in order: the counters of the last
 * snapshot of key in the bucket (c1.. in the order of cols; NULL when the
 * bucket has none, or the counter was NULL) and their change since the last
 * snapshot of an earlier bucket (d1..; the first bucket is only the lookback
 * for the second's change).  Rows are those visible to the query's snapshot.
 *
 * Raises 22023 for bounds with NULLs, fewer than two elements or not strictly
 * ascending, and for cols empty, too many or with NULLs; 42501 when the
 * current user may not SELECT from hist; 0A000 when row security applies to
 * it; 42703/42804 for a missing or non-bigint column; 42809 when a partition
 * has no primary key (bigint, captured_at, ...); 22003 when a change
 * overflows.
 */
Datum
cos_history_series(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *bounds_arr = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *cols_arr = PG_GETARG_ARRAYTYPE_P(3);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SeriesScan	s;
	int			n;
	char	   *cols[HISTORY_MAX_COLS];
	TimestampTz *bounds;
	HistoryPart *parts;
	int			nparts;
	const BucketLast *prev = NULL;

	InitMaterializedSRF(fcinfo, 0);

	bounds = HistoryTimes(bounds_arr, "bounds", &n);
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds must have at least two elements")));
	for (int i = 1; i < n; i++)
		if (bounds[i] <= bounds[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bounds must be strictly ascending")));
	s.key = PG_GETARG_INT64(1);
	s.bounds = bounds;
	s.nbounds = n;
	s.best = palloc0((n - 1) * sizeof(BucketLast));

	s.cols = cols;
	s.ncols = HistoryCols(cols_arr, cols);
	parts = HistoryParts(relid, cols, s.ncols, bounds[0], bounds[s.nbounds - 1],
						 "cos._history_series", &nparts);
	for (int p = 0; p < nparts; p++)
		ScanPartition(&parts[p], &s);

	for (int j = 0; j < s.nbounds - 1; j++)
	{
		const BucketLast *b = &s.best[j];
		Datum		values[2 + 2 * HISTORY_MAX_COLS] = {0};
		bool		nulls[2 + 2 * HISTORY_MAX_COLS];

		if (j > 0)
		{
			memset(nulls, true, sizeof(nulls));
			values[0] = TimestampTzGetDatum(bounds[j]);
			values[1] = TimestampTzGetDatum(bounds[j + 1]);
			nulls[0] = nulls[1] = false;
			for (int c = 0; c < s.ncols && b->found; c++)
			{
				if (b->nulls[c])
					continue;
				values[2 + c] = Int64GetDatum(b->vals[c]);
				nulls[2 + c] = false;
				if (prev == NULL || prev->nulls[c])
					continue;
				values[2 + HISTORY_MAX_COLS + c] = Int64GetDatum(HistoryChange(b->vals[c], prev->vals[c]));
				nulls[2 + HISTORY_MAX_COLS + c] = false;
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		if (b->found)
			prev = b;
	}
	PG_RETURN_VOID();
}

/* qsort: partitions newest first (by the end of their range) */
static int
PartNewerFirst(const void *a, const void *b)
{
	TimestampTz ua = ((const HistoryPart *) a)->upper;
	TimestampTz ub = ((const HistoryPart *) b)->upper;

	return ua > ub ? -1 : ua < ub ? 1 : 0;
}

/* Merges row into top, the latest two rows of a key so far. */
static void
KeepLastTwo(BucketLast *top, const BucketLast *row)
{
	if (!top[0].found || row->at > top[0].at)
	{
		top[1] = top[0];
		top[0] = *row;
	}
	else if (!top[1].found || row->at > top[1].at)
		top[1] = *row;
}

/* the recent part of a key's range read first, in ScanLastTwo */
#define RECENT_USECS (3 * USECS_PER_DAY)

/*
 * Keeps in top the latest two visible rows of key in (start, end] of one
 * partition.  A backward descent reads the rest of the key's rows on its
 * leaf page down to the range's start, so the last three days (six
 * snapshots at twice a day) are read first, and the rest of the range only
 * when they hold fewer than two.
 */
static void
ScanLastTwo(HistoryIndex *hx, int64 key, TimestampTz start, TimestampTz end, BucketLast *top)
{
	TimestampTz recent = end - start > RECENT_USECS ? end - RECENT_USECS : start;
	int			got = 0;
	BucketLast	row;

	if (HistoryIndexDescend(hx, key, recent, end))
		do
		{
			HistoryIndexRow(hx, &row);
			KeepLastTwo(top, &row);
		} while (++got < 2 && HistoryIndexNext(hx));
	if (got < 2 && recent > start && HistoryIndexDescend(hx, key, start, recent))
		do
		{
			HistoryIndexRow(hx, &row);
			KeepLastTwo(top, &row);
		} while (++got < 2 && HistoryIndexNext(hx));
}

/*
 * cos._history_change(hist regclass, keys bigint[], starts timestamptz[],
 *                     ends timestamptz[], cols text[])
 *   -> SETOF (key bigint, captured_at timestamptz, previous_at timestamptz,
 *             c1 .. c5 bigint, d1 .. d5 bigint)
 *
 * hist as for cos._history_series.  For each keys[i] (in order; one row per
 * key that has a snapshot in its range), the last two snapshots in
 * (starts[i], ends[i]] (UTC instants): the time of the last (captured_at) and
 * of the one before (previous_at, NULL when there is one only), the last's
 * cols (c1.., in the order of cols) and their change since the one before
 * (d1..; NULL when either is NULL).  Partitions are read newest first and
 * only while a key can still gain a snapshot from them: one index descent
 * per key, usually, in the newest partition.
 *
 * Raises 22023 when starts or ends differ in length from keys or hold NULLs,
 * when a start is not before its end, and for bad cols; 42501, 0A000, 42703,
 * 42804, 42809 and 22003 as cos._history_series.
 */
Datum
cos_history_change(PG_FUNCTION_ARGS)
{
	Oid			relid = PG_GETARG_OID(0);
	ArrayType  *keys_arr = PG_GETARG_ARRAYTYPE_P(1);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	Datum	   *datums;
	int			nkeys;
	int			n;
	int64	   *keys;
	TimestampTz *starts;
	TimestampTz *ends = NULL;
	TimestampTz lo = DT_NOEND;
	TimestampTz hi = DT_NOBEGIN;
	char	   *cols[HISTORY_MAX_COLS];
	int			ncols;
	HistoryPart *parts;
	int			nparts;
	BucketLast (*top)[2];

	InitMaterializedSRF(fcinfo, 0);

	datums = ArrayNoNulls(keys_arr, INT8OID, "keys", &nkeys);
	keys = palloc(Max(nkeys, 1) * sizeof(int64));
	for (int i = 0; i < nkeys; i++)
		keys[i] = DatumGetInt64(datums[i]);
	starts = HistoryTimes(PG_GETARG_ARRAYTYPE_P(2), "starts", &n);
	if (n == nkeys)
		ends = HistoryTimes(PG_GETARG_ARRAYTYPE_P(3), "ends", &n);
	if (n != nkeys)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("starts and ends must have as many elements as keys")));
	for (int i = 0; i < nkeys; i++)
	{
		if (starts[i] >= ends[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("each start must be before its end")));
		lo = Min(lo, starts[i]);
		hi = Max(hi, ends[i]);
	}
	ncols = HistoryCols(PG_GETARG_ARRAYTYPE_P(4), cols);
	if (nkeys == 0)
		PG_RETURN_VOID();

	parts = HistoryParts(relid, cols, ncols, lo, hi, "cos._history_change", &nparts);
	qsort(parts, nparts, sizeof(HistoryPart), PartNewerFirst);
	top = palloc0(nkeys * sizeof(*top));
	for (int p = 0; p < nparts; p++)
	{
		HistoryIndex hx;

		HistoryIndexOpen(&hx, parts[p].relid, cols, ncols);
		for (int i = 0; i < nkeys; i++)
		{
			/* rows t: starts[i] < t <= ends[i], lower <= t < upper */
			if (parts[p].lower > ends[i] || parts[p].upper <= starts[i] + 1)
				continue;
			/* two already, both later than anything here */
			if (top[i][1].found && parts[p].upper <= top[i][1].at)
				continue;
			ScanLastTwo(&hx, keys[i], starts[i], ends[i], top[i]);
		}
		HistoryIndexClose(&hx);
	}

	for (int i = 0; i < nkeys; i++)
	{
		const BucketLast *last = &top[i][0];
		const BucketLast *before = &top[i][1];
		Datum		values[3 + 2 * HISTORY_MAX_COLS] = {0};
		bool		nulls[3 + 2 * HISTORY_MAX_COLS];

		if (!last->found)
			continue;
		memset(nulls, true, sizeof(nulls));
		values[0] = Int64GetDatum(keys[i]);
		values[1] = TimestampTzGetDatum(last->at);
		nulls[0] = nulls[1] = false;
		if (before->found)
		{
			values[2] = TimestampTzGetDatum(before->at);
			nulls[2] = false;
		}
		for (int c = 0; c < ncols; c++)
		{
			if (last->nulls[c])
				continue;
			values[3 + c] = Int64GetDatum(last->vals[c]);
			nulls[3 + c] = false;
			if (!before->found || before->nulls[c])
				continue;
			values[3 + HISTORY_MAX_COLS + c] = Int64GetDatum(HistoryChange(last->vals[c], before->vals[c]));
			nulls[3 + HISTORY_MAX_COLS + c] = false;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	PG_RETURN_VOID();
}

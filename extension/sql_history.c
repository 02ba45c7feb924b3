/*
 * sql_history.c
 *	  cos._history_series: one video's or channel's counters as a series of
 *	  time buckets, read straight from the primary-key index of each
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

	if (attnum == InvalidAttrNumber)
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
		if (*nparts == *maxparts)
		{
			*maxparts *= 2;
			*parts = repalloc(*parts, *maxparts * sizeof(HistoryPart));
		}
		(*parts)[(*nparts)++] = (HistoryPart)
		{
			RelationGetRelid(rel), DT_NOBEGIN, DT_NOEND
		};
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
		{
			if (*nparts == *maxparts)
			{
				*maxparts *= 2;
				*parts = repalloc(*parts, *maxparts * sizeof(HistoryPart));
			}
			(*parts)[(*nparts)++] = (HistoryPart)
			{
				oids[p], lower[p], upper[p]
			};
		}
		else
			CollectParts(part, HistoryColumn(part, "captured_at", TIMESTAMPTZOID),
						 lo, hi, parts, nparts, maxparts);
		table_close(part, NoLock);
	}
}

/*
 * Reads one leaf partition's primary key (key bigint, captured_at
 * timestamptz, ...) backwards: the latest visible row of the key in the
 * series, then one descent per earlier bucket, each bounded to its bucket;
 * keeps in s->best[j] the latest row of bucket j.
 */
static void
ScanPartition(const HistoryPart *part, SeriesScan *s)
{
	Relation	heap = table_open(part->relid, AccessShareLock);
	Oid			indexid = RelationGetPrimaryKeyIndex(heap);
	Relation	index;
	AttrNumber	at_attnum = HistoryColumn(heap, "captured_at", TIMESTAMPTZOID);
	AttrNumber	col_attnum[HISTORY_MAX_COLS];
	TupleTableSlot *slot;
	IndexScanDesc scan;
	ScanKeyData skey[3];
	const TimestampTz *bounds = s->bounds;
	int			last = s->nbounds - 1;
	int			j;
	bool		first = true;

	if (!OidIsValid(indexid))
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("\"%s\" has no primary key", RelationGetRelationName(heap))));
	index = index_open(indexid, AccessShareLock);
	if (index->rd_index->indnkeyatts < 2 ||
		TupleDescAttr(RelationGetDescr(heap), index->rd_index->indkey.values[0] - 1)->atttypid != INT8OID ||
		index->rd_index->indkey.values[1] != at_attnum)
		ereport(ERROR,
				(errcode(ERRCODE_WRONG_OBJECT_TYPE),
				 errmsg("the primary key of \"%s\" is not (bigint, captured_at, ...)",
						RelationGetRelationName(heap))));
	for (int c = 0; c < s->ncols; c++)
		col_attnum[c] = HistoryColumn(heap, s->cols[c], INT8OID);

	/* the last bucket the partition's range reaches */
	j = part->upper > bounds[last] ? last - 1 : BucketOf(bounds, s->nbounds, part->upper);

	slot = table_slot_create(heap, NULL);
	scan = index_beginscan(heap, index, GetActiveSnapshot(), 3, 0);
	while (j >= 0 && bounds[j + 1] >= part->lower)
	{
		TimestampTz at;
		bool		isnull;

		CHECK_FOR_INTERRUPTS();
		ScanKeyInit(&skey[0], 1, BTEqualStrategyNumber, F_INT8EQ, Int64GetDatum(s->key));
		ScanKeyInit(&skey[1], 2, BTLessEqualStrategyNumber, F_TIMESTAMPTZ_LE,
					TimestampTzGetDatum(bounds[j + 1]));
		/*
		 * The first descent finds the latest row of the series in the
		 * partition, wherever it is; the next ones only bucket j's rows (so
		 * the leaf page is not walked past them).
		 */
		ScanKeyInit(&skey[2], 2, BTGreaterStrategyNumber, F_TIMESTAMPTZ_GT,
					TimestampTzGetDatum(first ? bounds[0] : bounds[j]));
		index_rescan(scan, skey, 3, NULL, 0);
		if (!index_getnext_slot(scan, BackwardScanDirection, slot))
		{
			if (first)
				break;			/* nothing of the key in the series */
			j--;
			continue;
		}
		at = DatumGetTimestampTz(slot_getattr(slot, at_attnum, &isnull));
		j = BucketOf(bounds, s->nbounds, at);
		if (!s->best[j].found || at > s->best[j].at)
		{
			BucketLast *b = &s->best[j];

			b->found = true;
			b->at = at;
			for (int c = 0; c < s->ncols; c++)
			{
				Datum		v = slot_getattr(slot, col_attnum[c], &b->nulls[c]);

				b->vals[c] = b->nulls[c] ? 0 : DatumGetInt64(v);
			}
		}
		first = false;
		j--;
	}
	index_endscan(scan);
	ExecDropSingleTupleTableSlot(slot);
	index_close(index, NoLock);
	table_close(heap, NoLock);
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
	Datum	   *datums;
	bool	   *dnulls;
	int			n;
	char	   *cols[HISTORY_MAX_COLS];
	TimestampTz *bounds;
	AclResult	aclresult;
	Relation	rel;
	HistoryPart *parts;
	int			nparts = 0;
	int			maxparts = 16;
	const BucketLast *prev = NULL;

	InitMaterializedSRF(fcinfo, 0);

	deconstruct_array(bounds_arr, TIMESTAMPTZOID, sizeof(TimestampTz), FLOAT8PASSBYVAL,
					  TYPALIGN_DOUBLE, &datums, &dnulls, &n);
	if (n < 2)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("bounds must have at least two elements")));
	bounds = palloc(n * sizeof(TimestampTz));
	for (int i = 0; i < n; i++)
	{
		if (dnulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bounds must not contain NULLs")));
		bounds[i] = DatumGetTimestampTz(datums[i]);
		if (i > 0 && bounds[i] <= bounds[i - 1])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("bounds must be strictly ascending")));
	}
	s.key = PG_GETARG_INT64(1);
	s.bounds = bounds;
	s.nbounds = n;
	s.best = palloc0((n - 1) * sizeof(BucketLast));

	deconstruct_array(cols_arr, TEXTOID, -1, false, TYPALIGN_INT, &datums, &dnulls, &n);
	if (n < 1 || n > HISTORY_MAX_COLS)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("cols must name 1 to %d columns", HISTORY_MAX_COLS)));
	for (int c = 0; c < n; c++)
	{
		if (dnulls[c])
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("cols must not contain NULLs")));
		cols[c] = TextDatumGetCString(datums[c]);
	}
	s.cols = cols;
	s.ncols = n;

	/* the checks the executor makes for SELECT ... FROM hist */
	aclresult = pg_class_aclcheck(relid, GetUserId(), ACL_SELECT);
	if (aclresult != ACLCHECK_OK)
		aclcheck_error(aclresult, OBJECT_TABLE, get_rel_name(relid));
	if (check_enable_rls(relid, InvalidOid, false) == RLS_ENABLED)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("row security applies to \"%s\" for the current user",
						get_rel_name(relid)),
				 errdetail("cos._history_series reads the table's indexes directly.")));

	rel = table_open(relid, AccessShareLock);
	for (int c = 0; c < s.ncols; c++)
		(void) HistoryColumn(rel, s.cols[c], INT8OID);
	parts = palloc(maxparts * sizeof(HistoryPart));
	CollectParts(rel, HistoryColumn(rel, "captured_at", TIMESTAMPTZOID),
				 bounds[0], bounds[s.nbounds - 1], &parts, &nparts, &maxparts);
	for (int p = 0; p < nparts; p++)
		ScanPartition(&parts[p], &s);
	table_close(rel, NoLock);

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
				int64		d;

				if (b->nulls[c])
					continue;
				values[2 + c] = Int64GetDatum(b->vals[c]);
				nulls[2 + c] = false;
				if (prev == NULL || prev->nulls[c])
					continue;
				if (pg_sub_s64_overflow(b->vals[c], prev->vals[c], &d))
					ereport(ERROR,
							(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
							 errmsg("bigint out of range")));
				values[2 + HISTORY_MAX_COLS + c] = Int64GetDatum(d);
				nulls[2 + HISTORY_MAX_COLS + c] = false;
			}
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
		if (b->found)
			prev = b;
	}
	PG_RETURN_VOID();
}

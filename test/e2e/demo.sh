#!/usr/bin/env bash
# test/e2e/demo.sh -- the main job end to end (make demo).
#
# Installs what is missing, builds and installs Cos, starts a throwaway
# PostgreSQL 15 cluster under build/demo with pg_cron and cos preloaded, serves
# the bundled real captures (test/fixtures) on loopback, adds channels and
# videos by their public URLs (test/e2e/demo-targets.sql), lets the
# background workers collect them, and
# prints what they stored.  Stops everything on exit; non-zero if anything
# failed.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

"$ROOT/.ci/install-deps.sh"
make -C "$ROOT" -s >/dev/null
# another checkout's make check / demo on this machine installs into the same
# PostgreSQL: wait for it (make check holds the same lock)
exec 9>/tmp/cos-check.lock
flock 9
make -C "$ROOT" -s install >/dev/null

# under /tmp: the cluster runs as the postgres OS user when we are root
export COS_E2E_DIR="${COS_E2E_DIR:-$(mktemp -d /tmp/cos-demo.XXXXXX)}"
# shellcheck source=lib.sh
source "$HERE/lib.sh"
trap 'cluster_stop; fixtures_stop' EXIT

fixtures_start
cluster_start "cos.channel_max_videos = 10"
echo "== PostgreSQL on 127.0.0.1:$PGPORT, fixture server on $FIXTURE_URL"
cluster_psql -c "CREATE EXTENSION cos CASCADE"
pause_tick
point_platforms

cluster_psql -f "$HERE/demo-targets.sql"

echo
echo "== videos: the latest snapshot the workers stored (cos.videos / cos.video_history)"
cluster_psql -P pager=off <<'SQL'
SELECT v.platform, v.external_id AS id, left(v.title, 40) AS title,
       h.views, h.likes, h.comments, h.shares, h.saves,
       to_char(h.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS captured_at
  FROM cos.videos v
  JOIN LATERAL (SELECT * FROM cos.video_history h WHERE h.video_id = v.id
                 ORDER BY captured_at DESC LIMIT 1) h ON true
 ORDER BY v.platform, v.external_id;
SQL
echo "== videos found unavailable or private (no history written)"
cluster_psql -P pager=off -c "SELECT platform, external_id AS id, status FROM cos.videos WHERE status <> 'ok' ORDER BY 1, 2"
echo "== channels (cos.channel_history)"
cluster_psql -P pager=off <<'SQL'
SELECT c.platform, c.external_id AS id, c.title, h.followers, h.likes, h.views, h.videos,
       to_char(h.captured_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS"Z"') AS captured_at
  FROM cos.channels c JOIN cos.channel_history h ON h.channel_id = c.id
 ORDER BY 1, 2;
SQL
echo "== runs"
cluster_psql -P pager=off -c "SELECT id, kind, status, jobs_total, jobs_done, jobs_failed, finished_at - started_at AS took FROM cos.runs ORDER BY id"

# the demo fails unless the workers stored the values the captures hold
ok="$(cluster_psql -At <<'SQL'
SELECT count(*) = 8 FROM cos.video_history h JOIN cos.videos v ON v.id = h.video_id
 WHERE (v.external_id, h.views) IN (('GJLlxj_dtq8', 1856109), ('7526770564367748360', 18500000),
                                    ('7585124257601162516', 918100), ('D-lhorsDlUQ', 7920),
                                    ('durov/37', 1050000), ('walterbloomberg/22878', 1980),
                                    ('CAG3E8-A3wf', 4048603), ('6928156767853015171', 8257));
SQL
)"
[ "$ok" = t ] || { echo "FAILED: the stored values are not the captured ones"; exit 1; }
echo "demo ok"

-- The bot's SQL (sql/bot.sql) without its worker (test/cos.conf turns it
-- off): updates in, outbox rows out, the outcomes the worker reports.
-- test/e2e/test_bot.sh runs the worker against a fake Bot API.
\getenv abs_srcdir PG_ABS_SRCDIR
\set upd :abs_srcdir '/fixtures/telegram-bot/getUpdates_start.json'
SET cos.webapp_url = 'https://cos.example.org/app/';
SELECT coalesce(max(id), 0) AS o0 FROM cos.outbox \gset

-- a real getUpdates answer (SOURCES.md): /start from a new user, English
SELECT cos._bot_update(pg_read_file(:'upd')::jsonb -> 'result' -> 0);
SELECT update_offset FROM cos.bot_state;
SELECT telegram_id, username, first_name, language_code, role, status, digest,
	   bot_started_at IS NOT NULL AS started, bot_blocked_at FROM cos.users WHERE telegram_id = 782816475;
SELECT chat_id, method, kind, state, attempts, text, reply_markup FROM cos.outbox WHERE id > :o0 ORDER BY id;
-- the same update again (a poll answered before the commit was seen): nothing
SELECT cos._bot_update(pg_read_file(:'upd')::jsonb -> 'result' -> 0);
SELECT count(*) AS replies FROM cos.outbox WHERE id > :o0;
SELECT coalesce(max(id), 0) AS o1 FROM cos.outbox \gset

-- The updates below are built in the fixture's shape (no real capture of a
-- deep link was found): /start with a parameter from a Russian-speaking user.
CREATE FUNCTION pg_temp.msg(id bigint, tid bigint, txt text, lang text DEFAULT 'en')
RETURNS jsonb LANGUAGE sql AS $$
	SELECT jsonb_build_object('update_id', id, 'message', jsonb_build_object(
		'message_id', id % 1000, 'date', 1606936126, 'text', txt,
		'from', jsonb_build_object('id', tid, 'is_bot', false, 'first_name', 'User ' || tid, 'language_code', lang),
		'chat', jsonb_build_object('id', tid, 'first_name', 'User ' || tid, 'type', 'private')))
$$;
SELECT cos._bot_update(pg_temp.msg(151184258, 5001, '/start video_42', 'ru'));
SELECT cos._bot_update(pg_temp.msg(151184259, 5002, '/start ../../etc'));
SELECT cos._bot_update(pg_temp.msg(151184260, 5002, '/start@cos_test_bot channel_7'));
SELECT chat_id, text, reply_markup -> 'inline_keyboard' -> 0 -> 0 AS button
  FROM cos.outbox WHERE id > :o1 ORDER BY id;
SELECT telegram_id, start_param FROM cos.users WHERE telegram_id IN (5001, 5002) ORDER BY 1;
-- an update below the offset is skipped; one without an id is refused
SELECT cos._bot_update(pg_temp.msg(151184000, 5002, '/help'));
SELECT public.fails('SELECT cos._bot_update(''{"message": {}}'')');
SELECT update_offset FROM cos.bot_state;
SELECT coalesce(max(id), 0) AS o2 FROM cos.outbox \gset

-- /help, any other text, /digest, in a group (ignored), a bad update (logged, skipped)
SELECT cos._bot_update(pg_temp.msg(151184261, 5001, '/help', 'ru'));
SELECT cos._bot_update(pg_temp.msg(151184262, 5002, 'hello?'));
SELECT cos._bot_update(pg_temp.msg(151184263, 5002, '/digest'));
SELECT cos._bot_update(pg_temp.msg(151184264, 5002, '/digest ON'));
SELECT cos._bot_update(pg_temp.msg(151184265, 5002, '/digest'));
SELECT cos._bot_update(pg_temp.msg(151184266, 5001, '/digest off', 'ru'));
SELECT cos._bot_update(jsonb_set(pg_temp.msg(151184267, 5002, '/help'), '{message,chat,type}', '"group"'));
SELECT cos._bot_update(jsonb_set(pg_temp.msg(151184268, 5002, '/help'), '{message,from,id}', '"x"'));
SELECT update_offset FROM cos.bot_state;
SELECT chat_id, text FROM cos.outbox WHERE id > :o2 ORDER BY id;
SELECT telegram_id, digest FROM cos.users WHERE telegram_id IN (5001, 5002) ORDER BY 1;
SELECT coalesce(max(id), 0) AS o3 FROM cos.outbox \gset

-- /stats: nothing tracked, then a channel and two videos with two snapshots
SELECT cos._bot_update(pg_temp.msg(151184269, 5002, '/stats'));
SELECT id AS u5002 FROM cos.users WHERE telegram_id = 5002 \gset
INSERT INTO cos.channels (platform, external_id, url, title, followers)
VALUES ('youtube', 'UCbotstats0000000000000a', 'https://www.youtube.com/channel/UCbotstats0000000000000a', 'Bot Stats Channel', 1234567)
RETURNING id AS sch \gset
INSERT INTO cos.videos (platform, external_id, url, title, views, likes, checked_at)
VALUES ('youtube', 'botstatsv01', 'https://www.youtube.com/watch?v=botstatsv01', 'First video', 250000, 1200, '2026-11-02 09:00+00'),
	   ('youtube', 'botstatsv02', 'https://www.youtube.com/watch?v=botstatsv02', NULL, 999, NULL, '2026-11-02 09:00+00');
SELECT id AS sv1 FROM cos.videos WHERE external_id = 'botstatsv01' \gset
SELECT id AS sv2 FROM cos.videos WHERE external_id = 'botstatsv02' \gset
UPDATE cos.channels SET checked_at = '2026-11-02 09:00+00' WHERE id = :sch;
INSERT INTO cos.channel_history (channel_id, captured_at, followers)
VALUES (:sch, '2026-11-01 09:00+00', 1233367), (:sch, '2026-11-02 09:00+00', 1234567);
INSERT INTO cos.video_history (video_id, captured_at, views, likes)
VALUES (:sv1, '2026-11-01 09:00+00', 240000, 1100), (:sv1, '2026-11-02 09:00+00', 250000, 1200),
	   (:sv2, '2026-11-02 09:00+00', 999, NULL);
INSERT INTO cos.user_channels (user_id, channel_id, added_at) VALUES (:u5002, :sch, '2026-11-01');
INSERT INTO cos.user_videos (user_id, video_id, added_at) VALUES (:u5002, :sv1, '2026-11-01'), (:u5002, :sv2, '2026-11-02');
SELECT cos._bot_update(pg_temp.msg(151184270, 5002, '/stats'));
SELECT cos._bot_update(pg_temp.msg(151184271, 5002, '/stats', 'ru'));
SELECT chat_id, text, reply_markup FROM cos.outbox WHERE id > :o3 ORDER BY id;
SELECT coalesce(max(id), 0) AS o4 FROM cos.outbox \gset

-- a long list is paged within 4096 characters; the buttons edit the message
INSERT INTO cos.videos (platform, external_id, url, title, views)
SELECT 'youtube', 'botpage' || lpad(i::text, 4, '0'), 'https://www.youtube.com/watch?v=botpage' || lpad(i::text, 4, '0'),
	   'A rather long video title number ' || i || ' ' || repeat('x', 150), i * 1000
  FROM generate_series(1, 60) i;
INSERT INTO cos.user_videos (user_id, video_id, added_at)
SELECT :u5002, id, '2026-11-03' FROM cos.videos WHERE external_id LIKE 'botpage%';
SELECT cos._bot_update(pg_temp.msg(151184272, 5002, '/stats'));
SELECT char_length(text) <= 4096 AS fits, text LIKE '%Page 1 of 4', reply_markup
  FROM cos.outbox WHERE id > :o4 ORDER BY id;
SELECT s.pages, (SELECT count(*) FROM generate_series(1, s.pages) p
				  WHERE char_length((cos._bot_stats(:u5002, p, 'en')).text) > 4096) AS too_long
  FROM cos._bot_stats(:u5002, 1, 'en') s;
-- every tracked video is on exactly one page
SELECT count(*) AS videos_listed
  FROM generate_series(1, 4) p,
	   regexp_matches((cos._bot_stats(:u5002, p, 'en')).text, '• [^\n]*\(youtube\) — [0-9,]+ views', 'g');
SELECT coalesce(max(id), 0) AS o5 FROM cos.outbox \gset
SELECT cos._bot_update(jsonb_build_object('update_id', 151184273, 'callback_query', jsonb_build_object(
	'id', '4382bfdwdsb323b2d9', 'data', 'stats:3', 'chat_instance', '-1',
	'from', jsonb_build_object('id', 5002, 'is_bot', false, 'first_name', 'User 5002', 'language_code', 'en'),
	'message', jsonb_build_object('message_id', 77, 'date', 1606936126,
		'chat', jsonb_build_object('id', 5002, 'type', 'private')))));
SELECT chat_id, method, params, text LIKE '%Page 3 of 4' AS page3, reply_markup
  FROM cos.outbox WHERE id > :o5 ORDER BY id;
DELETE FROM cos.user_videos WHERE user_id = :u5002 AND video_id IN (SELECT id FROM cos.videos WHERE external_id LIKE 'botpage%');
SELECT coalesce(max(id), 0) AS o6 FROM cos.outbox \gset

-- the outbox: send_message's checks; the claim order (replies first) and
-- the chats written to just now; a callback's answer goes to any chat
SELECT public.fails('SELECT cos.send_message(NULL, ''hi'')');
SELECT public.fails('SELECT cos.send_message(1, '''')');
SELECT public.fails(format('SELECT cos.send_message(1, %L)', repeat('я', 4097)));
SELECT public.fails('SELECT cos.send_message(1, ''hi'', ''[1]'')');
SELECT public.fails('SELECT cos.send_message(1, ''hi'', NULL, ''spam'')');
SELECT public.fails('SELECT cos.send_message(1, ''hi'', NULL, ''broadcast'', ''BBCode'')');
UPDATE cos.outbox SET state = 'sent' WHERE state = 'queued';
SELECT cos.send_message(9001, 'broadcast 1') AS b1 \gset
SELECT cos.send_message(9002, 'broadcast 2') AS b2 \gset
SELECT cos.send_message(9001, 'a reply', NULL, 'reply') AS r1 \gset
INSERT INTO cos.outbox (chat_id, method, params) VALUES (9001, 'answerCallbackQuery', '{"callback_query_id": "q1"}');
SELECT id = :r1 AS reply_first, chat_id, method, attempts, body FROM cos._bot_claim('{}');
SELECT method, body FROM cos._bot_claim('{9001}');
SELECT method, body FROM cos._bot_claim('{9001}');
SELECT id, next_in_ms FROM cos._bot_claim('{9001}');
SELECT id, next_in_ms FROM cos._bot_claim('{}') WHERE false;
SELECT state, count(*) FROM cos.outbox WHERE id > :o6 GROUP BY 1 ORDER BY 1;

-- the outcomes the worker reports
SELECT cos._bot_sent(jsonb_build_array(
	jsonb_build_object('id', :r1, 'outcome', 'sent', 'message_id', 93),
	jsonb_build_object('id', :b2, 'outcome', 'later', 'error', '429 Too Many Requests: retry after 1', 'retry_ms', 1000)));
SELECT id = :r1 AS r1, state, attempts, message_id, sent_at IS NOT NULL AS sent, last_error,
	   not_before > now() + interval '900 ms' AS waits
  FROM cos.outbox WHERE id IN (:r1, :b2) ORDER BY id;
SELECT id = :b1 AS b1, next_in_ms FROM cos._bot_claim('{}');
SELECT id, next_in_ms BETWEEN 1 AND 1000 AS soon FROM cos._bot_claim('{}');
-- 5xx: queued again until cos.bot_max_attempts, then failed
SET cos.bot_max_attempts = 2;
UPDATE cos.outbox SET state = 'sending', attempts = 1 WHERE id = :b1;
SELECT cos._bot_sent(jsonb_build_array(jsonb_build_object('id', :b1, 'outcome', 'retry', 'error', '502 Bad Gateway', 'retry_ms', 0)));
SELECT state, attempts, last_error FROM cos.outbox WHERE id = :b1;
UPDATE cos.outbox SET state = 'sending', attempts = 2 WHERE id = :b1;
SELECT cos._bot_sent(jsonb_build_array(jsonb_build_object('id', :b1, 'outcome', 'retry', 'error', '502 Bad Gateway', 'retry_ms', 0)));
SELECT state, attempts, last_error FROM cos.outbox WHERE id = :b1;
RESET cos.bot_max_attempts;
-- 403 blocked: the user is marked, their queued rows fail, a broadcast skips them
SELECT cos.send_message(5001, 'queued behind') AS q2 \gset
SELECT cos.send_message(5001, 'to be refused') AS q3 \gset
UPDATE cos.outbox SET state = 'sending' WHERE id = :q3;
SELECT cos._bot_sent(jsonb_agg(jsonb_build_object('id', id, 'outcome', 'failed', 'blocked', true,
		'error', 'Forbidden: bot was blocked by the user')))
  FROM cos.outbox WHERE state = 'sending' AND chat_id = 5001;
SELECT text, state, last_error FROM cos.outbox WHERE chat_id = 5001 AND id > :o6 ORDER BY id;
SELECT bot_blocked_at IS NOT NULL AS blocked FROM cos.users WHERE telegram_id = 5001;
UPDATE cos.outbox SET state = 'sent' WHERE state = 'queued';
SELECT cos.send_message(5001, 'sent to a blocked user') AS q4 \gset
SELECT id, next_in_ms FROM cos._bot_claim('{}');
SELECT state, last_error FROM cos.outbox WHERE id = :q4;
SELECT cos.broadcast('Hello everyone') AS broadcast_to;
SELECT chat_id FROM cos.outbox WHERE text = 'Hello everyone' ORDER BY 1;
-- writing again unblocks
SELECT cos._bot_update(pg_temp.msg(151184274, 5001, '/help', 'ru'));
SELECT bot_blocked_at IS NULL AS unblocked FROM cos.users WHERE telegram_id = 5001;
-- my_chat_member kicked (the user blocked the bot in Telegram)
SELECT cos._bot_update(jsonb_build_object('update_id', 151184275, 'my_chat_member', jsonb_build_object(
	'chat', jsonb_build_object('id', 5002, 'type', 'private'),
	'from', jsonb_build_object('id', 5002, 'is_bot', false, 'first_name', 'User 5002'),
	'date', 1606936126,
	'old_chat_member', jsonb_build_object('status', 'member'),
	'new_chat_member', jsonb_build_object('status', 'kicked'))));
SELECT bot_blocked_at IS NOT NULL AS blocked FROM cos.users WHERE telegram_id = 5002;
SELECT count(*) FILTER (WHERE state = 'queued') AS queued_to_5002 FROM cos.outbox WHERE chat_id = 5002;
-- rows left sending by a stopped worker are never sent again
UPDATE cos.outbox SET state = 'sending' WHERE id = :q2;
SELECT cos._bot_recover();
SELECT state FROM cos.outbox WHERE id = :q2;

-- alerts: a channel's changed title, handle or avatar, to those who track it
UPDATE cos.users SET bot_blocked_at = NULL WHERE telegram_id = 5002;
UPDATE cos.outbox SET state = 'sent' WHERE state = 'queued';
UPDATE cos.channels SET handle = 'botstats', avatar_url = 'https://yt3.ggpht.com/abc/photo.jpg?sig=1' WHERE id = :sch;
UPDATE cos.channels SET avatar_url = 'https://yt4.ggpht.com/abc/photo.jpg?sig=2' WHERE id = :sch;
UPDATE cos.channels SET title = 'Bot Stats Channel 2', handle = 'botstats2',
	   avatar_url = 'https://yt3.ggpht.com/def/photo.jpg?sig=3' WHERE id = :sch;
UPDATE cos.channels SET followers = 1 WHERE id = :sch;
SELECT field, old_value, new_value, alerted_at FROM cos.channel_changes WHERE channel_id = :sch ORDER BY id;
SELECT cos._bot_queue_alerts();
SELECT cos._bot_queue_alerts();
SELECT chat_id, kind, text, reply_markup -> 'inline_keyboard' -> 0 -> 0 -> 'web_app' ->> 'url' AS url
  FROM cos.outbox WHERE kind = 'alert' ORDER BY id;
SET cos.bot_username = 'cos_test_bot';
SET cos.bot_app_name = 'app';
SELECT cos._bot_open_button('en', 'channel_7');
SELECT cos._bot_open_button('ru', 'channel_7', false);

-- digests: a scheduled run that ended, to users who asked
UPDATE cos.users SET digest = true WHERE telegram_id = 5002;
INSERT INTO cos.runs (kind, slot, status, started_at, finished_at)
VALUES ('scheduled', '2026-11-03 09:00+00', 'done', now() - interval '1 hour', now() - interval '50 minutes')
RETURNING id AS run \gset
INSERT INTO cos.channel_history (channel_id, captured_at, run_id, followers)
VALUES (:sch, now() - interval '55 minutes', :run, 1240567);
INSERT INTO cos.video_history (video_id, captured_at, run_id, views)
VALUES (:sv1, now() - interval '55 minutes', :run, 262000), (:sv2, now() - interval '55 minutes', :run, 999);
SELECT cos._bot_queue_digests() > 0 AS queued;
SELECT cos._bot_queue_digests();
SELECT chat_id, regexp_replace(text, '\(.*MSK\)', '(…)') AS text FROM cos.outbox WHERE kind = 'digest' ORDER BY id;
SELECT count(*) AS runs_left FROM cos.runs WHERE digest_at IS NULL AND status <> 'running';

-- what the worker calls at start
SELECT method, params FROM cos._bot_setup();
-- DBA's texts win over the defaults
INSERT INTO cos.bot_texts (key, lang, text) VALUES ('help', 'en', 'Custom help');
SELECT cos._bot_text('help', 'en'), cos._bot_text('open_button', 'de');
SELECT public.fails('SELECT cos._bot_text(''no_such_key'', ''en'')');
DELETE FROM cos.bot_texts;
SELECT cos._bot_num(1234567, 'ru'), cos._bot_num(-1200, 'en', true), cos._bot_num(5, 'en', true), cos._bot_num(NULL, 'en');

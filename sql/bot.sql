
------------------------------------------------------------------------------
-- The Telegram bot (bgworker/bot.c).  The worker only talks to the Bot API:
-- it hands every update to cos._bot_update() and sends what cos.outbox
-- holds.  What the bot says and to whom is decided here.
------------------------------------------------------------------------------

-- The getUpdates offset: the next update_id wanted.  cos._bot_update()
-- advances it in the transaction that applies the update, so an update is
-- handled exactly once across crashes and restarts.
CREATE TABLE cos.bot_state (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),
	update_offset bigint NOT NULL DEFAULT 0,
	updated_at timestamptz
);
INSERT INTO cos.bot_state DEFAULT VALUES;
COMMENT ON TABLE cos.bot_state IS
'The bot''s one row: update_offset, the getUpdates offset (the last handled update_id + 1), advanced in the transaction that applies each update.';

-- What the bot says: the defaults this script installs, and a DBA's own
-- texts, which win (and are what pg_dump keeps; the defaults come back
-- with the script, and an upgrade may change them).
CREATE TABLE cos.bot_default_texts (
	key text NOT NULL,
	lang text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
	text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4096),
	PRIMARY KEY (key, lang)
);
COMMENT ON TABLE cos.bot_default_texts IS
'What the bot says by default, by key and language (ru, en; another language falls back to en); a row of cos.bot_texts with the same key and language replaces one.  {name} placeholders are filled in (welcome: {name}; digest_header: {when}; alert_*: {channel}, {old}, {new}; digest_state: {state}; stats_page: {page}, {pages}).';

CREATE TABLE cos.bot_texts (
	key text NOT NULL,
	lang text NOT NULL CHECK (lang ~ '^[a-z]{2}$'),
	text text NOT NULL CHECK (char_length(text) BETWEEN 1 AND 4096),
	PRIMARY KEY (key, lang)
);
COMMENT ON TABLE cos.bot_texts IS
'The bot''s texts a DBA set, by key and language, in place of those in cos.bot_default_texts (same keys and placeholders); a language without a row of its own is answered in English.';

INSERT INTO cos.bot_default_texts (key, lang, text) VALUES
('welcome', 'en', E'Hi, {name}! Cos keeps the statistics of your channels and videos on TikTok, YouTube, Instagram, Likee and Telegram and collects them twice a day. Open the app to add them and watch them grow.\n\n/stats — your numbers right here\n/digest on — a summary after every collection\n/help — what I can do'),
('welcome', 'ru', E'Привет, {name}! Cos собирает статистику ваших каналов и видео в TikTok, YouTube, Instagram, Likee и Telegram дважды в день. Откройте приложение, чтобы добавить их и следить за ростом.\n\n/stats — ваши цифры прямо здесь\n/digest on — сводка после каждого сбора\n/help — что я умею'),
('open_button', 'en', 'Open Cos'),
('open_button', 'ru', 'Открыть Cos'),
('help', 'en', E'I open the Cos app and report your numbers.\n\n/start — open the app\n/stats — your channels and videos with their latest counts\n/digest on|off — your biggest gains after every collection\n/help — this message'),
('help', 'ru', E'Я открываю приложение Cos и присылаю ваши цифры.\n\n/start — открыть приложение\n/stats — ваши каналы и видео с последними значениями\n/digest on|off — самый большой рост после каждого сбора\n/help — это сообщение'),
('stats_empty', 'en', 'You track nothing yet. Open the app and add a channel or a video by its link.'),
('stats_empty', 'ru', 'Вы пока ничего не отслеживаете. Откройте приложение и добавьте канал или видео по ссылке.'),
('stats_channels', 'en', 'Channels'),
('stats_channels', 'ru', 'Каналы'),
('stats_videos', 'en', 'Videos'),
('stats_videos', 'ru', 'Видео'),
('stats_page', 'en', 'Page {page} of {pages}'),
('stats_page', 'ru', 'Страница {page} из {pages}'),
('followers', 'en', 'followers'),
('followers', 'ru', 'подписчиков'),
('views', 'en', 'views'),
('views', 'ru', 'просмотров'),
('likes', 'en', 'likes'),
('likes', 'ru', 'лайков'),
('digest_on', 'en', 'Done: after every collection I will send you your biggest gains. /digest off stops it.'),
('digest_on', 'ru', 'Готово: после каждого сбора я пришлю самый большой рост. /digest off — отключить.'),
('digest_off', 'en', 'The digest is off.'),
('digest_off', 'ru', 'Сводка отключена.'),
('digest_state', 'en', 'The digest is {state}. Send /digest on or /digest off.'),
('digest_state', 'ru', 'Сводка {state}. Отправьте /digest on или /digest off.'),
('word_on', 'en', 'on'),
('word_on', 'ru', 'включена'),
('word_off', 'en', 'off'),
('word_off', 'ru', 'выключена'),
('digest_header', 'en', 'Your biggest gains since the previous collection ({when}):'),
('digest_header', 'ru', 'Самый большой рост с прошлого сбора ({when}):'),
('alert_title', 'en', '{channel} changed its title: «{old}» → «{new}»'),
('alert_title', 'ru', '{channel} сменил название: «{old}» → «{new}»'),
('alert_handle', 'en', '{channel} changed its handle: @{old} → @{new}'),
('alert_handle', 'ru', '{channel} сменил имя: @{old} → @{new}'),
('alert_avatar', 'en', '{channel} has a new avatar.'),
('alert_avatar', 'ru', 'У {channel} новая аватарка.'),
('alert_description', 'en', '{channel} changed its description.'),
('alert_description', 'ru', '{channel} сменил описание.'),
('cmd_start', 'en', 'Open the app'),
('cmd_start', 'ru', 'Открыть приложение'),
('cmd_stats', 'en', 'Your channels and videos'),
('cmd_stats', 'ru', 'Ваши каналы и видео'),
('cmd_digest', 'en', 'A summary after every collection: on or off'),
('cmd_digest', 'ru', 'Сводка после каждого сбора: on или off'),
('cmd_help', 'en', 'What the bot can do'),
('cmd_help', 'ru', 'Что умеет бот');


CREATE TABLE cos.outbox (
	id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	chat_id bigint NOT NULL,
	method text NOT NULL DEFAULT 'sendMessage'
		CHECK (method IN ('sendMessage', 'editMessageText', 'answerCallbackQuery')),
	text text CHECK (char_length(text) <= 4096),
	reply_markup jsonb CHECK (jsonb_typeof(reply_markup) = 'object'),
	parse_mode text CHECK (parse_mode IN ('HTML', 'MarkdownV2', 'Markdown')),
	params jsonb CHECK (jsonb_typeof(params) = 'object'),
	kind text NOT NULL DEFAULT 'reply' CHECK (kind IN ('reply', 'alert', 'digest', 'broadcast')),
	priority smallint NOT NULL GENERATED ALWAYS AS
		(CASE kind WHEN 'reply' THEN 0 WHEN 'alert' THEN 1 WHEN 'digest' THEN 2 ELSE 3 END) STORED,
	state text NOT NULL DEFAULT 'queued'
		CHECK (state IN ('queued', 'sending', 'sent', 'failed', 'unknown')),
	attempts integer NOT NULL DEFAULT 0,
	last_error text,
	not_before timestamptz NOT NULL DEFAULT now(),
	created_at timestamptz NOT NULL DEFAULT now(),
	sent_at timestamptz,
	message_id bigint,
	CHECK (method = 'answerCallbackQuery' OR char_length(text) >= 1)
);
CREATE INDEX outbox_queued ON cos.outbox (priority, id) WHERE state = 'queued';
CREATE INDEX outbox_sending ON cos.outbox (id) WHERE state = 'sending';
CREATE INDEX outbox_chat ON cos.outbox (chat_id, id);
COMMENT ON TABLE cos.outbox IS
'Every Bot API call the bot makes on its own, one row each: method (sendMessage, editMessageText, answerCallbackQuery) to chat_id with text, reply_markup, parse_mode and further params; kind reply (to a command; sent first), alert, digest or broadcast (sent last).  state: queued → sending (marked before the call) → sent (message_id: Telegram''s) or failed (last_error: why; never retried) — or unknown: the worker stopped while the call was out, so it may or may not have arrived, and it is never sent again.  A row waits until not_before; attempts counts calls.  At most cos.bot_messages_per_second calls a second, and one a chat per cos.bot_chat_interval.';

------------------------------------------------------------------------------
-- Helpers
------------------------------------------------------------------------------

-- A language the texts have: ru for Russian-speaking users, en otherwise.
CREATE FUNCTION cos._bot_lang(language_code text)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN lower(language_code) LIKE 'ru%' THEN 'ru' ELSE 'en' END;
COMMENT ON FUNCTION cos._bot_lang(text) IS
'Private: the language of the bot''s texts for a Telegram language_code: ru for ru*, en for anything else.';

CREATE FUNCTION cos._bot_text(key text, lang text, vars jsonb DEFAULT '{}')
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	t text;
	k text;
	v text;
BEGIN
	SELECT b.text INTO t
	  FROM (SELECT x.text, x.lang, 0 AS o FROM cos.bot_texts x WHERE x.key = _bot_text.key
			UNION ALL
			SELECT d.text, d.lang, 1 FROM cos.bot_default_texts d WHERE d.key = _bot_text.key) b
	 WHERE b.lang IN (_bot_text.lang, 'en')
	 ORDER BY b.lang = _bot_text.lang DESC, b.o LIMIT 1;
	IF t IS NULL THEN
		RAISE EXCEPTION 'no bot text "%"', key USING ERRCODE = 'undefined_object',
			HINT = 'The keys are those of cos.bot_default_texts.';
	END IF;
	FOR k, v IN SELECT * FROM jsonb_each_text(vars) LOOP
		t := replace(t, '{' || k || '}', coalesce(v, ''));
	END LOOP;
	RETURN t;
END
$$;
COMMENT ON FUNCTION cos._bot_text(text, text, jsonb) IS
'Private: the text key in language lang (en when lang has none; cos.bot_texts before cos.bot_default_texts) with each {name} replaced by vars->>name.  Raises 42704 for a key no language has.';

-- 1234567 as "1 234 567" (ru) or "1,234,567" (en); with sign, "+1 200".
CREATE FUNCTION cos._bot_num(n bigint, lang text, sign boolean DEFAULT false)
RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE WHEN n IS NULL THEN '—' ELSE
	CASE WHEN n < 0 THEN '−' WHEN sign THEN '+' ELSE '' END ||
	regexp_replace(abs(n)::text, '(\d)(?=(\d{3})+$)', '\1' || CASE lang WHEN 'ru' THEN ' ' ELSE ',' END, 'g')
END;
COMMENT ON FUNCTION cos._bot_num(bigint, text, boolean) IS
'Private: a count as the bot writes it: thousands grouped (a space in ru, a comma in en), a minus sign for a fall and, with sign, a plus for a gain; — for NULL.';

-- The mini-app's URL with a start_param (cos.webapp_url?startapp=<param>).
CREATE FUNCTION cos._bot_webapp_url(param text DEFAULT NULL)
RETURNS text
LANGUAGE sql STABLE
RETURN CASE WHEN coalesce(current_setting('cos.webapp_url', true), '') = '' THEN NULL
	WHEN param IS NULL THEN current_setting('cos.webapp_url')
	ELSE current_setting('cos.webapp_url') ||
		 CASE WHEN strpos(current_setting('cos.webapp_url'), '?') > 0 THEN '&' ELSE '?' END ||
		 'startapp=' || param END;
COMMENT ON FUNCTION cos._bot_webapp_url(text) IS
'Private: cos.webapp_url with ?startapp=<param> when a param is given (the mini-app reads it as its start_param); NULL when cos.webapp_url is empty.';

-- An inline keyboard with one button opening the mini-app (at param):
-- a t.me/<bot>/<app>?startapp= link when cos.bot_username and
-- cos.bot_app_name are set (Telegram hands the param over as start_param),
-- else a web_app button; NULL when neither is configured.
CREATE FUNCTION cos._bot_open_button(lang text, param text DEFAULT NULL, direct_link boolean DEFAULT true)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	bot text := coalesce(current_setting('cos.bot_username', true), '');
	app text := coalesce(current_setting('cos.bot_app_name', true), '');
	label text := cos._bot_text('open_button', lang);
	url text := cos._bot_webapp_url(param);
BEGIN
	IF direct_link AND bot <> '' AND app <> '' THEN
		RETURN jsonb_build_object('inline_keyboard', jsonb_build_array(jsonb_build_array(
			jsonb_build_object('text', label, 'url',
				format('https://t.me/%s/%s', ltrim(bot, '@'), app) ||
				CASE WHEN param IS NULL THEN '' ELSE '?startapp=' || param END))));
	ELSIF url IS NOT NULL THEN
		RETURN jsonb_build_object('inline_keyboard', jsonb_build_array(jsonb_build_array(
			jsonb_build_object('text', label, 'web_app', jsonb_build_object('url', url)))));
	END IF;
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION cos._bot_open_button(text, text, boolean) IS
'Private: an inline keyboard with one button opening the mini-app, at param (a start_param such as video_<id>) if given: a t.me/<cos.bot_username>/<cos.bot_app_name>?startapp= link when both are set and direct_link, else a web_app button to cos.webapp_url; NULL when neither can be built.';

------------------------------------------------------------------------------
-- The outbox
------------------------------------------------------------------------------

CREATE FUNCTION cos._wake_bot()
RETURNS void
AS 'MODULE_PATHNAME', 'cos_wake_bot_sql'
LANGUAGE C VOLATILE;
COMMENT ON FUNCTION cos._wake_bot() IS
'Private: wakes the bot worker when the calling transaction commits (it sends what was queued).';

CREATE FUNCTION cos._outbox_queued()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	PERFORM cos._wake_bot();
	RETURN NULL;
END
$$;
COMMENT ON FUNCTION cos._outbox_queued() IS
'Private: the trigger that wakes the bot worker at commit when rows are queued in cos.outbox.';
CREATE TRIGGER outbox_queued AFTER INSERT ON cos.outbox
	FOR EACH STATEMENT EXECUTE FUNCTION cos._outbox_queued();

CREATE FUNCTION cos._outbox_check(text text, reply_markup jsonb, kind text, parse_mode text)
RETURNS void
LANGUAGE plpgsql IMMUTABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	IF text IS NULL OR text = '' THEN
		RAISE EXCEPTION 'a message needs a text' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	IF char_length(text) > 4096 THEN
		RAISE EXCEPTION 'a Telegram message holds at most 4096 characters, this one has %', char_length(text)
			USING ERRCODE = 'string_data_right_truncation',
				  HINT = 'Split it into several messages.';
	END IF;
	IF reply_markup IS NOT NULL AND jsonb_typeof(reply_markup) <> 'object' THEN
		RAISE EXCEPTION 'reply_markup must be a JSON object, e.g. {"inline_keyboard": [[…]]}'
			USING ERRCODE = 'invalid_parameter_value';
	END IF;
	IF kind IS NULL OR kind NOT IN ('reply', 'alert', 'digest', 'broadcast') THEN
		RAISE EXCEPTION 'unknown message kind "%"', cos._clip(kind) USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Kinds are reply, alert, digest and broadcast.';
	END IF;
	IF parse_mode IS NOT NULL AND parse_mode NOT IN ('HTML', 'MarkdownV2', 'Markdown') THEN
		RAISE EXCEPTION 'unknown parse_mode "%"', cos._clip(parse_mode) USING ERRCODE = 'invalid_parameter_value',
			HINT = 'Telegram''s parse modes are HTML, MarkdownV2 and Markdown.';
	END IF;
END
$$;
COMMENT ON FUNCTION cos._outbox_check(text, jsonb, text, text) IS
'Private: raises 23502 for an empty text, 22001 past Telegram''s 4096 characters, 22023 for a reply_markup that is not an object, an unknown kind or parse_mode.';

CREATE FUNCTION cos.send_message(chat_id bigint, text text, reply_markup jsonb DEFAULT NULL,
								 kind text DEFAULT 'broadcast', parse_mode text DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	id bigint;
BEGIN
	IF chat_id IS NULL THEN
		RAISE EXCEPTION 'a message needs a chat_id' USING ERRCODE = 'null_value_not_allowed';
	END IF;
	PERFORM cos._outbox_check(text, reply_markup, kind, parse_mode);
	INSERT INTO cos.outbox (chat_id, text, reply_markup, kind, parse_mode)
	VALUES (send_message.chat_id, send_message.text, send_message.reply_markup, send_message.kind,
			send_message.parse_mode)
	RETURNING outbox.id INTO id;
	RETURN id;
END
$$;
COMMENT ON FUNCTION cos.send_message(bigint, text, jsonb, text, text) IS
'Queues one message to a Telegram chat (a user''s chat id is their Telegram id) in cos.outbox and returns its id; the bot worker sends it within cos.bot_messages_per_second and cos.bot_chat_interval.  reply_markup: a Bot API reply markup object; kind: broadcast (default), alert, digest or reply (sent first); parse_mode: HTML, MarkdownV2 or Markdown.  Raises 23502 without a chat or text, 22001 past 4096 characters, 22023 for a bad reply_markup, kind or parse_mode.';

CREATE FUNCTION cos.broadcast(text text, reply_markup jsonb DEFAULT NULL, parse_mode text DEFAULT NULL)
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	PERFORM cos._outbox_check(text, reply_markup, 'broadcast', parse_mode);
	INSERT INTO cos.outbox (chat_id, text, reply_markup, parse_mode, kind)
	SELECT u.telegram_id, broadcast.text, broadcast.reply_markup, broadcast.parse_mode, 'broadcast'
	  FROM cos.users u
	 WHERE u.bot_started_at IS NOT NULL AND u.bot_blocked_at IS NULL AND u.status = 'active'
	 ORDER BY u.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos.broadcast(text, jsonb, text) IS
'Queues one message to every active user who has written to the bot and not blocked it; returns how many were queued.  Errors as cos.send_message.';

------------------------------------------------------------------------------
-- Updates
------------------------------------------------------------------------------

-- The cos.users row of a Telegram user who wrote to the bot: created, or
-- its names refreshed; they may be written to again.
CREATE FUNCTION cos._bot_user(f jsonb)
RETURNS cos.users
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r cos.users;
BEGIN
	IF jsonb_typeof(f -> 'id') IS DISTINCT FROM 'number' OR (f ->> 'id') !~ '^[0-9]{1,18}$' THEN
		RAISE EXCEPTION 'update without a user id' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	INSERT INTO cos.users AS u (telegram_id, username, first_name, last_name, language_code,
								is_premium, bot_started_at)
	VALUES ((f ->> 'id')::bigint, f ->> 'username', f ->> 'first_name', f ->> 'last_name',
			f ->> 'language_code', (f ->> 'is_premium')::boolean, now())
	ON CONFLICT (telegram_id) DO UPDATE
	   SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
		   last_name = EXCLUDED.last_name, language_code = EXCLUDED.language_code,
		   is_premium = EXCLUDED.is_premium,
		   bot_started_at = coalesce(u.bot_started_at, now()), bot_blocked_at = NULL, seen_at = now()
	RETURNING * INTO r;
	RETURN r;
END
$$;
COMMENT ON FUNCTION cos._bot_user(jsonb) IS
'Private: creates or refreshes the cos.users row of the Telegram user f (a Bot API User object) who wrote to the bot, and clears bot_blocked_at.';

-- One page of /stats: the user's channels, then their single videos, each
-- with its latest count and the change since the snapshot before.
CREATE FUNCTION cos._bot_stats(uid bigint, page integer, lang text, OUT text text, OUT pages integer)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	lines text[] := '{}';
	body text[] := '{}';
	cur text := '';
	l text;
	nch integer;
	nv integer;
	page_max constant integer := 3900;	-- 4096 less the page line
BEGIN
	SELECT count(*) INTO nch FROM cos.user_channels WHERE user_id = uid;
	SELECT count(*) INTO nv FROM cos.user_videos WHERE user_id = uid;
	IF nch + nv = 0 THEN
		text := cos._bot_text('stats_empty', lang);
		pages := 1;
		RETURN;
	END IF;
	IF nch > 0 THEN
		lines := lines || (cos._bot_text('stats_channels', lang) || ' (' || nch || ')');
		lines := lines || ARRAY(
			WITH mine AS MATERIALIZED (
				SELECT c.*, row_number() OVER (ORDER BY uc.added_at DESC, c.id DESC) AS rn
				  FROM cos.user_channels uc JOIN cos.channels c ON c.id = uc.channel_id
				 WHERE uc.user_id = uid
			), h AS (
				SELECT * FROM cos._history_change('cos.channel_history',
						(SELECT array_agg(m.id ORDER BY m.rn) FROM mine m),
						(SELECT array_agg(coalesce(m.checked_at, now()) - interval '45 days' ORDER BY m.rn) FROM mine m),
						(SELECT array_agg(coalesce(m.checked_at, now()) ORDER BY m.rn) FROM mine m),
						'{followers}')
			)
			SELECT '• ' || cos._clip(coalesce(nullif(btrim(m.title), ''), m.handle, m.url)) || ' (' || m.platform || ')' ||
				   CASE WHEN m.followers IS NULL THEN '' ELSE
					   ' — ' || cos._bot_num(m.followers, lang) || ' ' || cos._bot_text('followers', lang) END ||
				   CASE WHEN h.d1 IS NOT NULL THEN ' (' || cos._bot_num(h.d1, lang, true) || ')' ELSE '' END
			  FROM mine m LEFT JOIN h ON h.key = m.id
			 ORDER BY m.rn);
	END IF;
	IF nv > 0 THEN
		IF nch > 0 THEN
			lines := lines || ''::text;
		END IF;
		lines := lines || (cos._bot_text('stats_videos', lang) || ' (' || nv || ')');
		lines := lines || ARRAY(
			WITH mine AS MATERIALIZED (
				SELECT v.*, row_number() OVER (ORDER BY uv.added_at DESC, v.id DESC) AS rn
				  FROM cos.user_videos uv JOIN cos.videos v ON v.id = uv.video_id
				 WHERE uv.user_id = uid
			), h AS (
				SELECT * FROM cos._history_change('cos.video_history',
						(SELECT array_agg(m.id ORDER BY m.rn) FROM mine m),
						(SELECT array_agg(coalesce(m.checked_at, now()) - interval '45 days' ORDER BY m.rn) FROM mine m),
						(SELECT array_agg(coalesce(m.checked_at, now()) ORDER BY m.rn) FROM mine m),
						'{views}')
			)
			SELECT '• ' || cos._clip(coalesce(nullif(btrim(m.title), ''), m.url)) || ' (' || m.platform || ')' ||
				   CASE WHEN m.views IS NULL THEN '' ELSE
					   ' — ' || cos._bot_num(m.views, lang) || ' ' || cos._bot_text('views', lang) END ||
				   CASE WHEN h.d1 IS NOT NULL THEN ' (' || cos._bot_num(h.d1, lang, true) || ')' ELSE '' END ||
				   CASE WHEN m.likes IS NOT NULL THEN ', ' || cos._bot_num(m.likes, lang) || ' ' || cos._bot_text('likes', lang) ELSE '' END
			  FROM mine m LEFT JOIN h ON h.key = m.id
			 ORDER BY m.rn);
	END IF;

	-- pages of whole lines, each within Telegram's 4096 characters
	FOREACH l IN ARRAY lines LOOP
		IF cur <> '' AND char_length(cur) + 1 + char_length(l) > page_max THEN
			body := body || cur;
			cur := '';
		END IF;
		cur := CASE WHEN cur = '' THEN l ELSE cur || E'\n' || l END;
	END LOOP;
	body := body || cur;
	pages := cardinality(body);
	page := greatest(1, least(page, pages));
	text := body[page];
	IF pages > 1 THEN
		text := text || E'\n\n' || cos._bot_text('stats_page', lang,
			jsonb_build_object('page', page, 'pages', pages));
	END IF;
END
$$;
COMMENT ON FUNCTION cos._bot_stats(bigint, integer, text) IS
'Private: page page (from 1; clamped) of a user''s /stats in language lang, and how many pages there are: their tracked channels (followers and the change between the last two snapshots) then their single videos (views, its change, likes), in whole lines, each page within Telegram''s 4096 characters.';

-- The inline keyboard that pages /stats (callback_data stats:<page>).
CREATE FUNCTION cos._bot_stats_keyboard(page integer, pages integer)
RETURNS jsonb
LANGUAGE sql IMMUTABLE
RETURN CASE WHEN pages <= 1 THEN NULL ELSE
	jsonb_build_object('inline_keyboard', jsonb_build_array(
		(SELECT jsonb_agg(b ORDER BY o) FROM (
			SELECT 1 AS o, jsonb_build_object('text', '‹ ' || (page - 1), 'callback_data', 'stats:' || (page - 1)) AS b
			 WHERE page > 1
			UNION ALL
			SELECT 2, jsonb_build_object('text', (page + 1) || ' ›', 'callback_data', 'stats:' || (page + 1))
			 WHERE page < pages) x)))
END;
COMMENT ON FUNCTION cos._bot_stats_keyboard(integer, integer) IS
'Private: the previous/next buttons of /stats page page of pages (callback_data stats:<n>); NULL for a single page.';

-- A message in a private chat.
CREATE FUNCTION cos._bot_message(m jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	chat bigint := (m -> 'chat' ->> 'id')::bigint;
	txt text := coalesce(m ->> 'text', '');
	cmd text;
	arg text;
	u cos.users;
	lang text;
	s record;
BEGIN
	IF m -> 'chat' ->> 'type' IS DISTINCT FROM 'private' OR m -> 'from' IS NULL THEN
		RETURN;		-- the bot talks in private chats only
	END IF;
	u := cos._bot_user(m -> 'from');
	IF u.status = 'blocked' THEN
		RETURN;
	END IF;
	lang := cos._bot_lang(u.language_code);
	-- "/cmd@bot_username arg"
	cmd := lower(substring(txt FROM '^/([A-Za-z0-9_]{1,32})(@[A-Za-z0-9_]+)?(\s|$)'));
	arg := btrim(substring(txt FROM '^/\S+\s+(.*)$'));

	IF cmd = 'start' THEN
		-- a deep link's parameter: Telegram allows A-Z, a-z, 0-9, _ and -, up to 64
		IF arg !~ '^[A-Za-z0-9_-]{1,64}$' THEN
			arg := NULL;
		END IF;
		IF arg IS NOT NULL AND u.start_param IS NULL THEN
			UPDATE cos.users SET start_param = arg WHERE id = u.id;
		END IF;
		INSERT INTO cos.outbox (chat_id, text, reply_markup)
		VALUES (chat, cos._bot_text('welcome', lang,
						jsonb_build_object('name', coalesce(u.first_name, u.username, ''))),
				cos._bot_open_button(lang, arg, false));
	ELSIF cmd = 'stats' THEN
		s := cos._bot_stats(u.id, 1, lang);
		INSERT INTO cos.outbox (chat_id, text, reply_markup)
		VALUES (chat, s.text, coalesce(cos._bot_stats_keyboard(1, s.pages), cos._bot_open_button(lang, NULL, false)));
	ELSIF cmd = 'digest' THEN
		arg := lower(arg);
		IF arg IN ('on', 'off') THEN
			UPDATE cos.users SET digest = (arg = 'on') WHERE id = u.id;
			INSERT INTO cos.outbox (chat_id, text)
			VALUES (chat, cos._bot_text(CASE arg WHEN 'on' THEN 'digest_on' ELSE 'digest_off' END, lang));
		ELSE
			INSERT INTO cos.outbox (chat_id, text)
			VALUES (chat, cos._bot_text('digest_state', lang, jsonb_build_object('state',
						cos._bot_text(CASE WHEN u.digest THEN 'word_on' ELSE 'word_off' END, lang))));
		END IF;
	ELSE
		INSERT INTO cos.outbox (chat_id, text, reply_markup)
		VALUES (chat, cos._bot_text('help', lang), cos._bot_open_button(lang, NULL, false));
	END IF;
END
$$;
COMMENT ON FUNCTION cos._bot_message(jsonb) IS
'Private: answers a Bot API Message in a private chat (others are ignored): /start [param] (the welcome text and a web_app button to the mini-app at start_param param), /stats, /digest on|off, and the help text for /help and anything else.  The answer is queued in cos.outbox (kind reply).';

-- A press on an inline button.
CREATE FUNCTION cos._bot_callback(q jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	u cos.users;
	lang text;
	data text := q ->> 'data';
	chat bigint := (q -> 'message' -> 'chat' ->> 'id')::bigint;
	msg bigint := (q -> 'message' ->> 'message_id')::bigint;
	s record;
	p integer;
BEGIN
	u := cos._bot_user(q -> 'from');
	-- the spinner on the button stops once answered
	INSERT INTO cos.outbox (chat_id, method, params)
	VALUES (coalesce(chat, u.telegram_id), 'answerCallbackQuery',
			jsonb_build_object('callback_query_id', q ->> 'id'));
	IF u.status = 'blocked' OR chat IS NULL OR msg IS NULL THEN
		RETURN;
	END IF;
	lang := cos._bot_lang(u.language_code);
	IF data ~ '^stats:[0-9]{1,6}$' THEN
		p := split_part(data, ':', 2)::integer;
		s := cos._bot_stats(u.id, p, lang);
		p := greatest(1, least(p, s.pages));
		INSERT INTO cos.outbox (chat_id, method, text, reply_markup, params)
		VALUES (chat, 'editMessageText', s.text, cos._bot_stats_keyboard(p, s.pages),
				jsonb_build_object('message_id', msg));
	END IF;
END
$$;
COMMENT ON FUNCTION cos._bot_callback(jsonb) IS
'Private: answers a Bot API CallbackQuery: answerCallbackQuery always; stats:<n> edits the /stats message to page n.';

-- The bot's membership in a private chat changed: kicked = blocked.
CREATE FUNCTION cos._bot_chat_member(c jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	st text := c -> 'new_chat_member' ->> 'status';
	tid bigint;
BEGIN
	IF c -> 'chat' ->> 'type' IS DISTINCT FROM 'private' OR (c -> 'from' ->> 'id') !~ '^[0-9]{1,18}$' THEN
		RETURN;
	END IF;
	tid := (c -> 'from' ->> 'id')::bigint;
	IF st = 'kicked' THEN
		UPDATE cos.users SET bot_blocked_at = now() WHERE telegram_id = tid;
		UPDATE cos.outbox SET state = 'failed', last_error = 'the user blocked the bot'
		 WHERE chat_id = tid AND state = 'queued';
	ELSIF st = 'member' THEN
		UPDATE cos.users SET bot_blocked_at = NULL WHERE telegram_id = tid;
	END IF;
END
$$;
COMMENT ON FUNCTION cos._bot_chat_member(jsonb) IS
'Private: a Bot API ChatMemberUpdated in a private chat: kicked marks the user as having blocked the bot (their queued messages fail), member clears it.';

CREATE FUNCTION cos._bot_update(u jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	uid bigint;
	err text;
BEGIN
	IF jsonb_typeof(u -> 'update_id') IS DISTINCT FROM 'number' THEN
		RAISE EXCEPTION 'a Bot API update without an update_id' USING ERRCODE = 'invalid_parameter_value';
	END IF;
	uid := (u ->> 'update_id')::bigint;
	-- handled already (its transaction committed): nothing more
	PERFORM 1 FROM cos.bot_state WHERE update_offset > uid FOR UPDATE;
	IF FOUND THEN
		RETURN;
	END IF;
	BEGIN
		IF u ? 'message' THEN
			PERFORM cos._bot_message(u -> 'message');
		ELSIF u ? 'callback_query' THEN
			PERFORM cos._bot_callback(u -> 'callback_query');
		ELSIF u ? 'my_chat_member' THEN
			PERFORM cos._bot_chat_member(u -> 'my_chat_member');
		END IF;
	EXCEPTION WHEN OTHERS THEN
		-- skipped, not retried for ever: a poison update must not stop the bot
		GET STACKED DIAGNOSTICS err = MESSAGE_TEXT;
		RAISE WARNING 'cos bot: update % could not be handled: %', uid, err;
	END;
	UPDATE cos.bot_state SET update_offset = greatest(update_offset, uid + 1), updated_at = now();
END
$$;
COMMENT ON FUNCTION cos._bot_update(jsonb) IS
'Private (for the bot worker): applies one Bot API Update (message, callback_query, my_chat_member) and advances cos.bot_state.update_offset past it in the same transaction, so that each update is handled exactly once (one below the offset is ignored).  An update that fails is logged with a WARNING and skipped.  Raises 22023 for an update without update_id.';

------------------------------------------------------------------------------
-- Digests and alerts (queued by the bot worker every few seconds)
------------------------------------------------------------------------------

-- For each scheduled run that ended: to every user who asked for digests,
-- their five biggest gains (followers of their channels, views of their
-- videos) between the run's snapshots and the ones before.
CREATE FUNCTION cos._bot_queue_digests()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r cos.runs;
	n integer := 0;
	k integer;
BEGIN
	FOR r IN SELECT * FROM cos.runs WHERE digest_at IS NULL AND status <> 'running' ORDER BY id FOR UPDATE SKIP LOCKED LOOP
		UPDATE cos.runs SET digest_at = now() WHERE id = r.id;
		-- a manual run, a skipped one, or one that ended long ago (a bot
		-- started on an old install) gets none
		CONTINUE WHEN r.kind <> 'scheduled' OR r.status <> 'done' OR r.finished_at < now() - interval '12 hours';
		INSERT INTO cos.outbox (chat_id, text, reply_markup, kind)
		SELECT g.telegram_id,
			   cos._bot_text('digest_header', g.lang, jsonb_build_object('when',
					to_char(r.started_at AT TIME ZONE 'Europe/Moscow', 'DD.MM HH24:MI') || ' MSK')) ||
			   E'\n' || string_agg(g.line, E'\n' ORDER BY g.gain DESC),
			   cos._bot_open_button(g.lang), 'digest'
		  FROM (
			SELECT u.telegram_id, l.lang, x.line, x.gain,
				   row_number() OVER (PARTITION BY u.id ORDER BY x.gain DESC) AS rk
			  FROM cos.users u
			 CROSS JOIN LATERAL (SELECT cos._bot_lang(u.language_code) AS lang) l
			 CROSS JOIN LATERAL (
				SELECT '• ' || cos._clip(coalesce(nullif(btrim(c.title), ''), c.handle, c.url)) || ': ' ||
					   cos._bot_num(h.followers - p.followers, l.lang, true) || ' ' ||
					   cos._bot_text('followers', l.lang) AS line,
					   h.followers - p.followers AS gain
				  FROM cos.user_channels uc
				  JOIN cos.channels c ON c.id = uc.channel_id
				  JOIN LATERAL (SELECT * FROM cos.channel_history h WHERE h.channel_id = c.id AND h.run_id = r.id
								 ORDER BY h.captured_at DESC LIMIT 1) h ON true
				  JOIN LATERAL (SELECT * FROM cos.channel_history p WHERE p.channel_id = c.id
								   AND p.captured_at < h.captured_at AND p.captured_at > h.captured_at - interval '45 days'
								 ORDER BY p.captured_at DESC LIMIT 1) p ON true
				 WHERE uc.user_id = u.id AND h.followers > p.followers
				UNION ALL
				SELECT '• ' || cos._clip(coalesce(nullif(btrim(v.title), ''), v.url)) || ': ' ||
					   cos._bot_num(h.views - p.views, l.lang, true) || ' ' ||
					   cos._bot_text('views', l.lang),
					   h.views - p.views
				  FROM cos.user_videos uv
				  JOIN cos.videos v ON v.id = uv.video_id
				  JOIN LATERAL (SELECT * FROM cos.video_history h WHERE h.video_id = v.id AND h.run_id = r.id
								 ORDER BY h.captured_at DESC LIMIT 1) h ON true
				  JOIN LATERAL (SELECT * FROM cos.video_history p WHERE p.video_id = v.id
								   AND p.captured_at < h.captured_at AND p.captured_at > h.captured_at - interval '45 days'
								 ORDER BY p.captured_at DESC LIMIT 1) p ON true
				 WHERE uv.user_id = u.id AND h.views > p.views) x
			 WHERE u.digest AND u.bot_started_at IS NOT NULL AND u.bot_blocked_at IS NULL
			   AND u.status = 'active') g
		 WHERE g.rk <= 5
		 GROUP BY g.telegram_id, g.lang;
		GET DIAGNOSTICS k = ROW_COUNT;
		n := n + k;
	END LOOP;
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos._bot_queue_digests() IS
'Private (for the bot worker): for each run that ended since the last call (marked in runs.digest_at), and only for scheduled runs done within 12 hours: queues to each user with digest on (who has written to the bot and not blocked it) their five biggest gains in that run — followers of tracked channels, views of tracked videos, against each one''s snapshot before — and returns how many digests were queued.  A user with no gain gets none.';

-- One alert per channel change to each user who tracks the channel.
CREATE FUNCTION cos._bot_queue_alerts()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	WITH ch AS (
		UPDATE cos.channel_changes x SET alerted_at = now()
		 WHERE x.id IN (SELECT id FROM cos.channel_changes WHERE alerted_at IS NULL ORDER BY id
						 LIMIT 1000 FOR UPDATE SKIP LOCKED)
		RETURNING x.*
	)
	INSERT INTO cos.outbox (chat_id, text, reply_markup, kind)
	SELECT u.telegram_id,
		   cos._bot_text('alert_' || ch.field, l.lang, jsonb_build_object(
				'channel', cos._clip(coalesce(CASE WHEN ch.field = 'title' THEN ch.old_value END, c.title, c.handle, c.url)),
				'old', cos._clip(ch.old_value), 'new', cos._clip(ch.new_value))),
		   cos._bot_open_button(l.lang, 'channel_' || c.id), 'alert'
	  FROM ch
	  JOIN cos.channels c ON c.id = ch.channel_id
	  JOIN cos.user_channels uc ON uc.channel_id = c.id
	  JOIN cos.users u ON u.id = uc.user_id
	 CROSS JOIN LATERAL (SELECT cos._bot_lang(u.language_code) AS lang) l
	 WHERE ch.changed_at > now() - interval '1 day'
	   AND u.bot_started_at IS NOT NULL AND u.bot_blocked_at IS NULL AND u.status = 'active'
	 ORDER BY ch.id, u.id;
	GET DIAGNOSTICS n = ROW_COUNT;
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos._bot_queue_alerts() IS
'Private (for the bot worker): queues one alert per new cos.channel_changes row (older than a day: none) to each user who tracks that channel and has written to the bot and not blocked it, with a button opening the channel in the mini-app; marks the changes alerted and returns how many alerts were queued.';

------------------------------------------------------------------------------
-- The worker's side of the outbox
------------------------------------------------------------------------------

-- What became of the calls the worker made: one JSON object per row.
CREATE FUNCTION cos._bot_sent(results jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
	WITH r AS (
		SELECT * FROM jsonb_to_recordset(results)
			AS r(id bigint, outcome text, error text, message_id bigint, retry_ms bigint, blocked boolean)
	), o AS (
		UPDATE cos.outbox o
		   SET state = CASE r.outcome
						   WHEN 'retry' THEN CASE WHEN o.attempts >= greatest(current_setting('cos.bot_max_attempts')::integer, 1)
												  THEN 'failed' ELSE 'queued' END
						   WHEN 'later' THEN 'queued'
						   ELSE r.outcome END,
			   attempts = CASE WHEN r.outcome = 'later' THEN o.attempts - 1 ELSE o.attempts END,
			   last_error = r.error,
			   message_id = coalesce(r.message_id, o.message_id),
			   sent_at = CASE WHEN r.outcome = 'sent' THEN now() ELSE o.sent_at END,
			   not_before = CASE WHEN r.outcome IN ('retry', 'later')
								 THEN now() + make_interval(secs => coalesce(r.retry_ms, 0) / 1000.0)
								 ELSE o.not_before END
		  FROM r
		 WHERE o.id = r.id AND o.state = 'sending'
		RETURNING o.chat_id, r.blocked
	), b AS (
		UPDATE cos.users u SET bot_blocked_at = now()
		  FROM (SELECT DISTINCT chat_id FROM o WHERE blocked) x
		 WHERE u.telegram_id = x.chat_id AND u.bot_blocked_at IS NULL
		RETURNING u.telegram_id
	)
	UPDATE cos.outbox q SET state = 'failed', last_error = 'Forbidden: bot was blocked by the user'
	  FROM (SELECT DISTINCT chat_id FROM o WHERE blocked) x
	 WHERE q.chat_id = x.chat_id AND q.state = 'queued';
END
$$;
COMMENT ON FUNCTION cos._bot_sent(jsonb) IS
'Private (for the bot worker): records the outcome of sent rows, a JSON array of {id, outcome: sent | failed | unknown | retry (5xx, network: queued again after retry_ms, failed past cos.bot_max_attempts) | later (429: queued again after retry_ms, the attempt not counted), error, message_id, blocked (403 blocked: the user is marked and their queued rows fail)}.';

-- The next outbox row to send, marked sending (the worker commits that
-- before its call): replies first, then alerts, digests, broadcasts, each
-- oldest first; none to the chats in busy (written to just now), though a
-- callback's answer is no message and may go to any.  When none is due,
-- id is NULL and next_in_ms says when the first queued row falls due.
CREATE FUNCTION cos._bot_claim(busy bigint[], OUT id bigint, OUT chat_id bigint, OUT method text,
							   OUT attempts integer, OUT body jsonb, OUT next_in_ms bigint)
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	r cos.outbox;
BEGIN
	LOOP
		SELECT * INTO r FROM cos.outbox o
		 WHERE o.state = 'queued' AND o.not_before <= now()
		   AND (o.chat_id <> ALL (busy) OR o.method = 'answerCallbackQuery')
		 ORDER BY o.priority, o.id
		 LIMIT 1 FOR UPDATE SKIP LOCKED;
		IF NOT FOUND THEN
			SELECT ceil(extract(epoch FROM min(o.not_before) - now()) * 1000)
			  INTO next_in_ms FROM cos.outbox o WHERE o.state = 'queued';
			IF next_in_ms < 0 THEN
				next_in_ms := 0;
			END IF;
			RETURN;
		END IF;
		-- a user who blocked the bot gets nothing until they write again
		EXIT WHEN NOT EXISTS (SELECT 1 FROM cos.users u
							   WHERE u.telegram_id = r.chat_id AND u.bot_blocked_at IS NOT NULL);
		UPDATE cos.outbox o SET state = 'failed', last_error = 'Forbidden: bot was blocked by the user'
		 WHERE o.id = r.id;
	END LOOP;
	UPDATE cos.outbox o SET state = 'sending', attempts = o.attempts + 1 WHERE o.id = r.id;
	id := r.id;
	chat_id := r.chat_id;
	method := r.method;
	attempts := r.attempts + 1;
	body := CASE WHEN r.method = 'answerCallbackQuery' THEN '{}'::jsonb
				 ELSE jsonb_build_object('chat_id', r.chat_id) END;
	IF r.text IS NOT NULL THEN
		body := body || jsonb_build_object('text', r.text);
	END IF;
	IF r.reply_markup IS NOT NULL THEN
		body := body || jsonb_build_object('reply_markup', r.reply_markup);
	END IF;
	IF r.parse_mode IS NOT NULL THEN
		body := body || jsonb_build_object('parse_mode', r.parse_mode);
	END IF;
	body := body || coalesce(r.params, '{}');
END
$$;
COMMENT ON FUNCTION cos._bot_claim(bigint[]) IS
'Private (for the bot worker): marks the next due cos.outbox row sending and returns it with its Bot API method and JSON body: replies first, then alerts, digests and broadcasts, oldest first, none to a chat in busy (an answerCallbackQuery excepted); a row to a user who blocked the bot fails on the way, without a call.  When none is due: id NULL, and next_in_ms the time until the first queued row falls due (NULL when none is queued).';

-- The calls the bot makes when it starts: its commands (English, and
-- Russian for Russian-speaking users) and the menu button opening the
-- mini-app.
CREATE FUNCTION cos._bot_setup()
RETURNS TABLE (method text, params jsonb)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
	SELECT 'setMyCommands',
		   jsonb_build_object('commands', jsonb_build_array(
				jsonb_build_object('command', 'start', 'description', cos._bot_text('cmd_start', l)),
				jsonb_build_object('command', 'stats', 'description', cos._bot_text('cmd_stats', l)),
				jsonb_build_object('command', 'digest', 'description', cos._bot_text('cmd_digest', l)),
				jsonb_build_object('command', 'help', 'description', cos._bot_text('cmd_help', l)))) ||
		   CASE WHEN l = 'en' THEN '{}'::jsonb ELSE jsonb_build_object('language_code', l) END
	  FROM unnest(ARRAY['en', 'ru']) AS l
	UNION ALL
	SELECT 'setChatMenuButton',
		   jsonb_build_object('menu_button', jsonb_build_object('type', 'web_app',
				'text', cos._bot_text('open_button', 'en'),
				'web_app', jsonb_build_object('url', cos._bot_webapp_url())))
	 WHERE cos._bot_webapp_url() IS NOT NULL
$$;
COMMENT ON FUNCTION cos._bot_setup() IS
'Private (for the bot worker): the Bot API calls it makes at start (method, JSON params): setMyCommands in English and Russian, and setChatMenuButton with a web_app button to cos.webapp_url when that is set.';

-- Rows the worker was sending when it stopped: maybe delivered, never resent.
CREATE FUNCTION cos._bot_recover()
RETURNS integer
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
	n integer;
BEGIN
	UPDATE cos.outbox SET state = 'unknown',
		   last_error = 'the bot worker stopped while this call was out: it may or may not have been delivered, and is not sent again'
	 WHERE state = 'sending';
	GET DIAGNOSTICS n = ROW_COUNT;
	IF n > 0 THEN
		RAISE WARNING 'cos bot: % outbox rows were being sent when the bot worker stopped; marked unknown, not sent again', n;
	END IF;
	RETURN n;
END
$$;
COMMENT ON FUNCTION cos._bot_recover() IS
'Private (for the bot worker, at start): marks the rows left in state sending unknown (they may or may not have been delivered; at most once means never again) and returns how many.';

REVOKE ALL ON cos.bot_state, cos.bot_default_texts, cos.bot_texts, cos.outbox FROM PUBLIC;
REVOKE ALL ON FUNCTION cos._bot_lang(text), cos._bot_text(text, text, jsonb), cos._bot_num(bigint, text, boolean),
	cos._bot_webapp_url(text), cos._bot_open_button(text, text, boolean), cos._wake_bot(),
	cos._outbox_check(text, jsonb, text, text),
	cos.send_message(bigint, text, jsonb, text, text), cos.broadcast(text, jsonb, text),
	cos._bot_user(jsonb), cos._bot_stats(bigint, integer, text), cos._bot_stats_keyboard(integer, integer),
	cos._bot_message(jsonb), cos._bot_callback(jsonb), cos._bot_chat_member(jsonb), cos._bot_update(jsonb),
	cos._bot_queue_digests(), cos._bot_queue_alerts(), cos._bot_sent(jsonb), cos._bot_recover(),
	cos._bot_claim(bigint[]), cos._bot_setup(), cos._outbox_queued()
	FROM PUBLIC;

-- cos.bot_state is not dumped: a restored bot starts from offset 0, and
-- Telegram hands over only the updates it has not confirmed.
SELECT pg_catalog.pg_extension_config_dump('cos.bot_texts', '');
SELECT pg_catalog.pg_extension_config_dump('cos.outbox', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('cos.outbox', 'id'), '');

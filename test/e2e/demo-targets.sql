-- test/e2e/demo-targets.sql -- the demo's channels and videos, added by their
-- public URLs and collected from the captures the fixture server serves
-- (test/fixtures): what make demo (demo.sh) shows and what the mini-app's
-- browser test (test_webapp.sh) reads.  Run with psql -v ON_ERROR_STOP=1 on
-- a cluster whose platforms point at the fixture server (lib.sh's
-- point_platforms); fails (psql exits non-zero) when a run does not finish.

\echo '== run 1: TikTok, Telegram, Instagram, Likee, and a YouTube watch page (no Data API key yet)'
-- Instagram needs a logged-in session (its Cookie header) and sends X-IG-App-ID
INSERT INTO cos.accounts (platform, kind, label, secret, app_id)
VALUES ('instagram', 'cookie', 'demo session', 'sessionid=demo', '936619743392459');
SELECT cos.add_video('https://www.youtube.com/watch?v=GJLlxj_dtq8') \g /dev/null
SELECT cos.add_channel('https://t.me/durov') \g /dev/null
SELECT cos.add_channel('https://t.me/s/walterbloomberg') \g /dev/null
SELECT cos.add_video('https://t.me/durov/37') \g /dev/null
SELECT cos.add_channel('https://www.instagram.com/robertdowneyjr/') \g /dev/null
SELECT cos.add_video('https://www.instagram.com/reel/CAG3E8-A3wf/') \g /dev/null
SELECT cos.add_video('https://likee.video/@TioDjShow/video/6928156767853015171') \g /dev/null
SELECT cos.add_channel('https://likee.video/@sarah.stefano') \g /dev/null
-- Likee lists a channel's posts by its numeric uid, which the URL does not carry
UPDATE cos.channels SET platform_id = '1326964767' WHERE external_id = '@sarah.stefano';
SELECT cos.add_video('https://www.tiktok.com/@dangthuhaf/video/7526770564367748360?is_from_webapp=1') \g /dev/null
SELECT cos.add_video('https://www.tiktok.com/@emlyreview/video/7585124257601162516') \g /dev/null
SELECT cos.add_video('https://www.tiktok.com/@dudeperfect/video/7276437262283859205') \g /dev/null
SELECT cos.add_channel('https://www.tiktok.com/@novix.ht') \g /dev/null
SELECT cos.run_now() \g /dev/null
SELECT cos.wait_idle('60 s') AS idle \gset
\if :idle
\else
	DO $$ BEGIN RAISE EXCEPTION 'run 1 did not finish within 60 s'; END $$;
\endif

\echo '== run 2: YouTube Data API (videos.list; channels.list -> uploads playlist)'
INSERT INTO cos.accounts (platform, kind, label, secret) VALUES ('youtube', 'api_key', 'demo key', 'demo-key');
-- the captures hold no videos.list response for GJLlxj_dtq8 (only its watch page)
UPDATE cos.videos SET tracked = false WHERE external_id = 'GJLlxj_dtq8';
SELECT cos.add_video('https://youtu.be/D-lhorsDlUQ') \g /dev/null
SELECT cos.add_channel('https://www.youtube.com/channel/UCK8sQmJBp8GCxrOtXWBpyEA') \g /dev/null
SELECT cos.run_now('youtube') \g /dev/null
SELECT cos.wait_idle('60 s') AS idle \gset
\if :idle
\else
	DO $$ BEGIN RAISE EXCEPTION 'run 2 did not finish within 60 s'; END $$;
\endif

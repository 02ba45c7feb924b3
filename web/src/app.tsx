/* app.tsx -- signs in, keeps the user's lists and the screen stack, and
 * shows the screen on top. */

import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { rpc, signIn, type ChannelRow, type User, type VideoRow } from './api';
import { startTarget, type Lang } from './format';
import type { Strings } from './i18n';
import { AddScreen } from './screens/add';
import { ChannelScreen } from './screens/channel';
import { HomeScreen } from './screens/home';
import { VideoScreen } from './screens/video';
import * as tg from './telegram';
import { App, ErrorBox, Loading, type AppState, type Lists, type Route } from './ui';

// while a row waits for its first collection, reload the lists this often,
// at most POLLS times after the last change
const POLL_MS = 15000;
const POLLS = 40;

/** The screens a start_param (deep link) opens: video_<id> or channel_<id> over the list. */
export function routesFor(startParam: string | null): Route[] {
	const t = startTarget(startParam);
	if (!t)
		return [{ name: 'home', tab: 'videos' }];
	return t.kind === 'video'
		? [{ name: 'home', tab: 'videos' }, { name: 'video', id: t.id }]
		: [{ name: 'home', tab: 'channels' }, { name: 'channel', id: t.id }];
}

/** The signed-in app: lists, navigation, the BackButton. */
export function Main({ user, s, lang, startParam }: { user: User; s: Strings; lang: Lang; startParam: string | null }) {
	const [stack, setStack] = useState<Route[]>(() => routesFor(startParam));
	const [lists, setLists] = useState<Lists>({ videos: null, channels: null, error: null, loading: true });
	const polls = useRef(0);

	const reload = useCallback(async () => {
		setLists((l) => ({ ...l, loading: true }));
		try {
			const [videos, channels] = await Promise.all([
				rpc<VideoRow[]>('my_videos'),
				rpc<ChannelRow[]>('my_channels'),
			]);
			setLists({ videos, channels, error: null, loading: false });
		} catch (error) {
			setLists((l) => ({ ...l, error, loading: false }));
		}
	}, []);

	useEffect(() => {
		reload();
	}, [reload]);

	// rows never collected yet fill in after the next collection: poll for it
	const waiting = [...(lists.videos ?? []), ...(lists.channels ?? [])]
		.some((r) => r.checked_at == null && (r.status === 'ok' || r.status === 'pending'));
	useEffect(() => {
		if (!waiting || lists.loading || polls.current >= POLLS)
			return;
		const t = setTimeout(() => {
			polls.current++;
			reload();
		}, POLL_MS);
		return () => clearTimeout(t);
	}, [waiting, lists, reload]);

	const top = stack[stack.length - 1];
	const state: AppState = useMemo(() => ({
		s, lang, user, lists, reload,
		added(kind, row) {
			polls.current = 0;
			setLists((l) => kind === 'video'
				? { ...l, videos: [row as VideoRow, ...(l.videos ?? []).filter((x) => x.id !== row.id)] }
				: { ...l, channels: [row as ChannelRow, ...(l.channels ?? []).filter((x) => x.id !== row.id)] });
		},
		removed(kind, id) {
			setLists((l) => kind === 'video'
				? { ...l, videos: (l.videos ?? []).filter((x) => x.id !== id) }
				: { ...l, channels: (l.channels ?? []).filter((x) => x.id !== id) });
		},
		push(r) {
			setStack((x) => [...x, r]);
			window.scrollTo(0, 0);
		},
		replace(r) {
			setStack((x) => [...x.slice(0, -1), r]);
		},
		back() {
			setStack((x) => (x.length > 1 ? x.slice(0, -1) : x));
		},
	}), [s, lang, user, lists, reload]);

	// Telegram's BackButton whenever there is a screen to go back to
	const canGoBack = stack.length > 1;
	useEffect(() => {
		tg.setBackButton(canGoBack);
		if (!canGoBack)
			return;
		return tg.onBackButton(() => state.back());
	}, [canGoBack, state]);

	return (
		<App.Provider value={state}>
			{canGoBack && !tg.hasNativeButtons() && (
				<button class="plain backlink" onClick={state.back}>‹ {s.back}</button>
			)}
			{top.name === 'home' && <HomeScreen tab={top.tab} />}
			{top.name === 'add' && <AddScreen />}
			{top.name === 'video' && <VideoScreen key={top.id} id={top.id} />}
			{top.name === 'channel' && <ChannelScreen key={top.id} id={top.id} />}
		</App.Provider>
	);
}

/** Signs in with initData, then shows the app (or why it cannot). */
export function Boot({ initData, s, lang, startParam }: { initData: string; s: Strings; lang: Lang; startParam: string | null }) {
	const [user, setUser] = useState<User | null>(null);
	const [error, setError] = useState<unknown>(null);
	const [n, setN] = useState(0);
	useEffect(() => {
		setError(null);
		signIn(initData).then(setUser, setError);
	}, [initData, n]);
	if (user)
		return <Main user={user} s={s} lang={lang} startParam={startParam} />;
	// the error box reads strings from the context: a minimal one
	const bare = { s, lang } as AppState;
	return (
		<App.Provider value={bare}>
			{error ? <ErrorBox error={error} retry={() => setN((x) => x + 1)} /> : <Loading />}
		</App.Provider>
	);
}

/** The page outside Telegram: what to do instead of a blank page. */
export function Outside({ s }: { s: Strings }) {
	return (
		<div class="outside">
			<h1>{s.outsideTitle}</h1>
			<p>{s.outsideText}</p>
		</div>
	);
}

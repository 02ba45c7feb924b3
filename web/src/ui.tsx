/* ui.tsx -- what every screen shares: the app's context (strings, user,
 * navigation, the user's lists), data loading, error wording, and the small
 * pieces rows are made of. */

import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, rpc, type ChannelRow, type Platform, type Status, type User, type VideoRow } from './api';
import { compact, delta, type Lang } from './format';
import type { Strings } from './i18n';
import * as tg from './telegram';

export type Tab = 'videos' | 'channels' | 'admin';
export type Route =
	| { name: 'home'; tab: Tab }
	| { name: 'add' }
	| { name: 'video'; id: number }
	| { name: 'channel'; id: number };

export interface Lists {
	videos: VideoRow[] | null;
	channels: ChannelRow[] | null;
	error: unknown;
	loading: boolean;
}

export interface AppState {
	s: Strings;
	lang: Lang;
	user: User;
	lists: Lists;
	/** reloads my_videos and my_channels */
	reload(): Promise<void>;
	/** puts a row added just now on top of its list, until the next reload */
	added(kind: 'video' | 'channel', row: VideoRow | ChannelRow): void;
	/** drops a removed row from its list */
	removed(kind: 'video' | 'channel', id: number): void;
	push(r: Route): void;
	replace(r: Route): void;
	back(): void;
}

export const App = createContext<AppState>(null as unknown as AppState);

/** The app's state (every screen is inside its provider). */
export function useApp(): AppState {
	return useContext(App);
}

export interface Loaded<T> {
	data?: T;
	error: unknown;
	loading: boolean;
	reload(): void;
}

/** Runs load when deps change (and on reload()); its result, error and whether it runs. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
	const [state, setState] = useState<{ data?: T; error: unknown; loading: boolean }>({ error: null, loading: true });
	const [n, setN] = useState(0);
	useEffect(() => {
		let live = true;
		setState((x) => ({ ...x, loading: true }));
		load().then(
			(data) => live && setState({ data, error: null, loading: false }),
			(error) => live && setState((x) => ({ data: x.data, error, loading: false })),
		);
		return () => {
			live = false;
		};
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [...deps, n]);
	return { ...state, reload: useCallback(() => setN((x) => x + 1), []) };
}

/** What useRemove gives a screen: the action, whether it runs, its error. */
export interface Removal {
	remove(): Promise<void>;
	busy: boolean;
	error: unknown;
}

/**
 * Stops tracking the video or channel id (remove_video / remove_channel)
 * after Telegram's confirmation popup, drops it from the lists and goes back;
 * on failure the error is kept for the screen to show.
 */
export function useRemove(kind: 'video' | 'channel', id: number): Removal {
	const { s, removed, back } = useApp();
	const [error, setError] = useState<unknown>(null);
	const [busy, setBusy] = useState(false);

	async function remove() {
		if (!(await tg.confirm(kind === 'video' ? s.removeVideoConfirm : s.removeChannelConfirm, s.remove)))
			return;
		setBusy(true);
		try {
			await rpc(`remove_${kind}`, kind === 'video' ? { video_id: id } : { channel_id: id });
			tg.haptic('success');
			removed(kind, id);
			back();
		} catch (e) {
			tg.haptic('error');
			setError(e);
			setBusy(false);
		}
	}
	return { remove, busy, error };
}

/** An error in words for the user: the sentence, and the API's hint when it helps. */
export function describe(e: unknown, s: Strings): { text: string; hint: string | null } {
	if (!(e instanceof ApiError))
		return { text: s.errOther, hint: e instanceof Error ? e.message : null };
	const num = (x: string | null) => {
		const m = x?.match(/(\d+)/);
		return m ? Number(m[1]) : null;
	};
	switch (true) {
		case e.status === 0:
			return { text: s.errNetwork, hint: null };
		case e.status === 401:
			return { text: s.errSignIn, hint: null };
		case e.status === 429:
			return { text: s.errRate(num(e.hint)), hint: null };
		case e.code === 'PT403' && /user_max_videos/.test(e.message + (e.details ?? '')):
			return { text: s.errLimitVideos(num(e.details)), hint: null };
		case e.code === 'PT403' && /user_max_channels/.test(e.message + (e.details ?? '')):
			return { text: s.errLimitChannels(num(e.details)), hint: null };
		case e.status === 403:
			return { text: s.errBlocked, hint: null };
		case e.status === 404:
			return { text: s.errNotFound, hint: e.message };
		case e.code === '22023' && /URL/i.test(e.message):
			return { text: s.errBadUrl, hint: e.hint ?? e.message };
		case e.status >= 500:
			return { text: s.errServer, hint: null };
		default:
			return { text: e.message || s.errOther, hint: e.hint };
	}
}

/** An error in words, with a retry button when retry is given. */
export function ErrorBox({ error, retry }: { error: unknown; retry?: () => void }) {
	const { s } = useApp();
	const d = describe(error, s);
	return (
		<div class="notice error" role="alert">
			<p>{d.text}</p>
			{d.hint && <p class="hint">{d.hint}</p>}
			{retry && <button class="plain" onClick={retry}>{s.retry}</button>}
		</div>
	);
}

/** A placeholder while a screen's data loads. */
export function Loading() {
	const { s } = useApp();
	return <div class="notice hint" aria-busy="true">{s.loading}</div>;
}

const PLATFORMS: Record<Platform, [string, string]> = {
	youtube: ['YouTube', 'YT'],
	tiktok: ['TikTok', 'TT'],
	instagram: ['Instagram', 'IG'],
	likee: ['Likee', 'LK'],
	telegram: ['Telegram', 'TG'],
};

/** A platform's name. */
export function platformName(p: Platform): string {
	return PLATFORMS[p]?.[0] ?? p;
}

/** A platform's badge: its initials on its colour, its name for screen readers. */
export function PlatformIcon({ platform }: { platform: Platform }) {
	const [name, short] = PLATFORMS[platform] ?? [platform, platform.slice(0, 2).toUpperCase()];
	return <span class={`pf pf-${platform}`} title={name} role="img" aria-label={name}>{short}</span>;
}

/** A row's status when it is not plain ok: queued (never collected), pending, unavailable, private. */
export function StatusBadge({ status, checked }: { status: Status; checked: string | null }) {
	const { s } = useApp();
	const text = status === 'pending' ? s.statusPending
		: status === 'unavailable' ? s.statusUnavailable
		: status === 'private' ? s.statusPrivate
		: checked == null ? s.statusQueued : '';
	return text ? <span class={`badge st-${checked == null && status === 'ok' ? 'queued' : status}`}>{text}</span> : null;
}

/** A thumbnail (the copy Cos stored, /uploads/…) or the platform's badge until there is one. */
export function Thumb({ src, platform, round }: { src: string | null | undefined; platform: Platform; round?: boolean }) {
	const [broken, setBroken] = useState(false);
	return (
		<div class={`thumb${round ? ' round' : ''}`}>
			{src && !broken
				? <img src={src} alt="" loading="lazy" decoding="async" onError={() => setBroken(true)} />
				: <PlatformIcon platform={platform} />}
		</div>
	);
}

/** A change, coloured by its sign; nothing when unknown. */
export function Delta({ value }: { value: number | null | undefined }) {
	const { lang } = useApp();
	const text = delta(value, lang);
	if (!text)
		return null;
	return <span class={`delta ${value! > 0 ? 'up' : value! < 0 ? 'down' : 'zero'}`}>{text}</span>;
}

/** A counter as a row shows it: its icon, the compact number and its change; nothing when unknown. */
export function Count({ icon, label, value, change }: { icon: string; label: string; value: number | null; change?: number | null }) {
	const { lang } = useApp();
	if (value == null)
		return null;
	return (
		<span class="count" title={label} aria-label={label}>
			<span aria-hidden="true">{icon}</span> {compact(value, lang)} <Delta value={change} />
		</span>
	);
}

/** A titled group of rows, as Telegram's settings look. */
export function Section({ title, children, class: cls }: { title?: ComponentChildren; children: ComponentChildren; class?: string }) {
	return (
		<section class={`section${cls ? ' ' + cls : ''}`}>
			{title && <h2>{title}</h2>}
			{children}
		</section>
	);
}

/**
 * Telegram's MainButton with text, calling onClick (null: hidden), or, when
 * Telegram draws none, the same button at the foot of the page.
 */
export function MainButton({ text, onClick, enabled = true, loading = false }: { text: string | null; onClick: () => void; enabled?: boolean; loading?: boolean }) {
	const native = tg.hasNativeButtons();
	const click = useRef(onClick);
	click.current = onClick;
	useEffect(() => {
		if (native)
			tg.setMainButton(text ? { text, enabled, loading } : null);
	}, [native, text, enabled, loading]);
	useEffect(() => (native ? tg.onMainButton(() => click.current()) : undefined), [native]);
	// hidden when the screen that showed it goes
	useEffect(() => () => {
		if (native)
			tg.setMainButton(null);
	}, [native]);
	if (native || !text)
		return null;
	return (
		<div class="footer">
			<button class="main" disabled={!enabled || loading} onClick={() => click.current()}>{text}</button>
		</div>
	);
}

/** Pull down at the top of the page to call refresh (touch screens). */
export function usePullToRefresh(refresh: () => Promise<unknown>): { pulled: number; busy: boolean } {
	const [pulled, setPulled] = useState(0);
	const [busy, setBusy] = useState(false);
	const start = useRef<number | null>(null);
	const cb = useRef(refresh);
	cb.current = refresh;
	useEffect(() => {
		let dist = 0;
		const down = (e: TouchEvent) => {
			start.current = window.scrollY <= 0 ? e.touches[0].clientY : null;
			dist = 0;
		};
		const move = (e: TouchEvent) => {
			if (start.current == null)
				return;
			dist = Math.max(0, e.touches[0].clientY - start.current);
			setPulled(Math.min(dist, 120));
		};
		const up = () => {
			if (start.current != null && dist > 70) {
				tg.haptic('tap');
				setBusy(true);
				cb.current().finally(() => setBusy(false));
			}
			start.current = null;
			dist = 0;
			setPulled(0);
		};
		window.addEventListener('touchstart', down, { passive: true });
		window.addEventListener('touchmove', move, { passive: true });
		window.addEventListener('touchend', up);
		window.addEventListener('touchcancel', up);
		return () => {
			window.removeEventListener('touchstart', down);
			window.removeEventListener('touchmove', move);
			window.removeEventListener('touchend', up);
			window.removeEventListener('touchcancel', up);
		};
	}, []);
	return { pulled, busy };
}

/** The pull-to-refresh hint at the top of a list. */
export function PullHint({ pulled, busy }: { pulled: number; busy: boolean }) {
	const { s } = useApp();
	if (!pulled && !busy)
		return null;
	return (
		<div class="pull hint" style={{ height: busy ? 36 : pulled / 2 }}>
			{busy ? s.loading : pulled > 70 ? s.release : s.pullToRefresh}
		</div>
	);
}

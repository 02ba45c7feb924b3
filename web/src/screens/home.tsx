/* screens/home.tsx -- the lists: my videos, my channels (and, for
 * administrators, the admin tab); sort, filter by platform, pull to refresh. */

import type { FunctionComponent } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { ChannelRow, Platform, VideoRow } from '../api';
import { ago, compact } from '../format';
import * as tg from '../telegram';
import {
	Count, ErrorBox, Loading, MainButton, PlatformIcon, PullHint, StatusBadge, Thumb,
	platformName, useApp, usePullToRefresh, type Tab,
} from '../ui';

type VideoSort = 'added' | 'views' | 'likes' | 'comments';
type ChannelSort = 'added' | 'followers';

/** A list's platforms, for the filter (in the order they first appear). */
function platformsOf(rows: { platform: Platform }[]): Platform[] {
	return [...new Set(rows.map((r) => r.platform))];
}

/** The platform filter: all, or one platform (only when the list has more than one). */
function PlatformFilter({ platforms, value, set }: { platforms: Platform[]; value: Platform | null; set(p: Platform | null): void }) {
	const { s } = useApp();
	if (platforms.length < 2)
		return null;
	const chip = (p: Platform | null, label: string) => (
		<button class={`chip${value === p ? ' on' : ''}`} aria-pressed={value === p}
			onClick={() => { tg.haptic('select'); set(p); }}>{label}</button>
	);
	return (
		<div class="chips" role="group">
			{chip(null, s.allPlatforms)}
			{platforms.map((p) => chip(p, platformName(p)))}
		</div>
	);
}

/** A sort order picker. */
function SortPicker<T extends string>({ value, set, options }: { value: T; set(v: T): void; options: [T, string][] }) {
	return (
		<select class="sort" value={value} onChange={(e) => set((e.target as HTMLSelectElement).value as T)}>
			{options.map(([v, label]) => <option value={v}>{label}</option>)}
		</select>
	);
}

/** One of my videos (or a channel's): thumbnail, title, platform, counters with their change, status. */
export function VideoItem({ v }: { v: VideoRow }) {
	const { s, lang, push } = useApp();
	return (
		<li>
			<button class="row" onClick={() => push({ name: 'video', id: v.id })}>
				<Thumb src={v.thumbnail} platform={v.platform} />
				<div class="body">
					<div class="title">{v.title || v.url}</div>
					<div class="counts">
						<Count icon="👁" label={s.views} value={v.views} change={v.views_change} />
						<Count icon="♥" label={s.likes} value={v.likes} change={v.likes_change} />
						<Count icon="💬" label={s.comments} value={v.comments} change={v.comments_change} />
					</div>
					<div class="meta">
						<PlatformIcon platform={v.platform} />
						<StatusBadge status={v.status} checked={v.checked_at} />
						<span class="hint">{ago(v.checked_at, lang, new Date())}</span>
					</div>
				</div>
			</button>
		</li>
	);
}

/** One of my channels: title, platform, followers, video count, status. */
function ChannelItem({ c }: { c: ChannelRow }) {
	const { s, lang, push } = useApp();
	return (
		<li>
			<button class="row" onClick={() => push({ name: 'channel', id: c.id })}>
				<Thumb src={null} platform={c.platform} round />
				<div class="body">
					<div class="title">{c.title || (c.handle ? '@' + c.handle : c.url)}</div>
					<div class="counts">
						<Count icon="👥" label={s.followers} value={c.followers} change={c.followers_change} />
						<span class="count" title={s.videoCount}>🎬 {compact(c.videos_count, lang)}</span>
					</div>
					<div class="meta">
						<PlatformIcon platform={c.platform} />
						<StatusBadge status={c.status} checked={c.checked_at} />
						<span class="hint">{ago(c.checked_at, lang, new Date())}</span>
					</div>
				</div>
			</button>
		</li>
	);
}

/** An empty list: what it is for and how to add the first link. */
function Empty({ title, text }: { title: string; text: string }) {
	return (
		<div class="empty">
			<h2>{title}</h2>
			<p class="hint">{text}</p>
		</div>
	);
}

/** My videos, sorted and filtered. */
function Videos({ rows }: { rows: VideoRow[] }) {
	const { s } = useApp();
	const [sort, setSort] = useState<VideoSort>('added');
	const [platform, setPlatform] = useState<Platform | null>(null);
	const shown = useMemo(() => {
		const r = rows.filter((v) => !platform || v.platform === platform);
		if (sort !== 'added')
			r.sort((a, b) => (b[sort] ?? -1) - (a[sort] ?? -1));
		return r;
	}, [rows, sort, platform]);
	if (!rows.length)
		return <Empty title={s.emptyVideosTitle} text={s.emptyVideosText} />;
	return (
		<>
			<div class="toolbar">
				<PlatformFilter platforms={platformsOf(rows)} value={platform} set={setPlatform} />
				<SortPicker<VideoSort> value={sort} set={setSort} options={[
					['added', s.sortAdded], ['views', s.sortViews], ['likes', s.sortLikes], ['comments', s.sortComments]]} />
			</div>
			<ul class="list">{shown.map((v) => <VideoItem key={v.id} v={v} />)}</ul>
		</>
	);
}

/** My channels, sorted and filtered. */
function Channels({ rows }: { rows: ChannelRow[] }) {
	const { s } = useApp();
	const [sort, setSort] = useState<ChannelSort>('added');
	const [platform, setPlatform] = useState<Platform | null>(null);
	const shown = useMemo(() => {
		const r = rows.filter((c) => !platform || c.platform === platform);
		if (sort === 'followers')
			r.sort((a, b) => (b.followers ?? -1) - (a.followers ?? -1));
		return r;
	}, [rows, sort, platform]);
	if (!rows.length)
		return <Empty title={s.emptyChannelsTitle} text={s.emptyChannelsText} />;
	return (
		<>
			<div class="toolbar">
				<PlatformFilter platforms={platformsOf(rows)} value={platform} set={setPlatform} />
				<SortPicker<ChannelSort> value={sort} set={setSort} options={[['added', s.sortAdded], ['followers', s.followers]]} />
			</div>
			<ul class="list">{shown.map((c) => <ChannelItem key={c.id} c={c} />)}</ul>
		</>
	);
}

/** The admin tab, loaded (its own chunk) the first time it is opened. */
function AdminTab() {
	const [Screen, setScreen] = useState<FunctionComponent | null>(null);
	const [error, setError] = useState<unknown>(null);
	useEffect(() => {
		import('./admin').then((m) => setScreen(() => m.AdminScreen), setError);
	}, []);
	if (error)
		return <ErrorBox error={error} />;
	return Screen ? <Screen /> : <Loading />;
}

/** The home screen: tabs over the lists, and the MainButton that adds a link. */
export function HomeScreen({ tab }: { tab: Tab }) {
	const { s, user, lists, reload, replace, push } = useApp();
	const pull = usePullToRefresh(reload);
	const tabs: [Tab, string][] = [['videos', s.videos], ['channels', s.channels]];
	if (user.role === 'cos_admin')
		tabs.push(['admin', s.admin]);
	const body = tab === 'admin' ? <AdminTab />
		: lists.error && !lists.videos ? <ErrorBox error={lists.error} retry={reload} />
		: !lists.videos || !lists.channels ? <Loading />
		: tab === 'videos' ? <Videos rows={lists.videos} />
		: <Channels rows={lists.channels} />;
	return (
		<main>
			<PullHint {...pull} />
			<nav class="tabs" role="tablist">
				{tabs.map(([t, label]) => (
					<button role="tab" aria-selected={t === tab} class={t === tab ? 'on' : ''}
						onClick={() => { tg.haptic('select'); replace({ name: 'home', tab: t }); }}>{label}</button>
				))}
			</nav>
			{lists.error && lists.videos && tab !== 'admin' ? <ErrorBox error={lists.error} /> : null}
			{body}
			<MainButton text={tab === 'admin' ? null : s.add} onClick={() => push({ name: 'add' })} />
		</main>
	);
}

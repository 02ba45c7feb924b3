/* screens/channel.tsx -- a channel: followers, video count, its series, its
 * videos (channel_videos, a page at a time), remove. */

import { useEffect, useState } from 'preact/hooks';
import { rpc, type Channel, type SeriesRow, type VideoRow } from '../api';
import { dateTime, full } from '../format';
import { Series } from '../series';
import * as tg from '../telegram';
import { ErrorBox, Loading, PlatformIcon, Section, StatusBadge, Thumb, platformName, useApp, useLoad, useRemove } from '../ui';
import { VideoItem } from './home';

const PAGE = 50;
type Sort = 'views' | 'likes' | 'comments' | 'published_at' | 'added_at';

/** A channel's videos, PAGE at a time, in sort order. */
function ChannelVideos({ id }: { id: number }) {
	const { s } = useApp();
	const [sort, setSort] = useState<Sort>('views');
	const [rows, setRows] = useState<VideoRow[]>([]);
	const [more, setMore] = useState(false);
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<unknown>(null);

	async function page(off: number, sortBy: Sort) {
		setBusy(true);
		setError(null);
		try {
			const r = await rpc<VideoRow[]>('channel_videos', { channel_id: id, sort: sortBy, lim: PAGE, off });
			setRows((x) => (off === 0 ? r : [...x, ...r]));
			setMore(r.length === PAGE);
		} catch (e) {
			setError(e);
		}
		setBusy(false);
	}

	useEffect(() => {
		setRows([]);
		page(0, sort);
		// eslint-disable-next-line react-hooks/exhaustive-deps
	}, [id, sort]);

	const sorts: [Sort, string][] = [
		['views', s.sortViews], ['likes', s.sortLikes], ['comments', s.sortComments],
		['published_at', s.sortPublished], ['added_at', s.sortAdded],
	];
	return (
		<Section title={
			<>
				<span>{s.videos}</span>
				<select class="sort" value={sort} onChange={(e) => setSort((e.target as HTMLSelectElement).value as Sort)}>
					{sorts.map(([v, label]) => <option value={v}>{label}</option>)}
				</select>
			</>
		}>
			<ul class="list">{rows.map((v) => <VideoItem key={v.id} v={v} />)}</ul>
			{error ? <ErrorBox error={error} retry={() => page(rows.length, sort)} />
				: busy ? <Loading />
				: more && <button class="plain more" onClick={() => page(rows.length, sort)}>{s.loadMore}</button>}
		</Section>
	);
}

/** The channel screen of channel id. */
export function ChannelScreen({ id }: { id: number }) {
	const { s, lang, lists } = useApp();
	const c = useLoad(() => rpc<Channel>('channel', { channel_id: id }), [id]);
	const { remove, busy, error } = useRemove('channel', id);
	const mine = lists.channels?.some((x) => x.id === id) ?? false;

	if (c.error)
		return <main><ErrorBox error={c.error} retry={c.reload} /></main>;
	if (!c.data)
		return <main><Loading /></main>;
	const d = c.data;
	const stats: [string, number | null][] = [[s.followers, d.followers], [s.videoCount, d.videos_count]];
	if (d.views != null)
		stats.push([s.views, d.views]);
	if (d.likes != null)
		stats.push([s.likes, d.likes]);
	const totals: [string, number | null][] = [
		[s.videoCount, d.totals.videos], [s.views, d.totals.views], [s.likes, d.totals.likes], [s.comments, d.totals.comments],
	];
	return (
		<main>
			<Section class="card">
				<div class="hero">
					<Thumb src={null} platform={d.platform} round />
					<div class="body">
						<h1>{d.title || (d.handle ? '@' + d.handle : d.url)}</h1>
						<div class="meta">
							<PlatformIcon platform={d.platform} /> {platformName(d.platform)}
							<StatusBadge status={d.status} checked={d.checked_at} />
						</div>
					</div>
				</div>
				<dl class="stats">
					{stats.map(([label, n]) => <div><dt>{label}</dt><dd>{full(n, lang)}</dd></div>)}
				</dl>
				{d.totals.videos > 0 && (
					<>
						<h2>{s.totalsOverVideos}</h2>
						<dl class="stats small">
							{totals.filter(([, n]) => n != null).map(([label, n]) => <div><dt>{label}</dt><dd>{full(n, lang)}</dd></div>)}
						</dl>
					</>
				)}
				<dl class="facts">
					{d.checked_at && <div><dt>{s.checked}</dt><dd>{dateTime(d.checked_at, lang, undefined, new Date().getFullYear())}</dd></div>}
				</dl>
				<div class="actions">
					<button class="plain" onClick={() => tg.openLink(d.url)}>{s.openLink} ↗</button>
					{mine && <button class="plain danger" disabled={busy} onClick={remove}>{s.remove}</button>}
				</div>
				{error ? <ErrorBox error={error} /> : null}
			</Section>
			<Series metrics={[['followers', s.followers], ['views', s.views], ['likes', s.likes], ['videos', s.videoCount]]}
				load={(step) => rpc<SeriesRow[]>('channel_series', { channel_id: id, step })} />
			<ChannelVideos id={id} />
		</main>
	);
}

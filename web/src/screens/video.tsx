/* screens/video.tsx -- a video: counters, dates, link out, its series, remove. */

import { rpc, type SeriesRow, type Video } from '../api';
import { date, dateTime, duration, full } from '../format';
import { Series } from '../series';
import * as tg from '../telegram';
import { ErrorBox, Loading, PlatformIcon, Section, StatusBadge, Thumb, platformName, useApp, useLoad, useRemove } from '../ui';

/** The video screen of video id. */
export function VideoScreen({ id }: { id: number }) {
	const { s, lang, lists, push } = useApp();
	const v = useLoad(() => rpc<Video>('video', { video_id: id }), [id]);
	const { remove, busy, error } = useRemove('video', id);
	// only a video the user tracks on its own can be removed (not one of a channel's)
	const mine = lists.videos?.some((x) => x.id === id) ?? false;

	if (v.error)
		return <main><ErrorBox error={v.error} retry={v.reload} /></main>;
	if (!v.data)
		return <main><Loading /></main>;
	const d = v.data;
	const year = new Date().getFullYear();
	const counters: [string, number | null][] = [
		[s.views, d.views], [s.likes, d.likes], [s.comments, d.comments], [s.shares, d.shares], [s.saves, d.saves],
	];
	const metrics: [string, string][] = [['views', s.views], ['likes', s.likes], ['comments', s.comments]];
	if (d.shares != null)
		metrics.push(['shares', s.shares]);
	if (d.saves != null)
		metrics.push(['saves', s.saves]);
	return (
		<main>
			<Section class="card">
				<div class="hero">
					<Thumb src={d.thumbnail} platform={d.platform} />
					<div class="body">
						<h1>{d.title || d.url}</h1>
						<div class="meta">
							<PlatformIcon platform={d.platform} /> {platformName(d.platform)}
							<StatusBadge status={d.status} checked={d.checked_at} />
						</div>
						{d.channel && (
							<button class="plain" onClick={() => push({ name: 'channel', id: d.channel!.id })}>
								{s.channelOf}: {d.channel.title || d.channel.url}
							</button>
						)}
					</div>
				</div>
				<dl class="stats">
					{counters.filter(([, n], i) => i < 3 || n != null).map(([label, n]) => (
						<div><dt>{label}</dt><dd>{full(n, lang)}</dd></div>
					))}
				</dl>
				<dl class="facts">
					{d.published_at && <div><dt>{s.published}</dt><dd>{date(d.published_at, lang, undefined, year)}</dd></div>}
					{d.duration_s != null && <div><dt>{s.duration}</dt><dd>{duration(d.duration_s)}</dd></div>}
					{d.checked_at && <div><dt>{s.checked}</dt><dd>{dateTime(d.checked_at, lang, undefined, year)}</dd></div>}
				</dl>
				<div class="actions">
					<button class="plain" onClick={() => tg.openLink(d.url)}>{s.openLink} ↗</button>
					{mine && <button class="plain danger" disabled={busy} onClick={remove}>{s.remove}</button>}
				</div>
				{error ? <ErrorBox error={error} /> : null}
			</Section>
			<Series metrics={metrics}
				load={(step) => rpc<SeriesRow[]>('video_series', { video_id: id, step })} />
		</main>
	);
}

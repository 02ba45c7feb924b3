/* series.tsx -- a series by day (14) or by week (50) of one counter at a
 * time; draws with chart.ts, loaded on first use. */

import { useEffect, useRef, useState } from 'preact/hooks';
import type { SeriesRow } from './api';
import type { Chart } from 'chart.js';
import { compact, dayMonth } from './format';
import * as tg from './telegram';
import { ErrorBox, Loading, Section, useApp, useLoad } from './ui';

export type Step = 'day' | 'week';

/**
 * The chart of load(step)'s rows (video_series, channel_series): the metric
 * picked among metrics, its totals as a line and its changes (<metric>_delta)
 * as bars.
 */
export function Series({ load, metrics }: { load(step: Step): Promise<SeriesRow[]>; metrics: [string, string][] }) {
	const { s, lang } = useApp();
	const [step, setStep] = useState<Step>('day');
	const [metric, setMetric] = useState(metrics[0][0]);
	const rows = useLoad(() => load(step), [step]);
	const canvas = useRef<HTMLCanvasElement>(null);
	const [chartError, setChartError] = useState<unknown>(null);
	const data = rows.data;
	const empty = !!data && data.every((r) => r[metric] == null);

	useEffect(() => {
		if (!data || empty || !canvas.current)
			return;
		let chart: Chart | null = null;
		let live = true;
		import('./chart').then(({ drawSeries }) => {
			if (!live || !canvas.current)
				return;
			chart = drawSeries(canvas.current, {
				labels: data.map((r) => dayMonth(r.bucket_end)),
				totals: data.map((r) => r[metric] as number | null),
				changes: data.map((r) => r[`${metric}_delta`] as number | null),
				totalLabel: s.chartTotal,
				changeLabel: s.chartChange,
				format: (n) => compact(n, lang),
			});
		}, setChartError);
		return () => {
			live = false;
			chart?.destroy();
		};
	}, [data, metric, empty, s, lang]);

	const pick = <T extends string>(value: T, set: (v: T) => void, options: [T, string][]) => (
		<div class="chips" role="group">
			{options.map(([v, label]) => (
				<button class={`chip${v === value ? ' on' : ''}`} aria-pressed={v === value}
					onClick={() => { tg.haptic('select'); set(v); }}>{label}</button>
			))}
		</div>
	);

	return (
		<Section class="series">
			{pick(step, setStep, [['day', s.byDay], ['week', s.byWeek]])}
			{metrics.length > 1 && pick(metric, setMetric, metrics)}
			{rows.error ? <ErrorBox error={rows.error} retry={rows.reload} />
				: chartError ? <ErrorBox error={chartError} />
				: !data ? <Loading />
				: empty ? <p class="notice hint">{s.noData}</p>
				: <div class="chart"><canvas ref={canvas} role="img" aria-label={metrics.find((m) => m[0] === metric)?.[1]} /></div>}
		</Section>
	);
}

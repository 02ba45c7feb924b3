/* chart.ts -- the series chart (Chart.js), in a chunk of its own that only a
 * screen with a chart loads: the changes per bucket as bars, the totals as a
 * line on a second axis. */

import {
	BarController,
	BarElement,
	CategoryScale,
	Chart,
	LinearScale,
	LineController,
	LineElement,
	PointElement,
	Tooltip,
} from 'chart.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LineController, LineElement, PointElement, Tooltip);

export interface SeriesData {
	labels: string[];
	totals: (number | null)[];
	changes: (number | null)[];
	totalLabel: string;
	changeLabel: string;
	/** a number as the axes and the tooltip show it */
	format(n: number): string;
}

/** The theme colour of CSS variable name (as the page resolved it). */
function color(name: string, fallback: string): string {
	return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback;
}

/** Draws d on canvas; the chart, to update or destroy. */
export function drawSeries(canvas: HTMLCanvasElement, d: SeriesData): Chart {
	const line = color('--link', '#2481cc');
	const text = color('--hint', '#8e8e93');
	const grid = color('--sep', 'rgba(128,128,128,0.2)');
	const up = color('--up', '#31b545');
	const down = color('--danger', '#e53935');
	const tick = (v: string | number) => d.format(Number(v));
	return new Chart(canvas, {
		data: {
			labels: d.labels,
			datasets: [
				{
					type: 'line', label: d.totalLabel, data: d.totals, yAxisID: 'total',
					borderColor: line, backgroundColor: line, borderWidth: 2, pointRadius: 0, pointHitRadius: 8,
					spanGaps: true, tension: 0.2, order: 0,
				},
				{
					type: 'bar', label: d.changeLabel, data: d.changes, yAxisID: 'change',
					backgroundColor: d.changes.map((v) => ((v ?? 0) < 0 ? down : up)),
					borderRadius: 2, order: 1,
				},
			],
		},
		options: {
			responsive: true,
			maintainAspectRatio: false,
			animation: false,
			interaction: { mode: 'index', intersect: false },
			scales: {
				x: { ticks: { color: text, maxRotation: 0, autoSkipPadding: 8 }, grid: { display: false } },
				total: { position: 'left', ticks: { color: text, callback: tick, maxTicksLimit: 5 }, grid: { color: grid } },
				change: { position: 'right', ticks: { color: text, callback: tick, maxTicksLimit: 5 }, grid: { display: false } },
			},
			plugins: {
				tooltip: {
					callbacks: {
						label: (c) => `${c.dataset.label}: ${c.parsed.y == null ? '—' : d.format(c.parsed.y)}`,
					},
				},
			},
		},
	});
}

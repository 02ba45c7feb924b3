/* screens/admin.tsx -- administrators only (a chunk of its own): summary,
 * runs with progress, users and roles, accounts and proxies (secrets
 * masked by the API), release a stuck batch. */

import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { rpc } from '../api';
import { dateTime, full, percent } from '../format';
import * as tg from '../telegram';
import { ErrorBox, Loading, Section, platformName, useApp, useLoad, type Loaded } from '../ui';

interface Summary {
	users: number;
	channels: number;
	channels_active: number;
	videos: number;
	videos_tracked: number;
	snapshots_estimate: number;
	since: string | null;
	platforms: Record<string, { requests: number; ok: number; success_rate: number }>;
}

interface Run {
	id: number;
	kind: string;
	platform: string | null;
	status: 'running' | 'done' | 'skipped';
	started_at: string;
	finished_at: string | null;
	jobs_total: number | null;
	jobs_done: number | null;
	jobs_failed: number | null;
	jobs_retried: number | null;
	note: string | null;
}

interface AdminUser {
	id: number;
	telegram_id: number;
	username: string | null;
	first_name: string | null;
	last_name: string | null;
	role: 'cos_user' | 'cos_admin';
	status: 'active' | 'blocked';
	channels: number;
	videos: number;
	seen_at: string;
}

interface Account {
	id: number;
	platform: string;
	kind: string;
	label: string | null;
	secret_masked: string | null;
	active: boolean;
	cooldown_until: string | null;
	daily_quota: number | null;
	quota_used: number | null;
	last_error: string | null;
}

interface Proxy {
	id: number;
	url: string;
	label: string | null;
	active: boolean;
	cooldown_until: string | null;
	failures: number;
	last_error: string | null;
}

type Part = 'summary' | 'runs' | 'users' | 'accounts' | 'proxies';

/** Renders a loaded list, or its error, or that it loads. */
function Body<T>({ l, children }: { l: Loaded<T>; children: (data: T) => ComponentChildren }) {
	const { s } = useApp();
	if (l.error)
		return <ErrorBox error={l.error} retry={l.reload} />;
	if (l.data === undefined)
		return <Loading />;
	if (Array.isArray(l.data) && l.data.length === 0)
		return <p class="notice hint">{s.none}</p>;
	return <>{children(l.data)}</>;
}

/** A time, or nothing. */
function When({ t }: { t: string | null }) {
	const { lang } = useApp();
	return t ? <span class="hint">{dateTime(t, lang, undefined, new Date().getFullYear())}</span> : null;
}

/** admin_summary: counts and per-platform success over the last runs. */
function SummaryPart() {
	const { s, lang } = useApp();
	const l = useLoad(() => rpc<Summary>('admin_summary'), []);
	return (
		<Body l={l}>{(d) => (
			<>
				<dl class="stats">
					<div><dt>{s.users}</dt><dd>{full(d.users, lang)}</dd></div>
					<div><dt>{s.channels}</dt><dd>{full(d.channels, lang)}</dd><dd class="hint">{s.activeOf(d.channels_active, d.channels)}</dd></div>
					<div><dt>{s.videos}</dt><dd>{full(d.videos, lang)}</dd><dd class="hint">{s.trackedOf(d.videos_tracked, d.videos)}</dd></div>
					<div><dt>{s.snapshots}</dt><dd>{full(d.snapshots_estimate, lang)}</dd></div>
				</dl>
				<ul class="list plainlist">
					{Object.entries(d.platforms).map(([p, r]) => (
						<li class="line">
							<b>{platformName(p as never)}</b>
							<span>{Math.round(r.success_rate * 100)}% {s.successRate}</span>
							<span class="hint">{full(r.requests, lang)} {s.requests}</span>
						</li>
					))}
				</ul>
			</>
		)}</Body>
	);
}

/** Releases a stuck Instagram batch by its id. */
function ReleaseBatch() {
	const { s } = useApp();
	const [id, setId] = useState('');
	const [result, setResult] = useState<string | null>(null);
	const [error, setError] = useState<unknown>(null);
	async function release() {
		const n = Number(id);
		if (!Number.isInteger(n) || n <= 0 || !(await tg.confirm(`${s.releaseBatch}: ${n}?`, s.releaseButton)))
			return;
		setError(null);
		try {
			const r = await rpc<{ jobs_requeued: number }>('admin_release_batch', { batch_id: n });
			setResult(s.releasedJobs(r.jobs_requeued));
			tg.haptic('success');
		} catch (e) {
			setError(e);
			tg.haptic('error');
		}
	}
	return (
		<form class="inline" onSubmit={(e) => { e.preventDefault(); release(); }}>
			<h2>{s.releaseBatch}</h2>
			<input type="number" inputMode="numeric" min="1" placeholder={s.batchId} aria-label={s.batchId}
				value={id} onInput={(e) => setId((e.target as HTMLInputElement).value)} />
			<button class="plain" type="submit" disabled={!id}>{s.releaseButton}</button>
			{result && <p class="hint">{result}</p>}
			{error ? <ErrorBox error={error} /> : null}
		</form>
	);
}

/** admin_runs: the latest runs, a progress bar each. */
function RunsPart() {
	const { s } = useApp();
	const l = useLoad(() => rpc<Run[]>('admin_runs', { lim: 20 }), []);
	return (
		<>
			<Body l={l}>{(runs) => (
				<ul class="list plainlist">
					{runs.map((r) => {
						const done = (r.jobs_done ?? 0) + (r.jobs_failed ?? 0);
						const pct = r.status === 'done' ? 100 : percent(done, r.jobs_total);
						return (
							<li class="run">
								<div class="line">
									<b>#{r.id} {r.kind}{r.platform ? ` · ${platformName(r.platform as never)}` : ''}</b>
									<span class={`badge st-${r.status}`}>{s[r.status]}</span>
								</div>
								<div class="progress" role="progressbar" aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
									<span style={{ width: `${pct}%` }} />
								</div>
								<div class="line hint">
									<span>{done}/{r.jobs_total ?? '?'}</span>
									{!!r.jobs_failed && <span>{r.jobs_failed} {s.failed}</span>}
									{!!r.jobs_retried && <span>{r.jobs_retried} {s.retried}</span>}
									<When t={r.started_at} />
								</div>
								{r.note && <div class="hint">{r.note}</div>}
							</li>
						);
					})}
				</ul>
			)}</Body>
			<ReleaseBatch />
		</>
	);
}

/** admin_users, with the role switch (admin_set_role; not for oneself). */
function UsersPart() {
	const { s, user } = useApp();
	const l = useLoad(() => rpc<AdminUser[]>('admin_users'), []);
	const [error, setError] = useState<unknown>(null);
	async function setRole(u: AdminUser) {
		const role = u.role === 'cos_admin' ? 'cos_user' : 'cos_admin';
		const label = role === 'cos_admin' ? s.makeAdmin : s.makeUser;
		const name = u.username ? '@' + u.username : u.first_name ?? String(u.telegram_id);
		if (!(await tg.confirm(`${label}: ${name}?`, label)))
			return;
		setError(null);
		try {
			await rpc('admin_set_role', { user_id: u.id, role });
			l.reload();
		} catch (e) {
			setError(e);
		}
	}
	return (
		<>
			{error ? <ErrorBox error={error} /> : null}
			<Body l={l}>{(users) => (
				<ul class="list plainlist">
					{users.map((u) => (
						<li class="user">
							<div class="line">
								<b>{[u.first_name, u.last_name].filter(Boolean).join(' ') || u.telegram_id}</b>
								{u.username && <span class="hint">@{u.username}</span>}
								{u.role === 'cos_admin' && <span class="badge">{s.roleAdmin}</span>}
								{u.status === 'blocked' && <span class="badge st-unavailable">{s.blocked}</span>}
							</div>
							<div class="line hint">
								<span>{s.trackCounts(u.channels, u.videos)}</span>
								<When t={u.seen_at} />
							</div>
							{u.id !== user.id && (
								<button class="plain" onClick={() => setRole(u)}>
									{u.role === 'cos_admin' ? s.makeUser : s.makeAdmin}
								</button>
							)}
						</li>
					))}
				</ul>
			)}</Body>
		</>
	);
}

/** admin_accounts: the platform accounts, secrets masked. */
function AccountsPart() {
	const { s } = useApp();
	const l = useLoad(() => rpc<Account[]>('admin_accounts'), []);
	return (
		<Body l={l}>{(rows) => (
			<ul class="list plainlist">
				{rows.map((a) => (
					<li>
						<div class="line">
							<b>{platformName(a.platform as never)} · {a.kind}</b>
							<span>{a.label}</span>
							<code>{a.secret_masked}</code>
							{!a.active && <span class="badge st-unavailable">{s.inactive}</span>}
						</div>
						<div class="line hint">
							{a.daily_quota != null && <span>{s.quota} {a.quota_used ?? 0}/{a.daily_quota}</span>}
							{a.cooldown_until && <span>{s.coolingUntil} <When t={a.cooldown_until} /></span>}
						</div>
						{a.last_error && <div class="hint error-text">{a.last_error}</div>}
					</li>
				))}
			</ul>
		)}</Body>
	);
}

/** admin_proxies: the proxies, credentials in their URLs masked. */
function ProxiesPart() {
	const { s } = useApp();
	const l = useLoad(() => rpc<Proxy[]>('admin_proxies'), []);
	return (
		<Body l={l}>{(rows) => (
			<ul class="list plainlist">
				{rows.map((p) => (
					<li>
						<div class="line">
							<code>{p.url}</code>
							<span>{p.label}</span>
							{!p.active && <span class="badge st-unavailable">{s.inactive}</span>}
						</div>
						<div class="line hint">
							<span>{p.failures} {s.failures}</span>
							{p.cooldown_until && <span>{s.coolingUntil} <When t={p.cooldown_until} /></span>}
						</div>
						{p.last_error && <div class="hint error-text">{p.last_error}</div>}
					</li>
				))}
			</ul>
		)}</Body>
	);
}

/** The admin tab: one part at a time. */
export function AdminScreen() {
	const { s } = useApp();
	const [part, setPart] = useState<Part>('summary');
	const parts: [Part, string][] = [
		['summary', s.summary], ['runs', s.runs], ['users', s.users], ['accounts', s.accounts], ['proxies', s.proxies],
	];
	return (
		<>
			<div class="chips scroll" role="group">
				{parts.map(([p, label]) => (
					<button class={`chip${p === part ? ' on' : ''}`} aria-pressed={p === part}
						onClick={() => { tg.haptic('select'); setPart(p); }}>{label}</button>
				))}
			</div>
			<Section>
				{part === 'summary' && <SummaryPart />}
				{part === 'runs' && <RunsPart />}
				{part === 'users' && <UsersPart />}
				{part === 'accounts' && <AccountsPart />}
				{part === 'proxies' && <ProxiesPart />}
			</Section>
		</>
	);
}

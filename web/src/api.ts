/* api.ts -- the one module that talks to the gateway: POST /rpc/<fn> of cos_api.
 *
 * Sign-in is invisible: the first call signs in with Telegram's initData
 * (cos_api.login) and keeps the JWT in memory; every call sends it as
 * "Authorization: Bearer"; a 401 (the token expired) signs in again once.
 * Errors are the gateway's PostgREST-style {code, message, details, hint},
 * thrown as ApiError with the HTTP status (0: no answer).
 */

export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly details: string | null = null,
		readonly hint: string | null = null,
	) {
		super(message);
		this.name = 'ApiError';
	}
}

export type Platform = 'youtube' | 'tiktok' | 'instagram' | 'likee' | 'telegram';
export type Status = 'ok' | 'pending' | 'unavailable' | 'private';

export interface User {
	id: number;
	telegram_id: number;
	username: string | null;
	first_name: string | null;
	last_name: string | null;
	language_code: string | null;
	role: 'cos_user' | 'cos_admin';
	status: 'active' | 'blocked';
}

/** a row of my_videos or channel_videos (the *_change columns: channel_videos only, so far) */
export interface VideoRow {
	id: number;
	platform: Platform;
	url: string;
	title: string | null;
	thumbnail: string | null;
	status: Status;
	views: number | null;
	likes: number | null;
	comments: number | null;
	checked_at: string | null;
	added_at?: string | null;
	published_at?: string | null;
	duration_s?: number | null;
	views_change?: number | null;
	likes_change?: number | null;
	comments_change?: number | null;
}

/** a row of my_channels (followers_change: not in the API yet, shown when it is) */
export interface ChannelRow {
	id: number;
	platform: Platform;
	url: string;
	title: string | null;
	handle: string | null;
	followers: number | null;
	followers_change?: number | null;
	videos_count: number | null;
	status: Status;
	checked_at: string | null;
	added_at: string | null;
}

/** add_video's and add_channel's answer */
export interface Added {
	id: number;
	platform: Platform;
	url: string;
	title: string | null;
	status: Status;
	checked_at: string | null;
}

/** cos_api.video */
export interface Video {
	id: number;
	platform: Platform;
	url: string;
	title: string | null;
	thumbnail: string | null;
	published_at: string | null;
	duration_s: number | null;
	status: Status;
	views: number | null;
	likes: number | null;
	comments: number | null;
	shares: number | null;
	saves: number | null;
	checked_at: string | null;
	added_at: string | null;
	channel: { id: number; title: string | null; url: string } | null;
}

/** cos_api.channel */
export interface Channel {
	id: number;
	platform: Platform;
	handle: string | null;
	url: string;
	title: string | null;
	status: Status;
	followers: number | null;
	likes: number | null;
	views: number | null;
	videos_count: number | null;
	checked_at: string | null;
	totals: { videos: number; views: number | null; likes: number | null; comments: number | null };
}

/** a bucket of video_series or channel_series (the columns of the one asked for) */
export interface SeriesRow {
	bucket_start: string;
	bucket_end: string;
	[counter: string]: number | string | null;
}

let initData = '';
let token: string | null = null;
let signingIn: Promise<User> | null = null;

/** POSTs args to /rpc/fn with the token, if any; the parsed answer or an ApiError. */
async function post<T>(fn: string, args: object, bearer: string | null): Promise<T> {
	const headers: Record<string, string> = { 'Content-Type': 'application/json', Accept: 'application/json' };
	if (bearer)
		headers.Authorization = `Bearer ${bearer}`;
	let res: Response;
	try {
		res = await fetch(`/rpc/${fn}`, { method: 'POST', headers, body: JSON.stringify(args) });
	} catch (e) {
		throw new ApiError(0, 'network', String(e));
	}
	const text = await res.text();
	let body: unknown = null;
	try {
		body = text ? JSON.parse(text) : null;
	} catch {
		// a proxy's HTML error page
	}
	if (!res.ok) {
		const e = (body ?? {}) as { code?: string; message?: string; details?: string; hint?: string };
		throw new ApiError(res.status, e.code ?? String(res.status), e.message ?? res.statusText, e.details ?? null, e.hint ?? null);
	}
	return body as T;
}

/** Signs in with Telegram's initData (cos_api.login) and keeps the token; the user. */
export function signIn(data?: string): Promise<User> {
	if (data !== undefined)
		initData = data;
	signingIn ??= post<{ token: string; user: User }>('login', { init_data: initData }, null)
		.then((r) => {
			token = r.token;
			return r.user;
		})
		.finally(() => {
			signingIn = null;
		});
	return signingIn;
}

/** Calls cos_api.fn with named arguments, signing in first or again as needed. */
export async function rpc<T>(fn: string, args: object = {}): Promise<T> {
	if (!token)
		await signIn();
	try {
		return await post<T>(fn, args, token);
	} catch (e) {
		if (e instanceof ApiError && e.status === 401) {
			token = null;
			await signIn();
			return post<T>(fn, args, token);
		}
		throw e;
	}
}

/** The "…names a youtube channel, not a video" refusal of add_video. */
function namesChannel(e: unknown): boolean {
	return e instanceof ApiError && e.code === '22023' && /channel, not a video/.test(e.message);
}

/**
 * Starts tracking what url names: add_video, or add_channel when add_video
 * says the URL names a channel (cos.parse_url, which decides, is not
 * exposed over HTTP).
 */
export async function addUrl(url: string): Promise<{ kind: 'video' | 'channel'; row: Added }> {
	try {
		return { kind: 'video', row: await rpc<Added>('add_video', { url }) };
	} catch (e) {
		if (!namesChannel(e))
			throw e;
	}
	return { kind: 'channel', row: await rpc<Added>('add_channel', { url }) };
}

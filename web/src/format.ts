/* format.ts -- numbers, changes, dates and durations as the mini-app shows them.
 *
 * Pure functions (no DOM, no Intl number formats whose output moves with ICU
 * versions), so that node's test runner checks them exactly
 * (test/format.test.mjs, on a tsc build of this file).
 */

export type Lang = 'ru' | 'en';

const MINUS = '\u2212';
const NBSP = '\u00a0';

/** The app's language for Telegram's language_code: Russian for ru, English otherwise. */
export function langOf(code: string | null | undefined): Lang {
	return code && /^ru\b/i.test(code) ? 'ru' : 'en';
}

/** The Russian plural form of n: one (1, 21), few (2-4, 22-24) or many (0, 5-20, 25). */
export function pluralRu(n: number, one: string, few: string, many: string): string {
	const m10 = Math.abs(n) % 10;
	const m100 = Math.abs(n) % 100;
	if (m10 === 1 && m100 !== 11) return one;
	if (m10 >= 2 && m10 <= 4 && (m100 < 12 || m100 > 14)) return few;
	return many;
}

/** A whole number with groups of three: 1,234,567 (en) or 1 234 567 (ru, no-break spaces). */
export function full(n: number | null | undefined, lang: Lang): string {
	if (n == null || !Number.isFinite(n)) return '—';
	const sign = n < 0 ? MINUS : '';
	const digits = String(Math.round(Math.abs(n)));
	const sep = lang === 'ru' ? NBSP : ',';
	return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, sep);
}

const UNITS: Record<Lang, string[]> = {
	en: ['K', 'M', 'B', 'T'],
	ru: [NBSP + 'тыс.', NBSP + 'млн', NBSP + 'млрд', NBSP + 'трлн'],
};

/**
 * A count in a few characters: 950, 1.2K, 18.5K, 340K, 3.4M (en); 1,2 тыс., 3,4 млн (ru).
 * One decimal below 100 of a unit (dropped when it is 0), whole units above.
 */
export function compact(n: number | null | undefined, lang: Lang): string {
	if (n == null || !Number.isFinite(n)) return '—';
	const sign = n < 0 ? MINUS : '';
	let a = Math.abs(n);
	if (a < 1000) return sign + String(Math.round(a));
	let unit = -1;
	let text = '';
	while (unit < UNITS.en.length - 1) {
		a /= 1000;
		unit++;
		const rounded = a < 99.95 ? Math.round(a * 10) / 10 : Math.round(a);
		if (rounded < 1000 || unit === UNITS.en.length - 1) {
			text = String(rounded);
			break;
		}
	}
	if (lang === 'ru') text = text.replace('.', ',');
	return sign + text + UNITS[lang][unit];
}

/** A change: +1.2K, −35, 0; empty when unknown (null). */
export function delta(n: number | null | undefined, lang: Lang): string {
	if (n == null || !Number.isFinite(n)) return '';
	if (n === 0) return '0';
	return (n > 0 ? '+' : '') + compact(n, lang);
}

/** A duration in seconds as 4:05 or 1:02:03. */
export function duration(s: number | null | undefined): string {
	if (s == null || !Number.isFinite(s) || s < 0) return '';
	s = Math.round(s);
	const h = Math.floor(s / 3600);
	const m = Math.floor((s % 3600) / 60);
	const sec = s % 60;
	const pad = (x: number) => String(x).padStart(2, '0');
	return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}

const MONTHS: Record<Lang, string[]> = {
	en: ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'],
	ru: ['янв', 'фев', 'мар', 'апр', 'мая', 'июн', 'июл', 'авг', 'сен', 'окт', 'ноя', 'дек'],
};

interface Parts {
	year: number;
	month: number;
	day: number;
	hour: number;
	minute: number;
}

// one formatter per time zone: making one costs far more than using it
const partsFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar fields of t in time zone tz (undefined: the device's own). */
function parts(t: Date, tz?: string): Parts {
	const key = tz ?? '';
	let f = partsFormatters.get(key);
	if (!f) {
		f = new Intl.DateTimeFormat('en-US', {
			timeZone: tz, hourCycle: 'h23',
			year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric',
		});
		partsFormatters.set(key, f);
	}
	const p: Record<string, number> = {};
	for (const x of f.formatToParts(t))
		if (x.type !== 'literal') p[x.type] = Number(x.value);
	return { year: p.year, month: p.month, day: p.day, hour: p.hour % 24, minute: p.minute };
}

function toDate(t: string | Date | null | undefined): Date | null {
	if (t == null) return null;
	const d = t instanceof Date ? t : new Date(t);
	return Number.isNaN(d.getTime()) ? null : d;
}

/** A date in time zone tz: 12 Mar 2024 (en), 12 мар 2024 (ru); the year left out when it is thisYear. */
export function date(t: string | Date | null | undefined, lang: Lang, tz?: string, thisYear?: number): string {
	const d = toDate(t);
	if (!d) return '';
	const p = parts(d, tz);
	const s = `${p.day}${NBSP}${MONTHS[lang][p.month - 1]}`;
	return p.year === thisYear ? s : `${s}${NBSP}${p.year}`;
}

/** A date and time in time zone tz: 12 Mar 2024, 09:05. */
export function dateTime(t: string | Date | null | undefined, lang: Lang, tz?: string, thisYear?: number): string {
	const d = toDate(t);
	if (!d) return '';
	const p = parts(d, tz);
	const hm = `${String(p.hour).padStart(2, '0')}:${String(p.minute).padStart(2, '0')}`;
	return `${date(d, lang, tz, thisYear)}, ${hm}`;
}

/** A chart's bucket label in time zone tz: the day and month, 12.03. */
export function dayMonth(t: string | Date | null | undefined, tz?: string): string {
	const d = toDate(t);
	if (!d) return '';
	const p = parts(d, tz);
	return `${String(p.day).padStart(2, '0')}.${String(p.month).padStart(2, '0')}`;
}

/** How long ago t was, as of now: just now, 5 min ago, 3 h ago, 2 d ago (then the date). */
export function ago(t: string | Date | null | undefined, lang: Lang, now: Date, tz?: string): string {
	const d = toDate(t);
	if (!d) return '';
	const s = Math.max(0, (now.getTime() - d.getTime()) / 1000);
	const ru = lang === 'ru';
	if (s < 60) return ru ? 'только что' : 'just now';
	if (s < 3600) return `${Math.floor(s / 60)}${NBSP}${ru ? 'мин назад' : 'min ago'}`;
	if (s < 86400) return `${Math.floor(s / 3600)}${NBSP}${ru ? 'ч назад' : 'h ago'}`;
	if (s < 7 * 86400) return `${Math.floor(s / 86400)}${NBSP}${ru ? 'дн назад' : 'd ago'}`;
	return date(d, lang, tz, parts(now, tz).year);
}

/** What a deep link's start_param opens: video_<id> or channel_<id>; null for anything else. */
export function startTarget(startParam: string | null | undefined): { kind: 'video' | 'channel'; id: number } | null {
	const m = startParam?.match(/^(video|channel)_([1-9][0-9]{0,14})$/);
	return m ? { kind: m[1] as 'video' | 'channel', id: Number(m[2]) } : null;
}

/** The part done of a whole as a whole percentage, 0 when the whole is 0 or unknown. */
export function percent(part: number | null | undefined, whole: number | null | undefined): number {
	if (!whole || part == null || whole <= 0) return 0;
	return Math.max(0, Math.min(100, Math.round((part / whole) * 100)));
}

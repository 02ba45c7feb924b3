// test/format.test.mjs -- the formatting helpers (src/format.ts), on tsc's
// build of them in build-test/ (npm test makes it first).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
	ago, compact, date, dateTime, dayMonth, delta, duration, full, langOf, percent, pluralRu, startTarget,
} from '../build-test/format.js';

const NBSP = '\u00a0';
const MINUS = '\u2212';

test('langOf: Russian for ru and ru-RU, English for everything else', () => {
	assert.equal(langOf('ru'), 'ru');
	assert.equal(langOf('ru-RU'), 'ru');
	assert.equal(langOf('RU'), 'ru');
	assert.equal(langOf('en'), 'en');
	assert.equal(langOf('uk'), 'en');
	assert.equal(langOf('rus'), 'en');
	assert.equal(langOf(null), 'en');
	assert.equal(langOf(undefined), 'en');
});

test('compact: counts below 1000 as they are', () => {
	assert.equal(compact(0, 'en'), '0');
	assert.equal(compact(7, 'en'), '7');
	assert.equal(compact(999, 'en'), '999');
	assert.equal(compact(999.4, 'en'), '999');
});

test('compact: thousands, millions, billions in English', () => {
	assert.equal(compact(1000, 'en'), '1K');
	assert.equal(compact(1200, 'en'), '1.2K');
	assert.equal(compact(1249, 'en'), '1.2K');
	assert.equal(compact(1250, 'en'), '1.3K');
	assert.equal(compact(9949, 'en'), '9.9K');
	assert.equal(compact(9950, 'en'), '10K');
	assert.equal(compact(12345, 'en'), '12.3K');
	assert.equal(compact(18_500_000, 'en'), '18.5M');
	assert.equal(compact(99_949, 'en'), '99.9K');
	assert.equal(compact(99_950, 'en'), '100K');
	assert.equal(compact(340_400, 'en'), '340K');
	assert.equal(compact(999499, 'en'), '999K');
	assert.equal(compact(3_400_000, 'en'), '3.4M');
	assert.equal(compact(2_000_000_000, 'en'), '2B');
	assert.equal(compact(5e15, 'en'), '5000T');
});

test('compact: a value that rounds up to 1000 of a unit moves to the next unit', () => {
	assert.equal(compact(999_500, 'en'), '1M');
	assert.equal(compact(999_950, 'en'), '1M');
	assert.equal(compact(999_999_999, 'en'), '1B');
});

test('compact: Russian units and decimal comma', () => {
	assert.equal(compact(1200, 'ru'), `1,2${NBSP}тыс.`);
	assert.equal(compact(45_000, 'ru'), `45${NBSP}тыс.`);
	assert.equal(compact(3_400_000, 'ru'), `3,4${NBSP}млн`);
	assert.equal(compact(1_500_000_000, 'ru'), `1,5${NBSP}млрд`);
	assert.equal(compact(950, 'ru'), '950');
});

test('compact: negatives take a minus sign, unknowns a dash', () => {
	assert.equal(compact(-1200, 'en'), `${MINUS}1.2K`);
	assert.equal(compact(-5, 'en'), `${MINUS}5`);
	assert.equal(compact(null, 'en'), '—');
	assert.equal(compact(undefined, 'ru'), '—');
	assert.equal(compact(NaN, 'en'), '—');
});

test('full: groups of three', () => {
	assert.equal(full(1234567, 'en'), '1,234,567');
	assert.equal(full(1234567, 'ru'), `1${NBSP}234${NBSP}567`);
	assert.equal(full(999, 'en'), '999');
	assert.equal(full(1000, 'en'), '1,000');
	assert.equal(full(0, 'en'), '0');
	assert.equal(full(-4500, 'en'), `${MINUS}4,500`);
	assert.equal(full(null, 'en'), '—');
});

test('delta: signed changes, empty when unknown', () => {
	assert.equal(delta(1200, 'en'), '+1.2K');
	assert.equal(delta(35, 'en'), '+35');
	assert.equal(delta(-35, 'en'), `${MINUS}35`);
	assert.equal(delta(-2_500_000, 'ru'), `${MINUS}2,5${NBSP}млн`);
	assert.equal(delta(0, 'en'), '0');
	assert.equal(delta(null, 'en'), '');
	assert.equal(delta(undefined, 'en'), '');
});

test('duration: m:ss and h:mm:ss', () => {
	assert.equal(duration(0), '0:00');
	assert.equal(duration(5), '0:05');
	assert.equal(duration(245), '4:05');
	assert.equal(duration(3723), '1:02:03');
	assert.equal(duration(36000), '10:00:00');
	assert.equal(duration(null), '');
	assert.equal(duration(-1), '');
});

// 2024-03-12 22:30 UTC: still the 12th in New York, already the 13th in Moscow
const LATE = '2024-03-12T22:30:00Z';

test('date: in the user\'s time zone', () => {
	assert.equal(date(LATE, 'en', 'UTC'), `12${NBSP}Mar${NBSP}2024`);
	assert.equal(date(LATE, 'en', 'Europe/Moscow'), `13${NBSP}Mar${NBSP}2024`);
	assert.equal(date(LATE, 'en', 'America/New_York'), `12${NBSP}Mar${NBSP}2024`);
	assert.equal(date(LATE, 'ru', 'Europe/Moscow'), `13${NBSP}мар${NBSP}2024`);
	assert.equal(date('2023-12-31T21:30:00Z', 'en', 'Asia/Tokyo'), `1${NBSP}Jan${NBSP}2024`);
});

test('date: the year left out when it is the current one', () => {
	assert.equal(date(LATE, 'en', 'UTC', 2024), `12${NBSP}Mar`);
	assert.equal(date(LATE, 'en', 'UTC', 2025), `12${NBSP}Mar${NBSP}2024`);
});

test('date: nothing for no date or a bad one; Date objects too', () => {
	assert.equal(date(null, 'en', 'UTC'), '');
	assert.equal(date('not a date', 'en', 'UTC'), '');
	assert.equal(date(new Date(LATE), 'en', 'UTC'), `12${NBSP}Mar${NBSP}2024`);
});

test('dateTime: the time in the user\'s time zone, 24-hour', () => {
	assert.equal(dateTime(LATE, 'en', 'UTC'), `12${NBSP}Mar${NBSP}2024, 22:30`);
	assert.equal(dateTime(LATE, 'ru', 'Europe/Moscow'), `13${NBSP}мар${NBSP}2024, 01:30`);
	assert.equal(dateTime('2024-07-01T00:05:00Z', 'en', 'UTC', 2024), `1${NBSP}Jul, 00:05`);
	assert.equal(dateTime('2024-03-10T09:00:00Z', 'en', 'Asia/Kolkata'), `10${NBSP}Mar${NBSP}2024, 14:30`);
});

test('dayMonth: a chart label in the user\'s time zone', () => {
	assert.equal(dayMonth(LATE, 'UTC'), '12.03');
	assert.equal(dayMonth(LATE, 'Europe/Moscow'), '13.03');
	assert.equal(dayMonth(null, 'UTC'), '');
});

test('ago: minutes, hours, days, then the date', () => {
	const now = new Date('2024-03-12T12:00:00Z');
	assert.equal(ago('2024-03-12T11:59:30Z', 'en', now), 'just now');
	assert.equal(ago('2024-03-12T11:55:00Z', 'en', now), `5${NBSP}min ago`);
	assert.equal(ago('2024-03-12T09:00:00Z', 'en', now), `3${NBSP}h ago`);
	assert.equal(ago('2024-03-10T12:00:00Z', 'ru', now), `2${NBSP}дн назад`);
	assert.equal(ago('2024-02-01T12:00:00Z', 'en', now, 'UTC'), `1${NBSP}Feb`);
	assert.equal(ago('2023-02-01T12:00:00Z', 'en', now, 'UTC'), `1${NBSP}Feb${NBSP}2023`);
	// a clock a little behind the server's: not "in the future"
	assert.equal(ago('2024-03-12T12:00:20Z', 'en', now), 'just now');
	assert.equal(ago(null, 'en', now), '');
});

test('pluralRu: one, few, many', () => {
	const f = (n) => pluralRu(n, 'канал', 'канала', 'каналов');
	assert.equal(f(1), 'канал');
	assert.equal(f(21), 'канал');
	assert.equal(f(2), 'канала');
	assert.equal(f(24), 'канала');
	assert.equal(f(0), 'каналов');
	assert.equal(f(5), 'каналов');
	assert.equal(f(11), 'каналов');
	assert.equal(f(12), 'каналов');
	assert.equal(f(111), 'каналов');
	assert.equal(f(112), 'каналов');
});

test('percent: clamped whole percentages', () => {
	assert.equal(percent(1, 3), 33);
	assert.equal(percent(3, 3), 100);
	assert.equal(percent(5, 3), 100);
	assert.equal(percent(0, 0), 0);
	assert.equal(percent(2, null), 0);
});

test('startTarget: the deep links video_<id> and channel_<id>, nothing else', () => {
	assert.deepEqual(startTarget('video_12'), { kind: 'video', id: 12 });
	assert.deepEqual(startTarget('channel_7'), { kind: 'channel', id: 7 });
	assert.equal(startTarget('video_'), null);
	assert.equal(startTarget('video_0'), null);
	assert.equal(startTarget('video_12x'), null);
	assert.equal(startTarget('playlist_3'), null);
	assert.equal(startTarget('video_1234567890123456'), null);
	assert.equal(startTarget(''), null);
	assert.equal(startTarget(null), null);
	assert.equal(startTarget(undefined), null);
});

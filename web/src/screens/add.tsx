/* screens/add.tsx -- paste a public URL: a video (add_video) or a channel
 * (add_channel, when add_video says the URL names one). */

import { useEffect, useRef, useState } from 'preact/hooks';
import { addUrl, type ChannelRow, type VideoRow } from '../api';
import * as tg from '../telegram';
import { ErrorBox, MainButton, useApp } from '../ui';

/** The add screen: one field, the MainButton, the API's refusal in words. */
export function AddScreen() {
	const { s, added, reload, back, replace } = useApp();
	const [url, setUrl] = useState('');
	const [busy, setBusy] = useState(false);
	const [error, setError] = useState<unknown>(null);
	const input = useRef<HTMLInputElement>(null);
	useEffect(() => input.current?.focus(), []);

	async function submit() {
		const u = url.trim();
		if (!u || busy)
			return;
		setBusy(true);
		setError(null);
		try {
			const { kind, row } = await addUrl(u);
			tg.haptic('success');
			const now = new Date().toISOString();
			if (kind === 'video')
				added('video', { thumbnail: null, views: null, likes: null, comments: null, added_at: now, ...row } as VideoRow);
			else
				added('channel', { handle: null, followers: null, videos_count: null, added_at: now, ...row } as ChannelRow);
			back();
			replace({ name: 'home', tab: kind === 'video' ? 'videos' : 'channels' });
			// what is already known of a target someone else tracks
			reload();
		} catch (e) {
			tg.haptic('error');
			setError(e);
			setBusy(false);
		}
	}

	return (
		<main>
			<form class="section add" onSubmit={(e) => { e.preventDefault(); submit(); }}>
				<h1>{s.addTitle}</h1>
				<p class="hint">{s.addText}</p>
				<input ref={input} type="url" inputMode="url" autoComplete="off" autoCapitalize="off" spellcheck={false}
					placeholder={s.addPlaceholder} value={url} aria-label={s.addTitle}
					onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
			</form>
			{error ? <ErrorBox error={error} /> : null}
			<MainButton text={s.addButton} onClick={submit} enabled={url.trim() !== ''} loading={busy} />
		</main>
	);
}

/* telegram.ts -- the one module that talks to Telegram (@telegram-apps/sdk).
 *
 * Launch parameters and initData, the theme as CSS variables, BackButton,
 * MainButton, haptics, popups, links and ready().  Every call degrades to
 * nothing (or to the browser's own confirm and window.open) when the page
 * has launch parameters but no Telegram around it, so the rest of the app
 * never checks.
 */

import {
	backButton,
	hapticFeedback,
	init,
	isTMA,
	mainButton,
	miniApp,
	mockTelegramEnv,
	openLink as sdkOpenLink,
	popup,
	retrieveLaunchParams,
	type RetrieveLPResult,
	retrieveRawInitData,
	swipeBehavior,
	themeParams,
} from '@telegram-apps/sdk';

export interface Launch {
	/** Telegram's initData, unchanged: what cos_api.login validates */
	initData: string;
	/** the deep link's start_param (video_<id>, channel_<id>), if any */
	startParam: string | null;
	/** the user's language_code, if Telegram sent one */
	languageCode: string | null;
}

// init() succeeded: the page runs inside a Telegram client
let native = false;

/**
 * Reads the launch parameters, initialises the SDK and binds the theme.
 * Returns null outside Telegram (no launch parameters or no initData).
 */
export function start(): Launch | null {
	if (import.meta.env.DEV)
		mockInDev();
	let lp: RetrieveLPResult;
	let raw: string | undefined;
	try {
		lp = retrieveLaunchParams();
		raw = retrieveRawInitData();
	} catch {
		return null;
	}
	if (!raw)
		return null;
	try {
		init();
		native = true;
	} catch {
		// launch parameters in the URL but no Telegram client: no native UI
		native = false;
	}
	if (native) {
		themeParams.mountSync.ifAvailable();
		themeParams.bindCssVars.ifAvailable();
		miniApp.mountSync.ifAvailable();
		backButton.mount.ifAvailable();
		mainButton.mount.ifAvailable();
		// a pull to refresh must not close the app
		swipeBehavior.mount.ifAvailable();
		swipeBehavior.disableVertical.ifAvailable();
	} else {
		applyTheme(lp.tgWebAppThemeParams as Record<string, string | undefined>);
	}
	const user = lp.tgWebAppData?.user as { language_code?: string } | undefined;
	return {
		initData: raw,
		// Telegram passes start_param for t.me/<bot>/<app>?startapp= links;
		// the bot's web_app buttons carry it in the page's URL instead
		startParam: lp.tgWebAppStartParam ?? new URLSearchParams(location.search).get('startapp') ?? null,
		languageCode: user?.language_code ?? null,
	};
}

/**
 * `vite dev` in a browser: pretends to be Telegram, with initData from
 * VITE_INIT_DATA (sign one with the bot token of the gateway you point
 * VITE_GATEWAY at) or an unsigned one, which the API refuses.  The build for
 * production leaves this out (import.meta.env.DEV is false there).
 */
function mockInDev(): void {
	if (isTMA())
		return;
	const initData = import.meta.env.VITE_INIT_DATA as string | undefined ?? new URLSearchParams({
		user: JSON.stringify({ id: 1, first_name: 'Dev', language_code: navigator.language.slice(0, 2) }),
		auth_date: String(Math.floor(Date.now() / 1000)),
		hash: '0',
		signature: '0',
	}).toString();
	const dark = window.matchMedia('(prefers-color-scheme: dark)').matches;
	mockTelegramEnv({
		launchParams: {
			tgWebAppData: initData,
			tgWebAppVersion: '8.0',
			tgWebAppPlatform: 'tdesktop',
			tgWebAppStartParam: new URLSearchParams(location.search).get('start') ?? undefined,
			tgWebAppThemeParams: dark
				? { bg_color: '#17212b', text_color: '#f5f5f5', hint_color: '#708499', link_color: '#6ab3f3',
					button_color: '#5288c1', button_text_color: '#ffffff', secondary_bg_color: '#232e3c',
					section_bg_color: '#17212b', destructive_text_color: '#ec3942', accent_text_color: '#6ab2f2' }
				: { bg_color: '#ffffff', text_color: '#000000', hint_color: '#999999', link_color: '#2481cc',
					button_color: '#2481cc', button_text_color: '#ffffff', secondary_bg_color: '#efeff3',
					section_bg_color: '#ffffff', destructive_text_color: '#e53935', accent_text_color: '#2481cc' },
		} as never,
	});
}

/** Sets the theme's colours as the CSS variables the SDK would (--tg-theme-bg-color, …). */
function applyTheme(theme: Record<string, string | undefined> | undefined): void {
	const style = document.documentElement.style;
	for (const [k, v] of Object.entries(theme ?? {}))
		if (v)
			style.setProperty(`--tg-theme-${k.replace(/_/g, '-').replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())}`, v);
}

/** Tells Telegram the page is ready to be shown (hides its placeholder). */
export function ready(): void {
	if (native)
		miniApp.ready.ifAvailable();
}

/** True when Telegram draws the BackButton and MainButton (else the page draws its own). */
export function hasNativeButtons(): boolean {
	return native && mainButton.setParams.isAvailable() && backButton.show.isAvailable();
}

/** Shows or hides Telegram's BackButton. */
export function setBackButton(visible: boolean): void {
	if (!native)
		return;
	if (visible)
		backButton.show.ifAvailable();
	else
		backButton.hide.ifAvailable();
}

/** Calls fn when the BackButton is pressed; returns the function that stops it. */
export function onBackButton(fn: () => void): () => void {
	const r = native ? backButton.onClick.ifAvailable(fn) : null;
	return r?.[0] ? r[1] : () => {};
}

export interface MainButtonParams {
	text: string;
	enabled?: boolean;
	loading?: boolean;
}

/** Shows Telegram's MainButton with p, or hides it (null). */
export function setMainButton(p: MainButtonParams | null): void {
	if (!native)
		return;
	mainButton.setParams.ifAvailable(p
		? { text: p.text, isVisible: true, isEnabled: p.enabled ?? true, isLoaderVisible: p.loading ?? false }
		: { isVisible: false, isLoaderVisible: false });
}

/** Calls fn when the MainButton is pressed; returns the function that stops it. */
export function onMainButton(fn: () => void): () => void {
	const r = native ? mainButton.onClick.ifAvailable(fn) : null;
	return r?.[0] ? r[1] : () => {};
}

export type Haptic = 'success' | 'error' | 'warning' | 'select' | 'tap';

/** A haptic tick, where the device has them. */
export function haptic(kind: Haptic): void {
	if (!native)
		return;
	if (kind === 'select')
		hapticFeedback.selectionChanged.ifAvailable();
	else if (kind === 'tap')
		hapticFeedback.impactOccurred.ifAvailable('light');
	else
		hapticFeedback.notificationOccurred.ifAvailable(kind);
}

/** Opens url outside the mini-app (Telegram's in-app browser, or a new tab). */
export function openLink(url: string): void {
	if (native && sdkOpenLink.isAvailable())
		sdkOpenLink(url);
	else
		window.open(url, '_blank', 'noopener');
}

/** Asks a yes/no question in Telegram's popup (the browser's confirm elsewhere); true for yes. */
export async function confirm(message: string, yes: string): Promise<boolean> {
	if (native && popup.show.isAvailable()) {
		const id = await popup.show({
			message,
			buttons: [{ id: 'yes', type: 'destructive', text: yes }, { type: 'cancel' }],
		});
		return id === 'yes';
	}
	return window.confirm(message);
}

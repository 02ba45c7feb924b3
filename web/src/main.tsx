/* main.tsx -- the entry point: Telegram's launch parameters, the language,
 * then the app (or the page that says to open it in Telegram). */

import { render } from 'preact';
import { Boot, Outside } from './app';
import { langOf } from './format';
import { stringsFor } from './i18n';
import * as tg from './telegram';
import './style.css';

const launch = tg.start();
const lang = langOf(launch?.languageCode ?? navigator.language);
const s = stringsFor(lang);
document.documentElement.lang = lang;
document.title = s.appName;

render(
	launch
		? <Boot initData={launch.initData} s={s} lang={lang} startParam={launch.startParam} />
		: <Outside s={s} />,
	document.getElementById('app')!,
);
// the page shows something from here on (signing in, or why it cannot)
tg.ready();

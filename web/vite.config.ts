/* vite.config.ts -- the mini-app's build: served by the gateway at /app/,
 * hashed asset names, a .gz copy of every text file (the gateway sends it to
 * clients that accept gzip), and the sizes that matter, checked against the
 * budget: the first screen (the entry's JS and CSS, with what it imports
 * statically) at most 60 KB gzipped; the chart in a chunk of its own. */

import preact from '@preact/preset-vite';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

const FIRST_SCREEN_BUDGET = 60 * 1024;

/** gzip -9 size of a file of the build. */
function gz(dir: string, file: string): number {
	return gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
}

/** Writes name.gz beside each text file of the build and prints (and checks) the sizes. */
function gzipAndSizes(): Plugin {
	let outDir = 'dist';
	return {
		name: 'cos-gzip-and-sizes',
		apply: 'build',
		configResolved(c) {
			outDir = c.build.outDir;
		},
		writeBundle(_options, bundle) {
			for (const name of Object.keys(bundle)) {
				if (!/\.(js|css|html|svg|json|txt|map)$/.test(name))
					continue;
				writeFileSync(join(outDir, name + '.gz'), gzipSync(readFileSync(join(outDir, name)), { level: 9 }));
			}
			// the entry chunk, the chunks it imports statically, and their CSS
			const first = new Set<string>();
			const walk = (name: string) => {
				const c = bundle[name];
				if (!c || c.type !== 'chunk' || first.has(name))
					return;
				first.add(name);
				for (const css of c.viteMetadata?.importedCss ?? [])
					first.add(css);
				c.imports.forEach(walk);
			};
			for (const c of Object.values(bundle))
				if (c.type === 'chunk' && c.isEntry)
					walk(c.fileName);
			const firstBytes = [...first].reduce((n, f) => n + gz(outDir, f), 0);
			const chart = Object.values(bundle).find((c) => c.type === 'chunk' && c.name === 'chart');
			const kb = (n: number) => (n / 1024).toFixed(1) + ' KB';
			const lines = [
				`first screen: ${kb(firstBytes)} gzip (JS + CSS; budget ${kb(FIRST_SCREEN_BUDGET)})`,
				`chart chunk: ${chart ? kb(gz(outDir, chart.fileName)) + ' gzip, loaded on a chart screen only' : 'missing'}`,
			];
			for (const l of lines)
				console.log(`cos-app: ${l}`);
			if (firstBytes > FIRST_SCREEN_BUDGET)
				this.error(`the first screen is ${kb(firstBytes)} gzip, over its budget of ${kb(FIRST_SCREEN_BUDGET)}`);
			if (!chart || first.has(chart.fileName))
				this.error('the chart must be a chunk of its own, not loaded by the first screen');
		},
	};
}

// `vite dev`: the API and the thumbnails from a gateway (VITE_GATEWAY, default 127.0.0.1:8787)
const gateway = process.env.VITE_GATEWAY ?? 'http://127.0.0.1:8787';

export default defineConfig({
	base: '/app/',
	plugins: [preact(), gzipAndSizes()],
	build: {
		target: 'es2020',
		assetsInlineLimit: 0,
		modulePreload: { polyfill: false },
		reportCompressedSize: true,
	},
	server: {
		host: '127.0.0.1',
		proxy: { '/rpc': gateway, '/uploads': gateway },
	},
});

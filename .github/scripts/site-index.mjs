// The nightly site's front page: one link per fuzz target (a directory of the site, each holding the
// merged fuzz index of that target). Usage: node .github/scripts/site-index.mjs <site-dir>
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const site = process.argv[2];
if (site === undefined) {
  console.error('usage: node .github/scripts/site-index.mjs <site-dir>');
  process.exit(2);
}
const escape = (s) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const targets = readdirSync(site)
  .filter((name) => statSync(join(site, name)).isDirectory())
  .sort();
const items = targets.map((t) => `<li><a href="${escape(encodeURIComponent(t))}/index.html">${escape(t)}</a></li>`);
writeFileSync(
  join(site, 'index.html'),
  '<!doctype html><html lang="en"><meta charset="utf-8"><title>kafkasim nightly fuzz</title>\n' +
    `<h1>kafkasim nightly fuzz</h1>\n<ul>\n${items.join('\n')}\n</ul>\n</html>\n`,
);

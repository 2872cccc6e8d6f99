// Opens a report in a real headless Chromium (Debian's, driven by playwright-core) and tells what
// happened: console errors, page errors, every request the page made, and how each chart rendered.
// Tests skip with a clear message when /usr/bin/chromium is absent (.ci/run installs it).
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);
export const NO_CHROMIUM_MESSAGE =
  `${CHROMIUM} is absent: browser tests of the HTML reports skipped (install ` + `Debian's chromium; .ci/run does)`;

export interface PageVisit {
  /** Console messages of type error, and uncaught page errors. */
  errors: string[];
  /** Console messages of every other level (warnings, logs), as "level: text". */
  messages: string[];
  /** The report's opening account (.account): its text and how far down the page it starts (px). */
  account: { text: string; top: number } | null;
  /** document.documentElement.scrollWidth: wider than the viewport means the page scrolls sideways. */
  pageWidth: number;
  /** Every URL the page requested, the file itself included. */
  requests: string[];
  /** body[data-charts]: "done" when every chart rendered, "failed" otherwise. */
  chartsState: string | null;
  /**
   * Per chart element: its id, data-rendered, whether it holds a non-empty canvas or svg, and where its plot
   * (the time axis) starts, in page pixels (data-plot-left).
   */
  charts: { id: string; rendered: string | null; drawn: boolean; plotLeft: number }[];
  /** Text of the page body, to check escaping. */
  text: string;
  /** Number of script elements in the page. */
  scripts: number;
  /** window.__pwned, which the hostile test strings would set if any of them ran. */
  pwned: unknown;
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
}

/** Opens `file`, blocks every request but the file itself, waits for the charts, optionally screenshots. */
export async function visit(
  browser: Browser,
  file: string,
  screenshot?: string,
  viewport = { width: 1280, height: 900 },
): Promise<PageVisit> {
  const url = pathToFileURL(file).href;
  const page = await browser.newPage({ viewport });
  const errors: string[] = [];
  const messages: string[] = [];
  const requests: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
    else messages.push(`${m.type()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page error: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.route('**/*', (route) => (route.request().url() === url ? route.continue() : route.abort()));
  await page.goto(url, { waitUntil: 'load' });
  // Page code is passed as text: the project compiles without the DOM's types.
  await page.waitForFunction(`document.body.getAttribute('data-charts') !== 'pending'`, undefined, { timeout: 60_000 });
  const result = (await page.evaluate(`(() => {
    const charts = [...document.querySelectorAll('div.vega')].map((el) => {
      const canvas = el.querySelector('canvas');
      const svg = el.querySelector('svg');
      const drawn =
        (canvas !== null && canvas.width > 0 && canvas.height > 0) ||
        (svg !== null && svg.getBoundingClientRect().width > 0);
      const plotLeft = Number(el.getAttribute('data-plot-left'));
      return { id: el.id, rendered: el.getAttribute('data-rendered'), drawn, plotLeft };
    });
    const account = document.querySelector('.account');
    return {
      account: account === null ? null : { text: account.innerText, top: account.getBoundingClientRect().top },
      pageWidth: document.documentElement.scrollWidth,
      chartsState: document.body.getAttribute('data-charts'),
      charts,
      text: document.body.innerText,
      scripts: document.querySelectorAll('script').length,
      pwned: window.__pwned ?? null,
    };
  })()`)) as Omit<PageVisit, 'errors' | 'messages' | 'requests'>;
  if (screenshot !== undefined) await page.screenshot({ path: screenshot, fullPage: true });
  await page.close();
  return { errors, messages, requests, ...result };
}

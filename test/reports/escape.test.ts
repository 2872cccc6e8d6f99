// Every string from a history or a configuration is escaped: a record value of `<script>` stays text in
// the page's HTML, in its JSON data and in its links.
import { describe, expect, it } from 'vitest';
import { escapeHtml, jsonForScript, safeHref, scriptSafe } from '../../reports/escape.ts';
import { renderFuzzIndex } from '../../reports/fuzz-index.ts';
import { inlinedLibraries } from '../../reports/vendor.ts';
import { hostileRunReport, HOSTILE } from '../helpers/report-fixtures.ts';
import { renderRunReport } from '../../reports/run-report.ts';

/** The page with the inlined libraries cut out, so searches look at what we wrote. */
function ours(html: string): string {
  return html.replace(inlinedLibraries(), '');
}

describe('escaping', () => {
  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('writes JSON that cannot end its script element and reads back the same', () => {
    const value = { v: '</script><script>alert(1)</script>', c: '<!-- x -->', l: 'a\u2028b\u2029c' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/<\/script/i);
    expect(text).not.toContain('<!--');
    expect(text).not.toContain('<');
    expect(JSON.parse(text)).toEqual(value);
  });

  it('makes inlined scripts safe and refuses what it cannot make safe', () => {
    expect(scriptSafe('var s = "</script>"; var r = /<\\/SCRIPT/;', 'x')).toBe(
      'var s = "<\\/script>"; var r = /<\\/SCRIPT/;',
    );
    expect(scriptSafe('x = "</ScRiPt >"', 'x')).not.toMatch(/<\/script/i);
    expect(() => scriptSafe('var s = "<!--";', 'lib.js')).toThrow(/lib\.js/);
  });

  it('keeps the inlined libraries free of anything that ends a script element', () => {
    const libs = inlinedLibraries();
    expect(libs.match(/<script>/g)).toHaveLength(3);
    expect(libs.match(/<\/script>/g)).toHaveLength(3);
    const inner = libs.replace(/<script>/g, '').replace(/<\/script>/g, '');
    expect(inner).not.toMatch(/<\/script/i);
    expect(inner).not.toContain('sourceMappingURL');
  });

  it("links only relative paths inside the report's directory and http(s) URLs", () => {
    for (const ok of [
      'seeds/42/index.html',
      'seed-3/clean/repro.json',
      '#summary',
      'https://example.org/r',
      'HTTP://x/',
    ])
      expect(safeHref(ok)).toBe(ok);
    const refused = [
      'javascript:alert(1)',
      // A browser strips leading spaces and C0 controls, and drops tabs and newlines, before the scheme.
      ' javascript:alert(1)',
      ' JavaScript:alert(1)',
      '\u0001javascript:alert(1)',
      '\tjavascript:alert(1)',
      'java\nscript:alert(1)',
      'java\tscript:alert(1)',
      '\u00a0javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      'vbscript:msgbox(1)',
      'data:text/html,<script>',
      'file:///etc/passwd',
      // Out of the directory: up, absolute, another host, backslashes (read as slashes), percent-encoded dots.
      '../../victim/index.html',
      'seeds/../../victim/index.html',
      '/etc/passwd',
      '//evil.example/x',
      '\\\\evil.example\\x',
      '%2e%2e/victim',
      'seeds/%2E%2E/%2e%2e/victim',
      '',
      undefined,
    ];
    for (const href of refused) expect(safeHref(href), JSON.stringify(href)).toBeUndefined();
  });

  it('keeps hostile strings of a run report as text', () => {
    const html = ours(renderRunReport(hostileRunReport()));
    // Our page has exactly two scripts: the data and the bootstrap.
    expect(html.match(/<script\b/gi)).toHaveLength(2);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toMatch(/<img\b/i);
    expect(html).toContain(escapeHtml(HOSTILE));
  });

  it('keeps hostile seeds, errors and links of a fuzz index as text', () => {
    const html = ours(
      renderFuzzIndex({
        title: `fuzz ${HOSTILE}`,
        generatedBy: 'test',
        runs: [
          {
            seed: HOSTILE,
            valid: false,
            anomalies: { [HOSTILE]: 1 },
            wallMs: 1,
            events: 1,
            reportHref: 'javascript:alert(1)',
            reproHref: `seeds/"><script>x</script>`,
          },
          { seed: 2, valid: true, anomalies: {}, wallMs: 1, events: 1, error: HOSTILE },
        ],
      }),
    );
    expect(html.match(/<script\b/gi)).toHaveLength(2);
    expect(html).not.toContain(HOSTILE);
    expect(html).not.toContain('href="javascript:');
    expect(html).toContain('href="seeds/&quot;&gt;&lt;script&gt;x&lt;/script&gt;"');
  });
});

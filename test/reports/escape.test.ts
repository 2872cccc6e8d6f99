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

  it('links only relative paths and http(s) URLs', () => {
    expect(safeHref('seeds/42/index.html')).toBe('seeds/42/index.html');
    expect(safeHref('https://example.org/r')).toBe('https://example.org/r');
    expect(safeHref('javascript:alert(1)')).toBeUndefined();
    expect(safeHref(' JavaScript:alert(1)'.trim())).toBeUndefined();
    expect(safeHref('data:text/html,<script>')).toBeUndefined();
    expect(safeHref(undefined)).toBeUndefined();
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

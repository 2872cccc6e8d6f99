// Escaping for everything a report writes: text and attributes in HTML, JSON and scripts inside <script>
// elements, and link targets. Every string that comes from a history, a configuration or a file name
// passes through here, so a record value of `<script>` stays text.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value: the five characters HTML gives meaning to become entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

/**
 * JSON to put inside a `<script type="application/json">`. A script element ends at the first `</script`
 * whatever the JSON means, and `<!--` changes how the parser reads what follows; writing every `<` as
 * \u003c (which JSON.parse reads back as `<`) makes both impossible. U+2028 and U+2029 are escaped too so
 * the text is also valid as a JavaScript literal.
 */
export function jsonForScript(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * JavaScript source to inline in a `<script>` element. `</script` can appear in minified code only
 * inside a string or a regular expression, where `<\/script` means the same. `<!--` cannot be rewritten
 * safely in every context, so a library containing it is refused rather than inlined.
 */
export function scriptSafe(source: string, name: string): string {
  if (source.includes('<!--'))
    throw new Error(`${name} contains "<!--", which cannot be inlined safely in a <script> element`);
  return source.replace(/<\/(script)/gi, '<\\/$1');
}

/**
 * A link target, or undefined when it is not one we write: only relative paths and http(s) URLs, so a
 * summary file cannot smuggle a `javascript:` link into an index.
 */
export function safeHref(href: string | undefined): string | undefined {
  if (href === undefined || href === '') return undefined;
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(href);
  if (scheme !== null && !/^https?$/i.test(scheme[1])) return undefined;
  if (/[\u0000-\u001f]/.test(href)) return undefined;
  return href;
}

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

/** Where relative links are resolved to tell whether they stay inside the report's directory. */
const REPORT_BASE = new URL('https://report.invalid/dir/');

/**
 * A link target, or undefined when it is not one we write: an http(s) URL, or a relative path that stays
 * inside the report's directory. Allowed by the scheme a browser would read, not by the text's first
 * characters: a browser strips leading spaces and control characters and drops tabs and newlines before
 * it reads the scheme (" javascript:..." runs on click) and reads a backslash as a slash.
 */
export function safeHref(href: string | undefined): string | undefined {
  if (href === undefined || href === '') return undefined;
  // Our links never hold white space (Unicode's included), controls or backslashes; refused, not cleaned.
  if (/[\s\u0000-\u001f\u007f\\]/.test(href)) return undefined;
  let url: URL;
  try {
    url = new URL(href, REPORT_BASE);
  } catch {
    return undefined;
  }
  if (/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(href))
    return url.protocol === 'http:' || url.protocol === 'https:' ? href : undefined;
  // Relative: "/abs", "//host/x" and "../x" all leave the directory (the URL parser reads %2e%2e as ..).
  const inside = url.origin === REPORT_BASE.origin && url.pathname.startsWith(REPORT_BASE.pathname);
  return inside ? href : undefined;
}

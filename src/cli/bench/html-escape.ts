/**
 * @module
 * Escaping for text put into the HTML report: element text and attribute values, and JSON inside a `<script>` element.
 */

const HTML_ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Safe as element text and as a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);
}

/**
 * JSON for the body of a `<script type="application/json">` element. The HTML parser ends a script at the first `</script`
 * whatever the quoting, so every `<` becomes the JSON escape `\u003c`; JSON.parse turns it back. U+2028/2029 are escaped too,
 * so the text stays valid if someone pastes it into JavaScript.
 */
export function jsonForScript(value: unknown): string {
  return (JSON.stringify(value) ?? 'null').replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

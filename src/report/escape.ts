/**
 * Escaping of strings that came from the network (NetBIOS names, EPM annotations, reasons that quote
 * peer data) for each output format. A hostile peer must not be able to move the cursor, recolour or
 * retitle the terminal, run a spreadsheet formula, or break out of an XML attribute.
 */

import { escapeTerminal, safeJson } from '../core/escape.ts';

export { escapeTerminal, safeJson } from '../core/escape.ts';

const hex2 = (c: string): string => c.charCodeAt(0).toString(16).padStart(2, '0');

/**
 * One CSV field (RFC 4180): quoted when needed; a leading `=`, `+`, `-`, `@`, TAB or CR gets a `'`
 * prefix (OWASP's CSV-injection advice) so spreadsheets show text instead of running a formula.
 * Other control characters become `\xNN` as in text output.
 */
export const csvField = (value: string | number | boolean | undefined): string => {
  if (value === undefined) return '';
  let s = String(value);
  if (typeof value === 'string') {
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    s = escapeTerminal(s);
  }
  return /[",\n\r]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
};

/**
 * XML text or attribute content. Characters XML 1.0 cannot carry at all (most C0 controls, lone
 * surrogates, U+FFFE/U+FFFF) become a visible `\xNN`/`\uNNNN`; TAB/LF/CR are kept as character
 * references so attribute values keep them.
 */
export const xmlEscape = (s: string): string =>
  s
    .replace(/\\/g, '\\\\')
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g, (c) => `\\x${hex2(c)}`)
    .replace(
      /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    )
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');

/** HTML text or attribute content (quoted attributes only), unsafe characters made visible as in text. */
export const htmlEscape = (s: string): string =>
  escapeTerminal(s)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

/**
 * JSON for a `<script type="application/json">` block: `<`, `>` and `&` become \u escapes so no
 * `</script>` or `<!--` can end or bend the block; parsing gives back the same value.
 */
export const jsonForScript = (value: unknown): string =>
  safeJson(value).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

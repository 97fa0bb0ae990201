/**
 * The one escaping of untrusted text for display: strings from the network, captures, hives, target
 * files and spec files reach terminals through every output and every error message. A hostile
 * string must not move the cursor, recolour or retitle the terminal (C0 ESC, C1 CSI U+009B, …) nor
 * reorder what is shown (Unicode bidirectional overrides, CVE-2021-42574).
 */

/** C0 controls, DEL, C1 controls (U+0080–U+009F), soft hyphen and the bidi/invisible formatters. */
const UNSAFE_CLASS =
  '[\\u0000-\\u001f\\u007f-\\u009f\\u00ad\\u061c\\u200b-\\u200f\\u2028-\\u202e\\u2060-\\u2069\\ufeff\\ufff9-\\ufffb]';

/**
 * A run of backslashes that a reader could take as the start of an escape: one before `x` or `u`,
 * before an unsafe character (which becomes `\xNN`), or at the end. Only such runs are doubled, so a
 * UNC path such as `\\HOST\PIPE\lsass` prints as it is and `\x1b` from a peer still cannot pass for
 * an escaped ESC (the rule of Windows' argv quoting: 2n backslashes before `x` are n literal ones).
 */
const TERMINAL = new RegExp(`(\\\\+)(?=[xu]|${UNSAFE_CLASS}|$)|${UNSAFE_CLASS}`, 'gu');

/**
 * For terminal/text output: every unsafe character (including ESC, CR, LF and TAB) becomes a visible
 * `\xNN` (or `\u{NNNN}` above U+00FF), and a backslash run that could forge one is doubled.
 * One line in, one line out.
 */
export const escapeTerminal = (s: string): string =>
  s.replace(TERMINAL, (c, run: string | undefined) => {
    if (run !== undefined) return run + run;
    const code = c.codePointAt(0) ?? 0;
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });

/**
 * JSON text that is also safe to `cat` to a terminal: JSON.stringify escapes C0 but leaves DEL, C1 and
 * the bidi formatters raw, so those become \u00NN too (still valid JSON, the same value after parsing).
 */
export const safeJson = (value: unknown, space?: number): string =>
  JSON.stringify(value, null, space).replace(
    /[\u007f-\u009f\u00ad\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/**
 * The YAML subset lab specs use: block mappings and sequences by indentation, `- key: value` items,
 * flow lists `[a, b]` and flow maps `{a: 1}`, quoted and plain scalars, numbers, booleans, null,
 * `#` comments. No anchors, tags, multi-line scalars or documents: those are reported as errors with
 * a line number rather than half-understood.
 */

export type YamlResult = { ok: true; value: unknown } | { ok: false; line: number; message: string };

interface Line {
  indent: number;
  text: string;
  number: number;
}

class YamlError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

const stripComment = (s: string): string => {
  let quote = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (quote) {
      if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(s[i - 1]!))) return s.slice(0, i);
  }
  return s;
};

const splitFlow = (body: string, line: number): string[] => {
  const parts: string[] = [];
  let depth = 0;
  let quote = '';
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (quote) {
      if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '{') depth++;
    else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(body.slice(start, i));
      start = i + 1;
    }
    if (depth < 0) throw new YamlError(line, 'unbalanced brackets');
  }
  if (quote || depth !== 0) throw new YamlError(line, 'unterminated flow collection or string');
  const last = body.slice(start);
  if (last.trim() !== '' || parts.length > 0) parts.push(last);
  return parts.map((p) => p.trim()).filter((p, i, all) => p !== '' || i < all.length - 1);
};

const keyValue = (text: string): [string, string] | undefined => {
  const m = /^("[^"]*"|'[^']*'|[^:'"[\]{}#,][^:]*?)\s*:(?:\s+(.*)|$)/.exec(text);
  if (!m) return undefined;
  const k = m[1]!;
  return [k.startsWith('"') || k.startsWith("'") ? k.slice(1, -1) : k, (m[2] ?? '').trim()];
};

const scalar = (raw: string, line: number): unknown => {
  const s = raw.trim();
  if (s.startsWith('[')) {
    if (!s.endsWith(']')) throw new YamlError(line, 'a flow list must end on its line');
    return splitFlow(s.slice(1, -1), line).map((p) => scalar(p, line));
  }
  if (s.startsWith('{')) {
    if (!s.endsWith('}')) throw new YamlError(line, 'a flow map must end on its line');
    const out: Record<string, unknown> = {};
    for (const p of splitFlow(s.slice(1, -1), line)) {
      const kv = keyValue(p);
      if (!kv) throw new YamlError(line, `expected key: value in "${p}"`);
      out[kv[0]] = scalar(kv[1], line);
    }
    return out;
  }
  if (s.startsWith('"')) {
    if (!s.endsWith('"') || s.length < 2) throw new YamlError(line, 'unterminated string');
    try {
      return JSON.parse(s);
    } catch {
      throw new YamlError(line, `bad double-quoted string ${s}`);
    }
  }
  if (s.startsWith("'")) {
    if (!s.endsWith("'") || s.length < 2) throw new YamlError(line, 'unterminated string');
    return s.slice(1, -1).replace(/''/g, "'");
  }
  if (/^[&*!|>%@`]/.test(s)) throw new YamlError(line, `unsupported YAML feature at "${s}"`);
  if (s === '' || s === '~' || s === 'null') return null;
  if (s === 'true') return true;
  if (s === 'false') return false;
  if (/^-?(0|[1-9]\d*)(\.\d+)?$/.test(s)) return Number(s);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return Number.parseInt(s, 16);
  return s;
};

export const parseYaml = (text: string): YamlResult => {
  try {
    return { ok: true, value: parseLines(text) };
  } catch (e) {
    if (e instanceof YamlError) return { ok: false, line: e.line, message: e.message };
    throw e;
  }
};

const parseLines = (text: string): unknown => {
  const lines: Line[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    if (/^\s*---\s*$/.test(raw) && lines.length === 0) return;
    if (raw.includes('\t') && /^\s*\t/.test(raw))
      throw new YamlError(i + 1, 'tabs are not allowed for indentation');
    const body = stripComment(raw).replace(/\s+$/, '');
    if (body.trim() === '') return;
    lines.push({ indent: body.length - body.trimStart().length, text: body.trimStart(), number: i + 1 });
  });
  let pos = 0;

  const block = (_indent: number): unknown => {
    const first = lines[pos];
    if (!first) return null;
    if (first.text === '-' || first.text.startsWith('- ')) return sequence(first.indent);
    return mapping(first.indent);
  };

  const sequence = (indent: number): unknown[] => {
    const out: unknown[] = [];
    while (pos < lines.length && lines[pos]!.indent === indent) {
      const line = lines[pos]!;
      // A key at the sequence's own indentation ends it (`key:` followed by unindented `- items`).
      if (!(line.text === '-' || line.text.startsWith('- '))) break;
      const rest = line.text.slice(1).trimStart();
      if (rest === '') {
        pos++;
        out.push(pos < lines.length && lines[pos]!.indent > indent ? block(lines[pos]!.indent) : null);
      } else if (keyValue(rest) && !rest.startsWith('[') && !rest.startsWith('{') && !rest.startsWith('"')) {
        // "- key: value" starts a mapping whose keys sit two columns further in.
        const inner = indent + (line.text.length - rest.length);
        lines[pos] = { indent: inner, text: rest, number: line.number };
        out.push(mapping(inner));
      } else {
        out.push(scalar(rest, line.number));
        pos++;
      }
    }
    if (pos < lines.length && lines[pos]!.indent > indent)
      throw new YamlError(lines[pos]!.number, 'bad indentation');
    return out;
  };

  const mapping = (indent: number): Record<string, unknown> => {
    const out: Record<string, unknown> = {};
    while (pos < lines.length && lines[pos]!.indent === indent) {
      const line = lines[pos]!;
      const kv = keyValue(line.text);
      if (!kv) throw new YamlError(line.number, `expected "key: value", got "${line.text}"`);
      const [key, value] = kv;
      if (key in out) throw new YamlError(line.number, `duplicate key "${key}"`);
      pos++;
      if (value === '') {
        const next = lines[pos];
        if (next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')))) {
          out[key] = block(next.indent);
        } else out[key] = null;
      } else out[key] = scalar(value, line.number);
    }
    if (pos < lines.length && lines[pos]!.indent > indent)
      throw new YamlError(lines[pos]!.number, 'bad indentation');
    return out;
  };

  if (lines.length === 0) return null;
  const value = block(lines[0]!.indent);
  if (pos < lines.length) throw new YamlError(lines[pos]!.number, 'unexpected dedent');
  return value;
};

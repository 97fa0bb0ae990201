/**
 * Target syntax → target specifications. Accepts the seeds' tools' forms (`IP`, `IP-IP`, `IP/CIDR`,
 * host name, domain) plus nmap's habits: the short range `a.b.c.d-h`, IPv6 literals, prefixes and
 * ranges, `domain:NAME`, several targets per argument or line separated by blanks or commas, and
 * `#` comments in files (`-iL`). Every error names the token, where it stood (argument or
 * file:line:column, masscan-style) and why; the CLI maps TARGETS_PARSE to exit code 2.
 *
 * Pure: no resolution happens here. Host names and domains come back as specs for expand.ts.
 */
import ipaddr from 'ipaddr.js';
import { RpcsweepError } from '../core/errors.ts';
import { IPV4_MAPPED_PREFIX, IPV6_MAX, ipv6BytesToBigint } from './address.ts';

/** Where a token came from, for error messages and expansion reports. */
export interface TokenOrigin {
  /** `argument 2`, `--exclude`, or a file path given to -iL / --exclude-file. */
  readonly source: string;
  /** 1-based line, for file text. */
  readonly line?: number;
  /** 1-based column of the token's first character. */
  readonly column: number;
  /** The token exactly as written. */
  readonly token: string;
}

export type TargetSpec =
  | { readonly kind: 'ipv4'; readonly first: number; readonly last: number; readonly origin: TokenOrigin }
  | { readonly kind: 'ipv6'; readonly first: bigint; readonly last: bigint; readonly origin: TokenOrigin }
  /** A host name: all its A and AAAA records. */
  | { readonly kind: 'host'; readonly name: string; readonly origin: TokenOrigin }
  /** A DNS domain: own addresses, DC SRV hosts and a zone transfer where allowed. */
  | { readonly kind: 'domain'; readonly name: string; readonly origin: TokenOrigin };

/** `hosts.txt:2:5` or `argument 3, column 1`. */
export const formatOrigin = (o: TokenOrigin): string =>
  o.line === undefined ? `${o.source}, column ${o.column}` : `${o.source}:${o.line}:${o.column}`;

const parseError = (origin: TokenOrigin, reason: string): RpcsweepError =>
  new RpcsweepError('TARGETS_PARSE', `${formatOrigin(origin)}: bad target "${origin.token}": ${reason}`, {
    details: {
      token: origin.token,
      source: origin.source,
      line: origin.line,
      column: origin.column,
      reason,
    },
  });

// ---------------------------------------------------------------------------------------------------
// Addresses

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };
const fail = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });

/** Strict dotted-quad decimal. Leading zeros are refused: inet_aton reads them as octal. */
const parseIpv4 = (text: string): Parsed<number> => {
  const parts = text.split('.');
  if (parts.length !== 4) {
    return fail(`an IPv4 address has four dot-separated octets, "${text}" has ${parts.length}`);
  }
  let n = 0;
  for (const p of parts) {
    if (!/^\d+$/.test(p)) return fail(`octet "${p}" is not a decimal number`);
    if (p.length > 1 && p.startsWith('0')) {
      return fail(`octet "${p}" has a leading zero, which some tools read as octal; write ${Number(p)}`);
    }
    const v = Number(p);
    if (v > 255) return fail(`octet ${p} is greater than 255`);
    n = n * 256 + v;
  }
  return { ok: true, value: n };
};

const parseIpv6 = (text: string): Parsed<bigint> => {
  let t = text;
  if (t.startsWith('[') && t.endsWith(']')) t = t.slice(1, -1);
  if (t.includes('%')) return fail('IPv6 zone identifiers (%iface) are not supported');
  if (!ipaddr.IPv6.isValid(t)) return fail(`"${t}" is not a valid IPv6 address`);
  return { ok: true, value: ipv6BytesToBigint(ipaddr.IPv6.parse(t).toByteArray()) };
};

const parsePrefixLength = (text: string, max: number): Parsed<number> => {
  if (!/^\d{1,3}$/.test(text) || (text.length > 1 && text.startsWith('0'))) {
    return fail(`prefix length "${text}" is not a number from 0 to ${max}`);
  }
  const v = Number(text);
  if (v > max) return fail(`prefix length /${v} is longer than /${max}`);
  return { ok: true, value: v };
};

// ---------------------------------------------------------------------------------------------------
// Names

/** RFC 1123 host name (underscores tolerated, as Windows DNS allows them); lower-cased, no trailing dot. */
const parseHostName = (text: string): Parsed<string> => {
  const name = (text.endsWith('.') ? text.slice(0, -1) : text).toLowerCase();
  if (name.length === 0) return fail('empty name');
  if (name.length > 253) return fail(`a DNS name has at most 253 characters, this one has ${name.length}`);
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return fail('empty label (two dots in a row)');
    if (label.length > 63) return fail(`label "${label.slice(0, 20)}…" is longer than 63 characters`);
    if (!/^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?$/.test(label)) {
      const bad = /[^a-z0-9_-]/.exec(label);
      return fail(
        bad
          ? `character "${bad[0]}" is not allowed in an address, range or host name`
          : `label "${label}" starts or ends with a hyphen`,
      );
    }
  }
  if (/^\d+$/.test(labels[labels.length - 1]!)) {
    return fail('not a valid IPv4 address, and a host name cannot end in an all-numeric label');
  }
  return { ok: true, value: name };
};

// ---------------------------------------------------------------------------------------------------
// One token

const v4Spec = (first: number, last: number, origin: TokenOrigin): TargetSpec => ({
  kind: 'ipv4',
  first,
  last,
  origin,
});

/** IPv6 ranges that lie inside ::ffff:0:0/96 are IPv4 written the long way: scan them as IPv4. */
const v6Spec = (first: bigint, last: bigint, origin: TokenOrigin): TargetSpec => {
  if (first >> 32n === IPV4_MAPPED_PREFIX >> 32n && last >> 32n === IPV4_MAPPED_PREFIX >> 32n) {
    return v4Spec(Number(first & 0xffffffffn), Number(last & 0xffffffffn), origin);
  }
  return { kind: 'ipv6', first, last, origin };
};

const DOMAIN_PREFIX = 'domain:';

/**
 * The common case of big -iL files, a plain dotted quad, without regexes or splits: the address, or
 * -1 for anything else (which then takes the careful path with its precise error messages).
 */
const quickIpv4 = (t: string): number => {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (digits > 0 && octet === 0) return -1; // leading zero
      octet = octet * 10 + (c - 48);
      if (++digits > 3 || octet > 255) return -1;
    } else if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
    } else return -1;
  }
  if (dots !== 3 || digits === 0) return -1;
  return value * 256 + octet;
};

/** Parses one token (no blanks or commas inside). Throws TARGETS_PARSE. */
export const parseTargetToken = (origin: TokenOrigin): TargetSpec => {
  const token = origin.token;
  const quick = quickIpv4(token);
  if (quick >= 0) return { kind: 'ipv4', first: quick, last: quick, origin };
  const bad = (reason: string) => parseError(origin, reason);

  if (token.toLowerCase().startsWith(DOMAIN_PREFIX)) {
    const name = parseHostName(token.slice(DOMAIN_PREFIX.length));
    if (!name.ok) throw bad(`domain name: ${name.reason}`);
    return { kind: 'domain', name: name.value, origin };
  }

  const slash = token.indexOf('/');
  if (slash >= 0) {
    const addressText = token.slice(0, slash);
    const lengthText = token.slice(slash + 1);
    if (addressText.includes(':') || addressText.startsWith('[')) {
      const a = parseIpv6(addressText);
      if (!a.ok) throw bad(a.reason);
      const len = parsePrefixLength(lengthText, 128);
      if (!len.ok) throw bad(len.reason);
      const hostMask = (1n << BigInt(128 - len.value)) - 1n;
      const first = a.value & (IPV6_MAX ^ hostMask);
      return v6Spec(first, first | hostMask, origin);
    }
    if (!/^[\d.]+$/.test(addressText)) {
      throw bad(`"${addressText}" before the "/" is not an IPv4 or IPv6 address`);
    }
    const a = parseIpv4(addressText);
    if (!a.ok) throw bad(a.reason);
    const len = parsePrefixLength(lengthText, 32);
    if (!len.ok) throw bad(len.reason);
    // nmap habit: host bits set (10.1.2.3/24) mean the whole enclosing network.
    const size = 2 ** (32 - len.value);
    const first = a.value - (a.value % size);
    return v4Spec(first, first + size - 1, origin);
  }

  if (token.includes(':') || token.startsWith('[')) {
    const dash = token.indexOf('-');
    if (dash < 0) {
      const a = parseIpv6(token);
      if (!a.ok) throw bad(a.reason);
      return v6Spec(a.value, a.value, origin);
    }
    const a = parseIpv6(token.slice(0, dash));
    if (!a.ok) throw bad(`range start: ${a.reason}`);
    const b = parseIpv6(token.slice(dash + 1));
    if (!b.ok) throw bad(`range end: ${b.reason}`);
    if (b.value < a.value) throw bad('the range ends before it starts');
    return v6Spec(a.value, b.value, origin);
  }

  const dash = token.indexOf('-');
  const head = dash < 0 ? token : token.slice(0, dash);
  if (/^[\d.]+$/.test(head) && (dash < 0 || head.includes('.'))) {
    if (dash >= 0 && head.split('.').length !== 4) {
      throw bad('octet ranges (nmap 10.0.0-3.1-254 style) are not supported: use a.b.c.d-e.f.g.h or CIDR');
    }
    const a = parseIpv4(head);
    if (!a.ok) throw bad(dash < 0 ? a.reason : `range start: ${a.reason}`);
    if (dash < 0) return v4Spec(a.value, a.value, origin);
    const tail = token.slice(dash + 1);
    if (/^\d+$/.test(tail)) {
      // Short form a.b.c.d-h: h replaces the last octet.
      if (tail.length > 1 && tail.startsWith('0')) throw bad(`range end "${tail}" has a leading zero`);
      const h = Number(tail);
      if (h > 255) throw bad(`range end octet ${tail} is greater than 255`);
      const last = a.value - (a.value % 256) + h;
      if (last < a.value) throw bad(`the range ends (.${h}) before it starts (.${a.value % 256})`);
      return v4Spec(a.value, last, origin);
    }
    if (tail.includes(':')) throw bad('a range cannot mix IPv4 and IPv6');
    const b = parseIpv4(tail);
    if (!b.ok) throw bad(`range end: ${b.reason}`);
    if (b.value < a.value) throw bad(`the range ends (${tail}) before it starts (${head})`);
    return v4Spec(a.value, b.value, origin);
  }

  const name = parseHostName(token);
  if (!name.ok) throw bad(name.reason);
  return { kind: 'host', name: name.value, origin };
};

// ---------------------------------------------------------------------------------------------------
// Tokenising argv and files

const SEPARATOR = /[\s,]/;

const isSeparator = (line: string, i: number): boolean => {
  const c = line.charCodeAt(i);
  if (c === 32 || c === 44 || c === 9) return true;
  if (c > 32 && c < 127) return false;
  return SEPARATOR.test(line[i]!); // control characters and Unicode blanks
};

/** Splits one line into tokens with their 1-based columns. */
const tokenizeLine = (line: string): Array<{ token: string; column: number }> => {
  const out: Array<{ token: string; column: number }> = [];
  let start = -1;
  for (let i = 0; i <= line.length; i++) {
    const sep = i === line.length || isSeparator(line, i);
    if (sep && start >= 0) {
      out.push({ token: line.slice(start, i), column: start + 1 });
      start = -1;
    } else if (!sep && start < 0) start = i;
  }
  return out;
};

/**
 * Parses command-line target arguments. Each argument may hold several targets separated by blanks
 * or commas. `sourceName` names the option in errors (default `argument N`, 1-based).
 */
export const parseTargetArgs = (args: readonly string[], sourceName?: string): TargetSpec[] => {
  const specs: TargetSpec[] = [];
  args.forEach((arg, i) => {
    const source = sourceName ?? `argument ${i + 1}`;
    const tokens = tokenizeLine(arg);
    if (tokens.length === 0) {
      throw parseError({ source, column: 1, token: arg }, 'empty target');
    }
    for (const { token, column } of tokens) specs.push(parseTargetToken({ source, column, token }));
  });
  return specs;
};

/**
 * Parses the text of a target file (`-iL`, `--exclude-file`): one or more targets per line, `#`
 * starts a comment, blank lines are ignored. `sourceName` is the path shown in errors.
 */
export const parseTargetText = (text: string, sourceName: string): TargetSpec[] => {
  const specs: TargetSpec[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    for (const { token, column } of tokenizeLine(line)) {
      specs.push(parseTargetToken({ source: sourceName, line: i + 1, column, token }));
    }
  }
  return specs;
};

/** `--domain NAME`: the same expansion as a `domain:NAME` target. */
export const parseDomainOption = (name: string, sourceName = '--domain'): TargetSpec =>
  parseTargetToken({ source: sourceName, column: 1, token: `${DOMAIN_PREFIX}${name}` });

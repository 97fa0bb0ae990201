/**
 * Human-readable rendering of PDU records for `rpcsweep inspect`. Every string that came off the wire
 * (annotations, pipe names, secondary addresses, messages quoting them) goes through `escapeText`, so
 * no terminal control sequence from a capture ever reaches the terminal.
 */
import { escapeTerminal as escapeText } from '../core/escape.ts';
import type { PduRecord, StreamNote, SyntaxRecord } from './pdu-record.ts';

export { escapeTerminal as escapeText } from '../core/escape.ts';

const quote = (s: string): string => `"${escapeText(s).replace(/"/g, '\\"')}"`;

const hex = (v: number, width = 2): string => `0x${v.toString(16).padStart(width, '0')}`;

const syntaxText = (s: SyntaxRecord): string => `${s.name ? `${s.name} ` : ''}${s.uuid} v${s.version}`;

const endpoint = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

const isSyntax = (v: object): v is SyntaxRecord => 'uuid' in v && 'version' in v;

/** A value from a decoded body on one line: strings quoted and escaped, syntaxes as `name uuid vX.Y`. */
const inline = (v: unknown): string => {
  if (typeof v === 'string') return quote(v);
  if (v === null || v === undefined || typeof v !== 'object') return String(v);
  if (Array.isArray(v)) return `[${v.map(inline).join(', ')}]`;
  if (isSyntax(v)) return `<${syntaxText(v)}>`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${escapeText(k)}=${inline(x)}`)
    .join(' ')}}`;
};

/** Body as indented `key: value` lines; arrays of objects one element per line. */
const bodyLines = (body: Record<string, unknown>, indent: string, out: string[]): void => {
  for (const [key, v] of Object.entries(body)) {
    if (Array.isArray(v) && v.some((x) => x && typeof x === 'object')) {
      out.push(`${indent}${escapeText(key)}: ${v.length}`);
      v.forEach((item, i) => {
        const fields =
          item && typeof item === 'object' && !Array.isArray(item) && !isSyntax(item)
            ? Object.entries(item as Record<string, unknown>)
                .map(([k, x]) => `${escapeText(k)}=${inline(x)}`)
                .join(' ')
            : inline(item);
        out.push(`${indent}  [${i}] ${fields}`);
      });
    } else {
      out.push(`${indent}${escapeText(key)}: ${inline(v)}`);
    }
  }
};

/** One PDU as a header line plus indented detail lines (no trailing newline). */
export const formatPduText = (r: PduRecord): string => {
  const parts = [
    `#${r.frame}`.padEnd(7),
    `${endpoint(r.src, r.sport)} -> ${endpoint(r.dst, r.dport)}`,
    escapeText(r.ptype),
    `call_id=${r.call_id}`,
    `len=${r.frag_length}`,
    `flags=${hex(r.flags)}${r.flag_names.length ? `(${r.flag_names.join('|')})` : ''}`,
  ];
  if (r.rpc_version !== '5.0') parts.push(`v${r.rpc_version}`);
  if (!r.little_endian) parts.push('big-endian');
  if (r.auth_length) parts.push(`auth_len=${r.auth_length}`);
  if (r.context_id !== undefined) parts.push(`ctx=${r.context_id}`);
  if (r.opnum !== undefined) parts.push(`opnum=${r.opnum}`);
  if (r.interface)
    parts.push(`${r.interface.name ?? r.interface.uuid}${r.opnum_name ? `.${r.opnum_name}` : ''}`);
  if (r.stub_length !== undefined) parts.push(`stub=${r.stub_length}`);
  if (r.status) parts.push(`status=${r.status}${r.status_name ? `(${r.status_name})` : ''}`);
  const lines = [parts.join('  ')];
  const pad = '        ';
  if (r.max_xmit !== undefined) {
    const ack = r.secondary_address !== undefined ? `  secondary_address=${quote(r.secondary_address)}` : '';
    lines.push(
      `${pad}max_xmit=${r.max_xmit} max_recv=${r.max_recv} assoc_group=${hex(r.assoc_group ?? 0, 8)}${ack}`,
    );
  }
  for (const c of r.contexts ?? []) {
    const transfers = c.transfer_syntaxes.map(syntaxText).join(', ');
    lines.push(`${pad}context ${c.id}: ${syntaxText({ ...c })}  [${transfers}]`);
  }
  (r.results ?? []).forEach((x, i) => {
    const reason =
      x.result === 3
        ? `features=${hex(x.reason)}`
        : `reason=${x.reason}${x.reason_name ? `(${x.reason_name})` : ''}`;
    lines.push(
      `${pad}result ${i}: ${x.result}(${x.result_name ?? '?'}) ${reason}  ${syntaxText(x.transfer_syntax)}`,
    );
  });
  if (r.reject_reason !== undefined) {
    lines.push(
      `${pad}reject_reason=${r.reject_reason}${r.reject_reason_name ? `(${r.reject_reason_name})` : ''} versions=${(r.versions ?? []).join(',')}`,
    );
  }
  if (r.auth) {
    lines.push(
      `${pad}auth type=${r.auth.type}(${r.auth.type_name ?? '?'}) level=${r.auth.level}(${r.auth.level_name ?? '?'}) length=${r.auth.length}`,
    );
  }
  if (r.object) lines.push(`${pad}object=${r.object}`);
  if (r.reassembled)
    lines.push(
      `${pad}reassembled ${r.reassembled.fragments} fragments, stub ${r.reassembled.stub_length} bytes`,
    );
  if (r.body) bodyLines(r.body, pad, lines);
  if (r.body_note) lines.push(`${pad}(${escapeText(r.body_note)})`);
  if (r.body_error)
    lines.push(
      `${pad}! body: ${escapeText(r.body_error.message)} at ${r.body_error.field} offset ${r.body_error.offset} [${r.body_error.code}]`,
    );
  if (r.error)
    lines.push(
      `${pad}! malformed: ${escapeText(r.error.message)} at ${r.error.field} offset ${r.error.offset} [${r.error.code}]`,
    );
  return lines.join('\n');
};

export const formatNoteText = (n: StreamNote): string =>
  `!  frame ${n.frame}  ${endpoint(n.src, n.sport)} -> ${endpoint(n.dst, n.dport)}  ${escapeText(n.message)} [${n.code}]`;

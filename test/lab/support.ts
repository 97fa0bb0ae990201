/** Test clients for the lab, built on the shared codec (so the lab is checked against it too). */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import {
  decodePdu,
  encodeBind,
  encodeRequest,
  NDR32_SYNTAX,
  type Pdu,
  PduFramer,
  type SyntaxId,
} from '../../src/protocol/dcerpc/index.ts';

export type End = 'open' | 'closed' | 'reset' | 'timeout' | 'refused';

export interface Conversation {
  pdus: Pdu[];
  raw: Buffer;
  end: End;
}

/** Opens a connection; resolves 'open' (with the socket), 'refused' or 'timeout'. */
export const tryConnect = (
  host: string,
  port: number,
  timeoutMs = 500,
): Promise<{ end: End; socket?: Socket }> =>
  new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ end: 'timeout' });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve({ end: 'open', socket });
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      resolve({ end: e.code === 'ECONNREFUSED' ? 'refused' : 'reset' });
    });
  });

/**
 * Sends each step's bytes after the previous step's expected PDUs arrived; stops at `timeoutMs`
 * overall or when the peer closes. Returns everything received.
 */
export const converse = async (
  host: string,
  port: number,
  steps: Array<{ send: Uint8Array | ((got: Pdu[]) => Uint8Array); expect: number }>,
  timeoutMs = 2000,
): Promise<Conversation> => {
  const c = await tryConnect(host, port, timeoutMs);
  if (!c.socket) return { pdus: [], raw: Buffer.alloc(0), end: c.end };
  const socket = c.socket;
  const framer = new PduFramer();
  const pdus: Pdu[] = [];
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let step = 0;
    let waitingFor = 0;
    // A reply is complete when a PDU with LAST_FRAG arrives (fragmented responses count once).
    let complete = 0;
    let done = false;
    const finish = (end: End) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ pdus, raw: Buffer.concat(chunks), end });
    };
    const next = () => {
      while (step < steps.length && complete >= waitingFor) {
        const s = steps[step++]!;
        socket.write(typeof s.send === 'function' ? s.send(pdus) : s.send);
        waitingFor = complete + s.expect;
      }
      if (step >= steps.length && complete >= waitingFor) finish('open');
    };
    const timer = setTimeout(() => finish('timeout'), timeoutMs);
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      for (const bytes of framer.push(d)) {
        const p = decodePdu(bytes);
        if (p.ok) {
          pdus.push(p.value);
          if (p.value.header.flags & 0x02) complete++;
        }
      }
      next();
    });
    socket.on('end', () => finish('closed'));
    socket.on('error', () => finish('reset'));
    socket.on('close', () => finish('closed'));
    next();
  });
};

export const bindPdu = (syntax: SyntaxId | SyntaxId[], callId = 1, maxFrag = 5840): Uint8Array =>
  encodeBind({
    callId,
    maxXmitFrag: maxFrag,
    maxRecvFrag: maxFrag,
    assocGroupId: 0,
    contexts: (Array.isArray(syntax) ? syntax : [syntax]).map((s, i) => ({
      contextId: i,
      abstractSyntax: s,
      transferSyntaxes: [NDR32_SYNTAX],
    })),
  });

export const requestPdu = (opnum: number, stub: Uint8Array, callId = 2, contextId = 0): Uint8Array =>
  encodeRequest({ callId, contextId, opnum, stub });

/** The stub of a (possibly fragmented) response: the concatenation of all response PDUs' stubs. */
export const responseStub = (pdus: Pdu[]): Uint8Array =>
  new Uint8Array(
    Buffer.concat(pdus.filter((p) => p.type === 'response').map((p) => (p as { stub: Uint8Array }).stub)),
  );

/** One bind + one request on a fresh connection. */
export const call = async (
  host: string,
  port: number,
  syntax: SyntaxId,
  opnum: number,
  stub: Uint8Array,
  options: { maxFrag?: number; timeoutMs?: number } = {},
) => {
  const conv = await converse(
    host,
    port,
    [
      { send: bindPdu(syntax, 1, options.maxFrag), expect: 1 },
      { send: requestPdu(opnum, stub), expect: 1 },
    ],
    options.timeoutMs ?? 2000,
  );
  // Wait for the last fragment of a fragmented response.
  return conv;
};

/** Loopback port for tests: 135 needs root; unprivileged runs use a high port. */
export const testPort = (isRoot: boolean, unprivileged: number): number => (isRoot ? 135 : unprivileged);

/** Runs a command without blocking the event loop (the lab under test lives in this process). */
export const runAsync = (cmd: string, args: string[], timeoutMs = 30_000): Promise<string> =>
  new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${cmd} failed: ${error.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });

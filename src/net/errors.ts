/**
 * Network errors normalised at the I/O seam (Go's net.OpError, undici's connect errors): whatever
 * Node reports (errno strings, timers, aborts) becomes one NetError with a catalogue code and the
 * operation, transport and peer it happened to, e.g. `connect tcp 127.0.0.5:135: timed out after 3000 ms`.
 */
import { type ErrorCode, RpcsweepError } from '../core/errors.ts';

export type NetOp = 'connect' | 'send' | 'receive' | 'bind';
export type NetTransportName = 'tcp' | 'udp';

export type NetErrorCode = Extract<
  ErrorCode,
  | 'NET_CONNECT_TIMEOUT'
  | 'NET_REFUSED'
  | 'NET_UNREACHABLE'
  | 'NET_READ_TIMEOUT'
  | 'NET_WRITE_TIMEOUT'
  | 'NET_RESET'
  | 'NET_CLOSED'
  | 'NET_LOCAL_RESOURCES'
  | 'NET_ABORTED'
  | 'NET_REPLY_TOO_LARGE'
>;

export interface NetErrorInit {
  code: NetErrorCode;
  op: NetOp;
  transport: NetTransportName;
  address: string;
  port: number;
  /** What happened, without the `op transport address:port: ` prefix. */
  detail: string;
  cause?: unknown;
  /** NET_CLOSED on receive: the bytes of the message the connection closed inside (see NetError). */
  incomplete?: Uint8Array;
}

export class NetError extends RpcsweepError {
  declare readonly code: NetErrorCode;
  readonly op: NetOp;
  readonly transport: NetTransportName;
  readonly address: string;
  readonly port: number;
  /**
   * For NET_CLOSED on a receive: the bytes of the message the peer closed the connection inside (the
   * framer had not seen all of it), so a decoder can still keep what they say. Absent when none had
   * arrived.
   */
  readonly incomplete?: Uint8Array;
  constructor(init: NetErrorInit) {
    super(
      init.code,
      `${init.op} ${init.transport} ${formatHostPort(init.address, init.port)}: ${init.detail}`,
      {
        cause: init.cause,
        details: { op: init.op, transport: init.transport, address: init.address, port: init.port },
      },
    );
    this.name = 'NetError';
    this.op = init.op;
    this.transport = init.transport;
    this.address = init.address;
    this.port = init.port;
    if (init.incomplete !== undefined) this.incomplete = init.incomplete;
  }

  /** The peer (or the path to it) did not answer in time. */
  get timeout(): boolean {
    return (
      this.code === 'NET_CONNECT_TIMEOUT' ||
      this.code === 'NET_READ_TIMEOUT' ||
      this.code === 'NET_WRITE_TIMEOUT'
    );
  }

  /** A condition of this machine, not of the target: back off and retry, never report as a verdict. */
  get local(): boolean {
    return this.code === 'NET_LOCAL_RESOURCES';
  }
}

export const isNetError = (e: unknown): e is NetError => e instanceof NetError;

/**
 * A NetError for what a scan meets by the thousand (a silent address timing out, a refused or reset
 * connection): built without a stack trace, which says nothing about a peer's behaviour and cost
 * about a third of the engine's CPU per dead address.
 */
export const expectedNetError = (init: NetErrorInit): NetError => {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return new NetError(init);
  } finally {
    Error.stackTraceLimit = limit;
  }
};

export const isLocalResourceError = (e: unknown): boolean => isNetError(e) && e.local;

export const formatHostPort = (address: string, port: number): string =>
  address.includes(':') ? `[${address}]:${port}` : `${address}:${port}`;

/** errno strings that mean "this machine ran out of something" (lab.md §6: EMFILE at ~20k fds). */
const LOCAL_ERRNOS = new Set(['EMFILE', 'ENFILE', 'EADDRNOTAVAIL', 'ENOBUFS', 'ENOMEM', 'EAGAIN']);

/** Maps a Node errno string to a catalogue code; undefined when it is not a network condition we know. */
export const netCodeForErrno = (errno: string | undefined, op: NetOp): NetErrorCode | undefined => {
  switch (errno) {
    case 'ECONNREFUSED':
      return 'NET_REFUSED';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EHOSTDOWN':
    case 'ENETDOWN':
      return 'NET_UNREACHABLE';
    case 'ECONNRESET':
    case 'ECONNABORTED':
      return 'NET_RESET';
    case 'EPIPE':
      return 'NET_CLOSED';
    case 'ETIMEDOUT':
      return op === 'connect' ? 'NET_CONNECT_TIMEOUT' : 'NET_READ_TIMEOUT';
    default:
      return errno !== undefined && LOCAL_ERRNOS.has(errno) ? 'NET_LOCAL_RESOURCES' : undefined;
  }
};

const errnoOf = (e: unknown): string | undefined =>
  typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
    ? (e as { code: string }).code
    : undefined;

/**
 * Turns anything a socket threw or emitted into a NetError. Unknown errnos keep their text and map
 * to NET_RESET for established sessions and NET_UNREACHABLE for connects: both mean "the exchange
 * with this peer failed", and the original error stays on `cause`.
 */
export const toNetError = (
  e: unknown,
  where: { op: NetOp; transport: NetTransportName; address: string; port: number },
): NetError => {
  if (e instanceof NetError) return e;
  const errno = errnoOf(e);
  const code = netCodeForErrno(errno, where.op) ?? (where.op === 'connect' ? 'NET_UNREACHABLE' : 'NET_RESET');
  const text = e instanceof Error ? e.message : String(e);
  const detail = DETAIL_BY_CODE[code](errno, text);
  // Peer behaviour is not a bug: no stack trace (the errno-carrying original stays on `cause`).
  return expectedNetError({ ...where, code, detail, cause: e });
};

const DETAIL_BY_CODE: Record<NetErrorCode, (errno: string | undefined, text: string) => string> = {
  NET_CONNECT_TIMEOUT: (errno) => `timed out (${errno ?? 'timeout'})`,
  NET_REFUSED: () => 'connection refused',
  NET_UNREACHABLE: (errno, text) => (errno ? `unreachable (${errno})` : `failed: ${text}`),
  NET_READ_TIMEOUT: (errno) => `timed out (${errno ?? 'timeout'})`,
  NET_WRITE_TIMEOUT: (errno) => `write timed out (${errno ?? 'timeout'})`,
  NET_RESET: (errno, text) => (errno ? `connection reset (${errno})` : `failed: ${text}`),
  NET_CLOSED: (errno) => `connection closed (${errno ?? 'eof'})`,
  NET_LOCAL_RESOURCES: (errno) => `local resources exhausted (${errno ?? 'unknown'})`,
  NET_ABORTED: () => 'aborted',
  NET_REPLY_TOO_LARGE: (_e, text) => text,
};

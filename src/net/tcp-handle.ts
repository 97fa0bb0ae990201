/**
 * Connects through libuv's TCP handle directly (Node's internal `tcp_wrap` binding, the layer under
 * net.Socket) and builds a net.Socket only for a connection that opened. Most of a large scan range
 * never answers, and for those addresses the socket object, its two stream states and its destroy
 * path were most of the cost: a handle, a connect request and a timer take about 28 µs of CPU per
 * silent address here against 65 µs through net.connect (same addresses, same run; see
 * docs/benchmarks.md). A connected handle becomes an ordinary net.Socket, as net.Server does for
 * the connections it accepts.
 *
 * `process.binding` is undocumented and deprecated (DEP0111, documentation-only in Node 20). The
 * binding is checked once for the shape used here; when it is missing or different, connectTcp keeps
 * using net.connect, which gives the same results (test/net/tcp-handle.test.ts runs both).
 */
import net from 'node:net';
import { getSystemErrorName } from 'node:util';
import { startDeadline } from './deadline.ts';

interface TcpHandle {
  connect(req: ConnectRequest, address: string, port: number): number;
  connect6(req: ConnectRequest, address: string, port: number): number;
  close(callback?: () => void): void;
}

interface ConnectRequest {
  oncomplete: (status: number) => void;
  address: string;
  port: number;
}

interface TcpWrapBinding {
  TCP: new (type: number) => TcpHandle;
  TCPConnectWrap: new () => ConnectRequest;
  constants: { SOCKET: number };
}

const loadTcpWrap = (): TcpWrapBinding | undefined => {
  try {
    // biome-ignore lint/style/noRestrictedGlobals: the binding under net.Socket, not process state (see above)
    const binding = (process as unknown as { binding?: (name: string) => unknown }).binding?.('tcp_wrap') as
      | Partial<TcpWrapBinding>
      | undefined;
    if (
      typeof binding?.TCP === 'function' &&
      typeof binding.TCPConnectWrap === 'function' &&
      typeof binding.constants?.SOCKET === 'number' &&
      typeof binding.TCP.prototype.connect === 'function' &&
      typeof binding.TCP.prototype.connect6 === 'function'
    ) {
      return binding as TcpWrapBinding;
    }
  } catch {
    // Not available in this runtime: net.connect it is.
  }
  return undefined;
};

const tcpWrap = loadTcpWrap();

/** True when connects go through the TCP handle (the fast path). */
export const handleConnectAvailable = tcpWrap !== undefined;

/** How a handle connect ended: a socket, or an errno name (ECONNREFUSED, EMFILE …) or a timeout. */
export type HandleConnectResult =
  | { kind: 'connected'; socket: net.Socket }
  | { kind: 'failed'; errno: string }
  | { kind: 'timeout' }
  | { kind: 'aborted' };

const TIMED_OUT: HandleConnectResult = { kind: 'timeout' };
const ABORTED: HandleConnectResult = { kind: 'aborted' };

/**
 * Connects to an IP literal (the caller checks) through a TCP handle. Settles once: connected (a net.Socket with
 * no-delay and `onread` set), failed, timed out, or cancelled through the function it returns.
 */
export const connectHandle = (
  host: string,
  port: number,
  timeoutMs: number,
  /** Called once connected: the socket's `onread` (read buffer and callback). */
  onread: (() => net.OnReadOpts) | undefined,
  done: (result: HandleConnectResult) => void,
): (() => void) => {
  const binding = tcpWrap!;
  const handle = new binding.TCP(binding.constants.SOCKET);
  const req = new binding.TCPConnectWrap();
  let settled = false;
  const finish = (result: HandleConnectResult): void => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    if (result.kind !== 'connected') handle.close();
    done(result);
  };
  req.oncomplete = (status: number) => {
    if (settled) return;
    if (status !== 0) {
      finish({ kind: 'failed', errno: getSystemErrorName(status) });
      return;
    }
    // `handle` is an accepted option of net.Socket (net.Server passes accepted handles this way),
    // missing from @types/node.
    const options = { handle, readable: true, writable: true, ...(onread ? { onread: onread() } : {}) };
    const socket = new net.Socket(options as net.SocketConstructorOpts);
    socket.setNoDelay(true);
    finish({ kind: 'connected', socket });
  };
  req.address = host;
  req.port = port;
  // `finish` ignores a deadline that expires after the connect completed (deadline.ts).
  const timer = startDeadline(() => finish(TIMED_OUT), timeoutMs);
  // `host` is an IP literal (connectTcp checked): a colon means IPv6, without net.isIPv6's regex.
  const err = host.includes(':') ? handle.connect6(req, host, port) : handle.connect(req, host, port);
  if (err !== 0) finish({ kind: 'failed', errno: getSystemErrorName(err) });
  return () => finish(ABORTED);
};

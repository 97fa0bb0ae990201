/**
 * The one seam through which probes reach the network. The engine hands a Transport to probes (via
 * their context); tests hand them a FakeTransport (src/net/testing/fake-transport.ts) instead.
 */
import { openTcpSession, type TcpSession, type TcpSessionOptions } from './tcp.ts';
import { openUdpSession, type UdpSession, type UdpSessionOptions } from './udp.ts';

export interface Transport {
  /** Connects; rejects with a NetError (see connectTcp). */
  openTcp(options: TcpSessionOptions): Promise<TcpSession>;
  /** Opens a connected datagram session; rejects with a NetError. */
  openUdp(options: UdpSessionOptions): Promise<UdpSession>;
}

/** Real sockets. */
export const nodeTransport: Transport = {
  openTcp: openTcpSession,
  openUdp: openUdpSession,
};

/** A ProbeContext over real loopback sockets (or a FakeTransport) for indicator and exposure tests. */
import { createRng } from '../../src/core/random.ts';
import type { Transport } from '../../src/net/transport.ts';
import type { ExposureContext } from '../../src/probes/exposure-types.ts';
import { blockOctet } from '../support/lab-block.ts';

/** Addresses in this run's own block (test/support/lab-block.ts), clear of every other test and run. */
export const labAddress = (n: number): string => `127.${blockOctet()}.231.${n}`;

export const contextFor = (
  transport: Transport,
  address: string,
  port: number,
  options: { timeoutMs?: number; udpAttempts?: number } = {},
): ExposureContext => {
  const rng = createRng(port);
  const timeoutMs = options.timeoutMs ?? 300;
  return {
    address,
    port,
    timeoutMs,
    udpAttempts: options.udpAttempts ?? 2,
    openTcp: () => transport.openTcp({ host: address, port, timeoutMs }),
    openUdp: () => transport.openUdp({ host: address, port, acceptFromAnyPort: true }),
    randomU32: () => rng.nextU32(),
    now: () => performance.now(),
  };
};

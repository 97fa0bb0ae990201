/**
 * startLab: puts a LabSpec on the network. Loopback mode listens on the spec's 127.x addresses in
 * this process and, as root, silences the unreachable ones with an nft table; netns mode (netns.ts)
 * runs the same harness inside namespaces it creates.
 */

import { RpcsweepError } from '../core/errors.ts';
import { createRng } from '../core/random.ts';
import { BUILTIN_SPEC_SOURCES } from './builtin-specs.ts';
import { startHostServices } from './host-services.ts';
import { type SilenceRules, silenceAddresses, sweepStaleTables } from './nft.ts';
import { ncacnHttpPortFor } from './ports.ts';
import { PROFILES } from './profiles/index.ts';
import { relocateSpec } from './relocate.ts';
import { type SambaEpm, startSambaEpm } from './samba.ts';
import { LabHarness } from './server.ts';
import type { LabService } from './services/shell4444.ts';
import { type LabSpec, type LabSpecSource, loadLabSpec } from './spec.ts';
import type { RunningLab, StartLabOptions } from './types.ts';

const withFirstOctet = (octet: number) => (address: string) =>
  octet === 127 ? address : `${octet}${address.slice(address.indexOf('.'))}`;

/** A built-in spec name, a spec text (JSON/YAML) or a spec object → LabSpec. */
export const resolveLabSpec = (spec: LabSpec | LabSpecSource | string): LabSpec => {
  if (typeof spec === 'string') {
    const builtin = BUILTIN_SPEC_SOURCES[spec];
    if (builtin) return loadLabSpec(builtin, spec);
    if (/^[a-z0-9-]+$/.test(spec)) {
      throw new RpcsweepError(
        'LAB_SPEC_INVALID',
        `no built-in lab spec "${spec}" (rpcsweep lab list shows them)`,
        {
          details: { path: '(name)' },
        },
      );
    }
    return loadLabSpec(spec);
  }
  if ('targetSpec' in spec && Array.isArray(spec.hosts)) return spec as LabSpec;
  return loadLabSpec(spec);
};

const BATCH = 256;

export const startLoopbackLab = async (spec: LabSpec, options: StartLabOptions = {}): Promise<RunningLab> => {
  const port = options.port ?? 135;
  const map = withFirstOctet(options.firstOctet ?? 127);
  const started = performance.now();
  const httpPort = ncacnHttpPortFor(port);
  const harness = new LabHarness({
    port,
    httpPort,
    log: options.log,
    now: () => performance.now(),
    maxStreamChunks: options.maxStreamChunks,
    maxStreamMs: options.maxStreamMs,
    // A crashed host stops answering on every port: its extra services go down with RPCSS.
    onKill: (address) => void stopServices(address),
  });
  let rules: SilenceRules | undefined;
  const sambas: SambaEpm[] = [];
  const services = new Map<string, LabService[]>();
  const stopServices = async (address: string) => {
    const list = services.get(address) ?? [];
    services.delete(address);
    await Promise.all(list.map((svc) => svc.close()));
  };
  const close = async () => {
    await harness.close();
    await Promise.all([...services.keys()].map(stopServices));
    await rules?.remove();
    await Promise.all(sambas.map((s) => s.close()));
  };
  try {
    options.signal?.throwIfAborted();
    const seedRng = createRng(spec.seed);
    for (let i = 0; i < spec.hosts.length; i += BATCH) {
      await Promise.all(
        spec.hosts.slice(i, i + BATCH).map((h) => {
          const profile = PROFILES.get(h.profile);
          if (!profile) throw new RpcsweepError('LAB_UNKNOWN_PROFILE', `no profile "${h.profile}"`);
          const only = h.services?.includes('ncacn_http_only') ?? false;
          return harness.addHost(map(h.address), profile, h.netbiosName, seedRng.fork(), {
            rpcss: !only,
            ncacnHttp: only || (h.services?.includes('ncacn_http') ?? false),
          });
        }),
      );
      options.signal?.throwIfAborted();
    }
    for (const h of spec.hosts) {
      if (h.services?.length)
        services.set(map(h.address), await startHostServices(map(h.address), h.netbiosName, h.services));
    }
    if (spec.samba.length > 0) {
      if (!options.isRoot || port !== 135) {
        throw new RpcsweepError(
          'LAB_NEEDS_ROOT',
          'Samba entries need root and port 135 (samba-dcerpcd listens on 135)',
        );
      }
      for (const address of spec.samba) sambas.push(await startSambaEpm(map(address)));
    }
    if (options.isRoot && spec.unreachable.length > 0) {
      await sweepStaleTables();
      rules = await silenceAddresses(spec.unreachable.map(map));
    }
  } catch (e) {
    await close();
    throw e;
  }
  const onAbort = () => void close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  options.log?.(
    `lab ${spec.name}: ${spec.hosts.length} hosts on port ${port}, ${spec.refused.length} refused, ` +
      `${rules ? spec.unreachable.length : 0} silenced${rules ? ` (nft table ${rules.table})` : ''} in ` +
      `${Math.round(performance.now() - started)} ms`,
  );
  return {
    name: spec.name,
    mode: 'loopback',
    port,
    httpPort,
    hosts: [
      ...spec.hosts.map((h) => ({
        address: map(h.address),
        profile: h.profile,
        netbiosName: h.netbiosName,
        ...(h.services ? { services: [...h.services] } : {}),
        expected: { ...PROFILES.get(h.profile)!.expected },
      })),
      ...spec.samba.map((address) => ({
        address: map(address),
        profile: 'samba',
        netbiosName: '',
        expected: {
          verdict: 'not-windows-dcom',
          ms03_026: 'not-testable',
          ms03_039: 'not-testable',
          dcomVersion: '0.0',
        } as const,
      })),
    ],
    refused: spec.refused.map(map),
    unreachable: rules ? spec.unreachable.map(map) : [],
    notSilenced: rules ? [] : spec.unreachable.map(map),
    targetSpec: spec.targetSpec.replace(/(^|-)127\./g, `$1${options.firstOctet ?? 127}.`),
    crashes: () => harness.crashes,
    stats: () => ({ ...harness.counters }),
    restart: async (address) => {
      await harness.restart(address);
      const h = spec.hosts.find((x) => map(x.address) === address);
      if (h?.services?.length && !services.has(address)) {
        services.set(address, await startHostServices(address, h.netbiosName, h.services));
      }
    },
    close: async () => {
      options.signal?.removeEventListener('abort', onAbort);
      await close();
    },
  };
};

export const startLab = async (
  spec: LabSpec | LabSpecSource | string,
  options: StartLabOptions = {},
): Promise<RunningLab> => {
  const own = resolveLabSpec(spec);
  const resolved = options.block ? relocateSpec(own, options.block) : own;
  if ((options.mode ?? 'loopback') === 'netns') {
    if (!options.isRoot)
      throw new RpcsweepError('LAB_NEEDS_ROOT', 'netns mode needs root (network namespaces)');
    const { startNetnsLab } = await import('./netns.ts');
    return startNetnsLab(resolved, options);
  }
  if (options.port !== undefined) return startLoopbackLab(resolved, options);
  try {
    return await startLoopbackLab(resolved, options);
  } catch (e) {
    // Unprivileged and no port chosen: serve on UNPRIVILEGED_PORT rather than fail (RunningLab.port says which).
    if (!(e instanceof RpcsweepError && e.code === 'LAB_LISTEN' && e.details.errno === 'EACCES')) throw e;
    options.log?.(`lab: port 135 needs root; serving on port ${UNPRIVILEGED_PORT} instead`);
    return startLoopbackLab(resolved, { ...options, port: UNPRIVILEGED_PORT });
  }
};

/** Where an unprivileged lab serves RPCSS when no port was chosen (ports below 1024 need root). */
export const UNPRIVILEGED_PORT = 1135;

/** Starts a host's extra services (the fakes in ./services) and stops them together. */
import { startFakeClEndpointMapper } from './services/dcerpc-cl.ts';
import { startFakeNbstat } from './services/nbstat.ts';
import { type LabService, startFakeShell } from './services/shell4444.ts';
import { startFakeTftp } from './services/tftp.ts';
import { type HostService, RPCSS_LISTENER_SERVICES } from './spec.ts';

export const startHostServices = async (
  address: string,
  netbiosName: string,
  services: readonly HostService[],
): Promise<LabService[]> => {
  const started: LabService[] = [];
  try {
    for (const svc of services) {
      if (RPCSS_LISTENER_SERVICES.includes(svc)) continue; // the harness listens for these
      if (svc === 'nbstat') started.push(await startFakeNbstat({ address, netbiosName }));
      else if (svc === 'shell4444') started.push(await startFakeShell({ address }));
      else if (svc === 'tftp') started.push(await startFakeTftp({ address }));
      else started.push(await startFakeClEndpointMapper({ address }));
    }
  } catch (e) {
    await Promise.all(started.map((s) => s.close()));
    throw e;
  }
  return started;
};

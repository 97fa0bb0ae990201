/** Writers for `rpcsweep exposure` records: the same formats and sinks as the scan writers. */
import type { ExposureSummary, HostExposure } from '../../core/exposure.ts';

export interface ExposureMeta {
  tool: 'rpcsweep';
  version: string;
  command: string;
  startedAt: string;
  targetsDescription: string;
  totalAddresses: number;
  timeoutMs: number;
  /** `135/tcp`, … in the order checked. */
  ports: string[];
}

export interface ExposureWriter {
  open(meta: ExposureMeta): Promise<void>;
  write(host: HostExposure): Promise<void>;
  close(summary: ExposureSummary): Promise<void>;
}

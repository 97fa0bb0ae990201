/**
 * The infection chain of one victim, built from the other detectors' alerts: an exploit-shaped
 * request to it → a cmd.exe shell on its TCP/4444 → commands typed → it fetches the worm by TFTP →
 * it sweeps TCP/135 itself (→ it asks DNS for the DDoS target). Reported as one incident with its
 * timeline when at least two stages are seen and one of them shows the compromise itself.
 */
import { BoundedMap } from '../../capture/index.ts';
import type { Alert } from '../alert.ts';
import { type AlertSink, type Detector, makeAlert, seconds } from '../detector.ts';

export type Stage = 'exploited' | 'shell' | 'commands' | 'worm-fetched' | 'scanning' | 'ddos-dns';
const ORDER: readonly Stage[] = ['exploited', 'shell', 'commands', 'worm-fetched', 'scanning', 'ddos-dns'];
const COMPROMISE: ReadonlySet<Stage> = new Set(['exploited', 'shell', 'worm-fetched']);
const IDLE = seconds(120);
const MAX_VICTIMS = 16_384;
const MAX_STEPS = 32;

interface Step {
  stage: Stage;
  time: string;
  frame: number;
  alert: Alert['kind'];
  peer?: string;
  detail?: string;
}

interface Victim {
  address: string;
  firstNs: bigint;
  lastNs: bigint;
  steps: Step[];
  stages: Set<Stage>;
  reported: boolean;
}

/** Which victim an alert is about, and as which stage. */
const stageOf = (a: Alert): { victim: string; stage: Stage; peer?: string; detail?: string } | undefined => {
  const e = a.evidence;
  switch (a.kind) {
    case 'exploit-activation':
      return a.dst
        ? { victim: a.dst, stage: 'exploited', peer: a.src, detail: `server part ${e.server_part_length}` }
        : undefined;
    case 'shell-4444':
      return { victim: a.src, stage: 'shell', ...(a.dst ? { peer: a.dst } : {}) };
    case 'shell-command':
      return e.worm_related && a.dst
        ? { victim: a.dst, stage: 'commands', peer: a.src, detail: String(e.command) }
        : undefined;
    case 'tftp-worm':
      return e.operation === 'read'
        ? {
            victim: a.src,
            stage: 'worm-fetched',
            ...(a.dst ? { peer: a.dst } : {}),
            detail: `${e.file} ${e.bytes} bytes mz=${e.mz_header}`,
          }
        : undefined;
    case 'scan-135':
      return e.role === 'attacker'
        ? { victim: a.src, stage: 'scanning', detail: `${e.shape}, ${e.destinations} destinations` }
        : undefined;
    case 'worm-dns':
      return { victim: a.src, stage: 'ddos-dns', detail: String(e.query) };
    default:
      return undefined;
  }
};

export class IncidentDetector implements Detector {
  readonly name = 'infection';
  readonly #victims = new BoundedMap<string, Victim>(MAX_VICTIMS, (old) => this.#report(old));

  constructor(readonly emit: AlertSink) {}

  alert(a: Alert): void {
    const s = stageOf(a);
    if (!s) return;
    const timeNs = BigInt(a.time_ns);
    let v = this.#victims.get(s.victim);
    if (!v) {
      v = {
        address: s.victim,
        firstNs: timeNs,
        lastNs: timeNs,
        steps: [],
        stages: new Set(),
        reported: false,
      };
      this.#victims.set(s.victim, v);
    }
    if (timeNs < v.firstNs) v.firstNs = timeNs;
    if (timeNs > v.lastNs) v.lastNs = timeNs;
    v.stages.add(s.stage);
    if (v.steps.length < MAX_STEPS) {
      const { victim: _, ...rest } = s;
      v.steps.push({ time: a.time, frame: a.frame, alert: a.kind, ...rest });
    }
    if (ORDER.slice(0, 5).every((stage) => stage === 'commands' || v.stages.has(stage))) this.#report(v);
  }

  expire(nowNs: bigint): void {
    for (const [k, v] of this.#victims) {
      if (nowNs - v.lastNs <= IDLE) continue;
      this.#report(v);
      this.#victims.delete(k);
    }
  }

  finish(): void {
    for (const v of this.#victims.values()) this.#report(v);
    this.#victims.clear();
  }

  #report(v: Victim): void {
    if (v.reported || v.stages.size < 2 || ![...v.stages].some((s) => COMPROMISE.has(s))) return;
    v.reported = true;
    const infected = v.stages.has('worm-fetched') || v.stages.has('scanning') || v.stages.has('ddos-dns');
    const verdict = infected ? 'infected' : v.stages.has('shell') ? 'compromised' : 'attacked';
    const steps = [...v.steps].sort((a, b) =>
      a.time < b.time ? -1 : a.time > b.time ? 1 : a.frame - b.frame,
    );
    const attacker = steps.find((s) => s.stage === 'exploited' || s.stage === 'shell')?.peer;
    this.emit(
      makeAlert('infection', {
        severity: 1,
        qualifier: `${v.address} ${verdict}`,
        timeNs: v.firstNs,
        frame: steps[0]?.frame ?? 0,
        proto: 'TCP',
        src: attacker ?? v.address,
        dst: v.address,
        evidence: {
          victim: v.address,
          verdict,
          stages: ORDER.filter((s) => v.stages.has(s)),
          ...(attacker ? { attacker } : {}),
          timeline: steps,
        },
      }),
    );
  }
}

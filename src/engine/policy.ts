/**
 * Pure retry and give-up decisions (style.md: policy lives here and the CLI reports it). Fed probe
 * outcomes and attempt counts; returns what to do next. No timers, no I/O.
 */
import type { ProbeOutcome } from '../probes/types.ts';

export interface RetryPolicy {
  /** Extra connect attempts for a silent address (connect timeout), like nmap's --max-retries. @default 0 */
  retries: number;
  /**
   * Attempts after a local-resource failure (EMFILE, ENFILE, EADDRNOTAVAIL …). These are conditions of
   * this machine, so the step is retried after a back-off instead of producing a verdict.
   * @default 1000 (effectively: until the machine recovers)
   */
  maxLocalAttempts: number;
  /** First back-off after a local-resource failure, doubled each time up to `localBackoffMaxMs`. @default 25 */
  localBackoffBaseMs: number;
  /** @default 2000 */
  localBackoffMaxMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  retries: 0,
  maxLocalAttempts: 1000,
  localBackoffBaseMs: 25,
  localBackoffMaxMs: 2000,
};

export type StepDecision =
  | { action: 'accept' }
  | { action: 'retry'; delayMs: number; why: 'silent' | 'local-resources' }
  | { action: 'give-up'; why: string };

/** A connect that timed out: the only outcome `--retries` re-tries (ICMP unreachable is an answer). */
export const isSilent = (o: ProbeOutcome): boolean =>
  o.classification === 'unreachable' && o.error?.code === 'NET_CONNECT_TIMEOUT';

export const isLocalFailure = (o: ProbeOutcome): boolean => o.classification === 'local-error';

/** Back-off before local attempt number `localAttempt` (1-based): exponential, capped. */
export const localBackoffMs = (localAttempt: number, policy: RetryPolicy): number =>
  Math.min(
    policy.localBackoffMaxMs,
    policy.localBackoffBaseMs * 2 ** Math.max(0, Math.min(20, localAttempt - 1)),
  );

/**
 * What to do after one attempt of a probe step.
 * @param silentAttempts attempts so far that ended silent (including this one)
 * @param localAttempts attempts so far that ended in a local failure (including this one)
 */
export const decideStep = (
  outcome: ProbeOutcome,
  silentAttempts: number,
  localAttempts: number,
  policy: RetryPolicy,
): StepDecision => {
  if (isLocalFailure(outcome)) {
    if (localAttempts >= policy.maxLocalAttempts) {
      return { action: 'give-up', why: `local resources still exhausted after ${localAttempts} attempts` };
    }
    return { action: 'retry', delayMs: localBackoffMs(localAttempts, policy), why: 'local-resources' };
  }
  if (isSilent(outcome) && silentAttempts <= policy.retries) {
    return { action: 'retry', delayMs: 0, why: 'silent' };
  }
  return { action: 'accept' };
};

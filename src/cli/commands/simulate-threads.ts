/**
 * `simulate --runs N`: the seeds after the first run on worker threads, one per core, each a whole
 * model run in a thread of its own (the model is CPU-bound and single-threaded). A thread starts from
 * the CLI entry (main.ts) with `workerData.rpcsweepSimulateSeed` and posts back one ensemble member or
 * the error that stopped it; the results come back in seed order, so the output is the same as a run
 * of the seeds one after another.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { type ErrorCode, RpcsweepError } from '../../core/errors.ts';
import type { EnsembleMember } from '../../sim/ensemble.ts';

/** What a thread posts back. */
export type SeedRunReply = { ok: EnsembleMember } | { error: { message: string; code?: string } };

const oneThread = <Request>(entry: URL, request: Request): Promise<EnsembleMember> =>
  new Promise((resolve, reject) => {
    const worker = new Worker(entry, { workerData: { rpcsweepSimulateSeed: request } });
    worker.once('message', (reply: SeedRunReply) => {
      if ('ok' in reply) resolve(reply.ok);
      else reject(new RpcsweepError((reply.error.code ?? 'INTERNAL') as ErrorCode, reply.error.message));
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      reject(new RpcsweepError('INTERNAL', `a --runs thread exited with ${code}`)),
    );
  });

/** Runs every request on a thread (at most one per core at a time); the members in request order. */
export const seedRunsOnThreads = async <Request>(
  entry: URL,
  requests: readonly Request[],
): Promise<EnsembleMember[]> => {
  const members: EnsembleMember[] = new Array(requests.length);
  let next = 0;
  const lane = async () => {
    while (next < requests.length) {
      const i = next++;
      members[i] = await oneThread(entry, requests[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(requests.length, availableParallelism()) }, lane));
  return members;
};

/**
 * Sharding (zmap-style): shard i of n takes positions i, i+n, i+2n … of the seeded permutation, so
 * n machines given the same targets and seed cover every address exactly once between them.
 * Shards are 0-based inside the library and 1-based on the command line (`--shard 2/4`).
 */
import { RpcsweepError } from '../core/errors.ts';

export interface Shard {
  /** 0-based shard index, 0 <= index < count. */
  readonly index: number;
  readonly count: number;
}

export const WHOLE: Shard = { index: 0, count: 1 };

const MAX_SHARDS = 65_536;

/** Parses the CLI form `i/n` (1-based i). Throws TARGETS_BAD_SHARD. */
export const parseShard = (text: string): Shard => {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  const bad = (why: string) =>
    new RpcsweepError('TARGETS_BAD_SHARD', `--shard "${text}": ${why}`, { details: { value: text } });
  if (!m) throw bad('expected i/n, e.g. 1/4');
  const i = Number(m[1]);
  const n = Number(m[2]);
  if (n < 1 || n > MAX_SHARDS) throw bad(`the shard count must be from 1 to ${MAX_SHARDS}`);
  if (i < 1 || i > n) throw bad(`the shard number must be from 1 to ${n}`);
  return { index: i - 1, count: n };
};

/** Validates a library-form shard. Throws TARGETS_BAD_SHARD. */
export const checkShard = (shard: Shard): Shard => {
  const { index, count } = shard;
  if (!Number.isInteger(count) || count < 1 || count > MAX_SHARDS || !Number.isInteger(index)) {
    throw new RpcsweepError(
      'TARGETS_BAD_SHARD',
      `shard count ${count} must be an integer from 1 to ${MAX_SHARDS}`,
    );
  }
  if (index < 0 || index >= count) {
    throw new RpcsweepError('TARGETS_BAD_SHARD', `shard index ${index} must be from 0 to ${count - 1}`);
  }
  return shard;
};

/** The CLI form, `2/4` for { index: 1, count: 4 }. */
export const formatShard = (shard: Shard): string => `${shard.index + 1}/${shard.count}`;

/** How many of `total` permutation positions belong to the shard. */
export const shardLength = (total: number, shard: Shard): number =>
  total <= shard.index ? 0 : Math.floor((total - shard.index - 1) / shard.count) + 1;

/** The permutation position of the shard's `index`-th element. */
export const shardPosition = (index: number, shard: Shard): number => shard.index + index * shard.count;

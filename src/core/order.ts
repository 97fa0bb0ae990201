/**
 * Stable orders by an unsigned 32-bit key: the simulator's million hosts by address or sweep
 * position, a SQLite batch by IPv4 address, IPv4 spans by their first address. A counting sort on
 * 16 bits twice touches each key three times, where a comparison sort of (key, index) pairs packed
 * into doubles took ~0.3 s per million (a tenth of a simulator benchmark run), and it has no size
 * limit (the packed doubles stopped at 2^21 entries).
 */

/**
 * Indices 0..n−1 ordered by `keys` (integers in [0, 2^32)), equal keys in index order (stable):
 * the order a sort of (key, index) pairs gives.
 */
export const orderByKey = (keys: ArrayLike<number>): Int32Array => {
  const n = keys.length;
  const low = new Int32Array(n);
  const order = new Int32Array(n);
  const count = new Int32Array(65537);
  // Pass 1: by the low 16 bits, from index order.
  for (let i = 0; i < n; i++) count[(keys[i]! & 0xffff) + 1]!++;
  for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
  for (let i = 0; i < n; i++) low[count[keys[i]! & 0xffff]!++] = i;
  // Pass 2: by the high 16 bits, keeping pass 1's order among equals.
  count.fill(0);
  for (let i = 0; i < n; i++) count[Math.floor(keys[i]! / 65536) + 1]!++;
  for (let d = 1; d <= 65536; d++) count[d]! += count[d - 1]!;
  for (let j = 0; j < n; j++) {
    const i = low[j]!;
    order[count[Math.floor(keys[i]! / 65536)]!++] = i;
  }
  return order;
};

/** Map insertion with a size bound: the oldest entry goes first (state kept per connection must not grow without limit). */
export const setBounded = <K, V>(
  map: Map<K, V>,
  key: K,
  value: V,
  max: number,
  onEvict?: (value: V) => void,
): void => {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) {
    const oldest = map.entries().next().value;
    if (oldest) {
      map.delete(oldest[0]);
      onEvict?.(oldest[1]);
    }
  }
};

/** Open calls remembered per connection (call_id → opnum); SMB requests awaiting replies; pipe names. */
export const MAX_TRACKED_CALLS = 4096;
/** Pipes decoded at once on one SMB connection. */
export const MAX_PIPES = 1024;

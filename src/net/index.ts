/** Public surface of the I/O layer. */
export * from './errors.ts';
export * from './limiter.ts';
export * from './pool.ts';
export * from './tcp.ts';
export * from './transport.ts';
export * from './udp.ts';

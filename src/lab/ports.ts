/** The ncacn_http port that goes with an RPCSS port: 593 beside 135, else the same offset (1135 → 1593). */
export const ncacnHttpPortFor = (rpcssPort: number): number => (rpcssPort === 135 ? 593 : rpcssPort + 458);

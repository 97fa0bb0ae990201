/** Public surface of the advice module: a pure function of HostResult plus the data it uses. */
export {
  ADVICE_STATUSES,
  type Advice,
  type AdviceStatus,
  adviseHost,
  countAdvice,
  type Fix,
} from './advise.ts';
export { adviceToLines } from './format.ts';
export { adviceFor } from './memo.ts';
export { guessPlatform, type PlatformGuess } from './platform-guess.ts';
export {
  BULLETINS,
  FILTER_PORTS,
  type FilterRule,
  filterPortList,
  PLATFORM_TABLE,
  type PlatformId,
  type PlatformRow,
  RECOVERY_STEPS,
} from './platforms.data.ts';

/** Public surface of triage: import from here. */
export * from './alert.ts';
export { TriageEngine, type TriageOptions, type TriageStats } from './engine.ts';
export * from './format.ts';

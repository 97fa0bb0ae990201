/**
 * Every `--help` text, precomputed by scripts/build.mjs from the command definitions (it replaces this
 * module's body in the bundle), so `rpcsweep --help` and `rpcsweep CMD --help` print without loading
 * commander or any command. Keyed by the command path: '' for the top level, 'scan', 'lab up'.
 * Undefined when running from the sources: help then comes from commander itself, which is what the
 * precomputed texts were taken from.
 */
export const HELP_TEXTS: Readonly<Record<string, string>> | undefined = undefined;

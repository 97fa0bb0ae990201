// `node --import ./trace-loads.mjs …`: appends the URL of every file module the process loads to the
// file named by RPCSWEEP_TRACE_LOADS (test/cli/bundle.test.ts checks what a command loads).
import { register } from 'node:module';

register(new URL('./trace-loads-hooks.mjs', import.meta.url));

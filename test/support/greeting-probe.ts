/**
 * A probe written the way docs/contributing.md describes, for the tests of the probe extension point:
 * it reads the greeting line a test service sends on connect. It declares no scan option: `--probe
 * test-greeting` (or the switch `{'test-greeting': true}`) turns it on.
 */
import type { Probe } from '../../src/probes/types.ts';

export const GREETING_PROBE = 'test-greeting';

export const greetingProbe = (port: number): Probe => ({
  name: GREETING_PROBE,
  transport: 'tcp',
  defaultPorts: [port],
  description: 'reads the greeting line a test service sends on connect',
  fields: [
    { name: 'greeting', type: 'string', description: 'the first line', formats: ['csv', 'xml', 'text'] },
    { name: 'words', type: 'list', description: 'its words', formats: ['xml', 'text'] },
  ],
  schedule: { kind: 'extra', hosts: 'not-silent', port: 'default', timeoutSteps: 2 },
  async run(ctx) {
    const base = { probe: GREETING_PROBE, transport: 'tcp' as const, port: ctx.port, durationMs: 0 };
    const s = await ctx.openTcp();
    const r = await s.collect({ durationMs: ctx.timeoutMs, maxBytes: 256, until: (b) => b.includes(10) });
    s.reset();
    const greeting = new TextDecoder().decode(r.bytes).trim();
    return {
      ...base,
      classification: 'hresult',
      success: true,
      fields: { greeting, words: greeting.split(' ') },
    };
  },
});

// Import boundaries of rpcsweep (docs/architecture.md). Runs in `npm run lint`, hence in CI.
const layer = (name) => `^src/${name}/`;
const only = (from, allowed, comment) => ({
  name: `${from}-imports-only-${allowed.join('-') || 'nothing'}`,
  comment,
  severity: 'error',
  from: { path: layer(from) },
  to: { path: '^src/', pathNot: [layer(from), ...allowed.map(layer)] },
});
const SOCKETS = '^(node:)?(net|dgram|http|https|http2|tls|dns)$';

module.exports = {
  forbidden: [
    only('core', [], 'core is the foundation: it imports nothing inside src/'),
    only('protocol', ['core'], 'the codec is pure: bytes in, values out'),
    only('capture', ['core', 'protocol'], 'capture reading is pure: bytes in, packets out'),
    only('targets', ['core'], 'target parsing gets a resolver passed in; it never opens sockets'),
    only('net', ['core', 'protocol/dns'], 'the I/O layer knows nothing of DCE/RPC; it speaks DNS through the DNS codec'),
    only('probes', ['core', 'protocol', 'net'], 'probes build and read PDUs; sockets arrive through the context'),
    only('engine', ['core', 'net', 'probes', 'protocol'], 'the engine composes probes and names statuses from the codec status table; targets and reports reach it through the CLI'),
    only('report', ['core', 'advice'], 'writers get result records only'),
    only('store', ['core'], 'stores keep results'),
    only('advice', ['core'], 'advice is a pure function of verdicts'),
    only('ioc', ['core'], 'offline artifact checks'),
    only('sim', ['core'], 'the simulator is packet-free: never the network layer'),
    only('lab', ['core', 'protocol'], 'the lab serves emulated hosts on sockets of its own (see only-net-and-lab-open-sockets)'),
    only('triage', ['core', 'protocol', 'capture'], 'triage turns frames into alerts; the CLI feeds it files or tcpdump'),
    {
      name: 'probes-use-net-types-only',
      comment: 'a probe cannot open sockets: it may import types from net, nothing else',
      severity: 'error',
      from: { path: layer('probes') },
      to: { path: layer('net'), dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'only-net-and-lab-open-sockets',
      comment: 'only src/net (and the lab, which is the emulated network) may open sockets',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/net/', '^src/lab/', '^src/cli/'] },
      to: { dependencyTypes: ['core'], path: SOCKETS },
    },
    {
      name: 'pure-codec-and-sim-no-io',
      comment: 'protocol/, capture/, sim/ and triage/ do no I/O and keep no timers',
      severity: 'error',
      from: { path: '^src/(protocol|capture|sim|triage)/' },
      to: { dependencyTypes: ['core'], path: '^(node:)?(fs|fs/promises|timers|timers/promises|child_process|worker_threads|net|dgram)$' },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};

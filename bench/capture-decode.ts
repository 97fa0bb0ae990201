/**
 * Capture decoding benchmark: PDUs per fixture capture, mismatches against tshark (when installed),
 * and decode speed (PDUs/s) on the biggest fixture and on a synthetic 80 002-PDU capture.
 * Run: npx tsx bench/capture-decode.ts [/tmp/synthetic.pcap]   (prints the rows for docs/benchmarks.md;
 * with a path, also writes the synthetic capture there for `rpcsweep inspect` runs)
 */
import { existsSync, readFileSync } from 'node:fs';
import { CaptureDecoder, decodeCapture } from '../src/capture/index.ts';
import {
  encodeBind,
  encodeBindAck,
  encodeRequest,
  encodeResponseFragments,
  NDR32_SYNTAX,
} from '../src/protocol/dcerpc/index.ts';
import {
  EPM_SYNTAX,
  encodeEptLookupRequest,
  encodeEptLookupResponse,
} from '../src/protocol/dcerpc/interfaces/epm.ts';
import { concat, conversationPcap, type Message } from '../test/capture/conversation.ts';
import {
  BODY_FIELDS,
  compareFields,
  EPM_FIELDS,
  HEADER_FIELDS,
  ourFields,
  tsharkFields,
} from '../test/capture/tshark-oracle.ts';
import { FIXTURE_CAPTURES, PCAPS } from '../test/support/system.ts';

const FIXTURES = FIXTURE_CAPTURES;

/** Streams the records as `inspect` does (nothing retained), so memory stays that of one connection. */
const timeIt = (bytes: Uint8Array, runs: number): { pdus: number; medianMs: number } => {
  const times: number[] = [];
  let pdus = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    pdus = 0;
    for (const item of new CaptureDecoder(bytes).items()) if (item.kind === 'pdu') pdus++;
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return { pdus, medianMs: times[Math.floor(times.length / 2)]! };
};

const hasTshark = existsSync('/usr/bin/tshark');
console.log(
  '| Capture | Frames | DCE/RPC PDUs (TCP) | Bodies decoded | Malformed | Values compared | Mismatches vs tshark |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const name of FIXTURES) {
  const file = `${PCAPS}${name}`;
  const r = decodeCapture(new Uint8Array(readFileSync(file)));
  let compared = '-';
  let mismatches = '-';
  if (hasTshark) {
    const fields = [...HEADER_FIELDS, ...BODY_FIELDS, ...EPM_FIELDS];
    const c = compareFields(tsharkFields(file, fields), ourFields(r.pdus, fields), {
      header: HEADER_FIELDS,
      body: [...BODY_FIELDS, ...EPM_FIELDS],
    });
    compared = String(c.comparedValues);
    mismatches = String(c.mismatches.length);
  }
  const bodies = r.pdus.filter((p) => p.body).length;
  console.log(
    `| \`${name}\` | ${r.summary.frames} | ${r.pdus.length} | ${bodies} | ${r.summary.malformedPdus} | ${compared} | ${mismatches} |`,
  );
}

const biggest = new Uint8Array(readFileSync(`${PCAPS}discovery_scan_dcerpc_endpoint_mapper.pcapng`));
timeIt(biggest, 20); // warm-up
const fixture = timeIt(biggest, 50);
console.log(
  `\nbiggest fixture: ${fixture.pdus} PDUs in ${fixture.medianMs.toFixed(2)} ms median of 50 runs = ${Math.round((fixture.pdus / fixture.medianMs) * 1000)} PDUs/s`,
);

// Synthetic: one connection, bind + 20 000 ept_lookup calls answered with 20 entries in 2 fragments each.
const stub = encodeEptLookupResponse({
  entryHandle: { attributes: 0, uuid: '00000000-0000-0000-0000-000000000000' },
  entries: Array.from({ length: 20 }, (_, i) => ({
    annotation: `svc${i}`,
    tower: {
      interface: { uuid: '367abb81-9844-35f1-ad32-98f038001003', major: 2, minor: 0 },
      protocol: 'ncacn_ip_tcp' as const,
      port: 49664 + i,
      address: '192.0.2.20',
    },
  })),
  status: 0,
});
const messages: Message[] = [
  {
    from: 'client',
    bytes: encodeBind({
      callId: 1,
      contexts: [{ contextId: 0, abstractSyntax: EPM_SYNTAX, transferSyntaxes: [NDR32_SYNTAX] }],
    }),
  },
  {
    from: 'server',
    bytes: encodeBindAck({
      callId: 1,
      secondaryAddress: '135',
      results: [{ result: 0, reason: 0, transferSyntax: NDR32_SYNTAX }],
    }),
  },
];
const lookups = 20_000;
for (let i = 0; i < lookups; i++) {
  messages.push({
    from: 'client',
    bytes: encodeRequest({ callId: 2 + i, opnum: 2, stub: encodeEptLookupRequest({ maxEnts: 20 }) }),
  });
  messages.push({
    from: 'server',
    bytes: concat(...encodeResponseFragments({ callId: 2 + i, stub, maxXmitFrag: 1024 })),
  });
}
const synthetic = conversationPcap(messages, { segmentBytes: 1460 });
if (process.argv[2]) {
  const { writeFileSync } = await import('node:fs');
  writeFileSync(process.argv[2], synthetic);
}
timeIt(synthetic, 1);
const rssBefore = process.memoryUsage().rss;
const big = timeIt(synthetic, 5);
const rssAfter = process.memoryUsage().rss;
console.log(
  `synthetic: ${(synthetic.length / 1e6).toFixed(1)} MB, ${big.pdus} PDUs (${lookups} EPM lookups, 20 entries each, 1460-byte segments) in ${big.medianMs.toFixed(0)} ms median of 5 = ${Math.round((big.pdus / big.medianMs) * 1000)} PDUs/s; rss ${Math.round(rssBefore / 1e6)} -> ${Math.round(rssAfter / 1e6)} MB`,
);

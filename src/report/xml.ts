/**
 * XML in nmap's `-oX` schema (/usr/share/nmap/nmap.dtd, xmloutputversion 1.05) so nmap importers
 * and `xsltproc nmap.xsl` read it: nmaprun/scaninfo/host/status/address/hostnames/ports/port/state/
 * service/script(elem, table)/runstats. As masscan does, `scanner` names the real tool (rpcsweep).
 * Port 135 is open for every host that answered, closed for refused; unreachable hosts are only
 * counted in runstats (nmap omits down hosts too); local errors are hosts in state "unknown".
 * With advice on (the default) the script element ends with `<elem key="advice">` (status and fixes).
 * The probes' declared xml fields follow dcom_version (scalars, as elems) or end the script (lists, as
 * tables: the indicators' own shape, else one elem per item).
 */

import { adviceFor } from '../advice/index.ts';
import {
  fieldLabel,
  type HostResult,
  type IndicatorFinding,
  type ResultField,
  type RunMeta,
  type RunSummary,
} from '../core/result.ts';
import { adviceOneLine } from './advice.ts';
import { bulletinCves, vulnerableCveIds } from './cves.ts';
import { xmlEscape as x } from './escape.ts';
import { fieldCell, fieldItems, itemText, shownFields } from './fields.ts';
import type { ReportOptions, ReportSink, ReportWriter } from './types.ts';
import { stateCount } from './writer-state.ts';

export const XML_SCRIPT_ID = 'rpcsweep-ms03-026';

const epoch = (iso: string): number => {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? Math.floor(t / 1000) : 0;
};

const elem = (key: string, value: string | undefined): string =>
  value === undefined ? '' : `<elem key="${x(key)}">${x(value)}</elem>`;

const scriptOutput = (r: HostResult): string =>
  `${r.verdict}: ${r.reason} (MS03-026 ${r.ms03_026}, MS03-039 ${r.ms03_039}, DCOM ${r.dcomVersion})`;

/** The nmap vulns library's shape: a table per bulletin with title, state and `CVE:` ids. */
const VULN_STATE = {
  vulnerable: 'VULNERABLE',
  patched: 'NOT VULNERABLE',
  'not-testable': 'UNKNOWN',
  unknown: 'UNKNOWN',
};

const vulnTables = (r: HostResult): string =>
  bulletinCves(r)
    .map(
      (b) =>
        `<table key="${x(b.bulletin)}">${elem('title', b.title)}${elem('state', VULN_STATE[b.state])}` +
        `<table key="ids">${b.cves.map((id) => `<elem>CVE:${x(id)}</elem>`).join('')}<elem>MSB:${x(b.bulletin)}</elem></table></table>`,
    )
    .join('');

/** A declared list field as a table: the indicators' established shape, or one elem per item. */
const fieldTable = (r: HostResult, f: ResultField): string => {
  const list = fieldItems(r, f);
  if (list.length === 0) return '';
  const rows =
    f.column === 'indicators'
      ? (list as IndicatorFinding[]).map(
          (i) =>
            `<table>${elem('indicator', i.indicator)}${elem('severity', i.severity)}${elem('evidence', i.evidence)}</table>`,
        )
      : list.map((v) => `<elem>${x(itemText(v))}</elem>`);
  return `<table key="${x(fieldLabel(f))}">${rows.join('')}</table>`;
};

/** Scalar declared fields are elems after dcom_version; lists are tables at the end (nmap's layout). */
const script = (r: HostResult, advice: boolean, fields: readonly ResultField[]): string => {
  const scalars = fields.filter((f) => f.type !== 'list');
  const lists = fields.filter((f) => f.type === 'list');
  return (
    `<script id="${XML_SCRIPT_ID}" output="${x(scriptOutput(r))}">` +
    elem('verdict', r.verdict) +
    elem('reason', r.reason) +
    elem('ms03_026', r.ms03_026) +
    elem('ms03_039', r.ms03_039) +
    elem('remact', r.remact) +
    elem('sysact', r.sysact) +
    elem('dcom_version', r.dcomVersion) +
    scalars.map((f) => elem(fieldLabel(f), fieldCell(r, f))).join('') +
    elem('error_code', r.error?.code) +
    elem('cves', vulnerableCveIds(r).join(';')) +
    vulnTables(r) +
    (advice ? elem('advice', adviceOneLine(adviceFor(r))) : '') +
    lists.map((f) => fieldTable(r, f)).join('') +
    '</script>'
  );
};

const hostXml = (
  r: HostResult,
  advice: boolean,
  fields: readonly ResultField[],
  port: number,
): string | undefined => {
  if (r.verdict === 'unreachable') return undefined;
  const start = epoch(r.startedAt);
  const end = start + Math.ceil(r.durationMs / 1000);
  const addrtype = r.address.includes(':') ? 'ipv6' : 'ipv4';
  const head =
    `<host starttime="${start}" endtime="${end}">` +
    (r.verdict === 'error'
      ? '<status state="unknown" reason="local-error" reason_ttl="0"/>'
      : `<status state="up" reason="${r.verdict === 'refused' ? 'conn-refused' : 'syn-ack'}" reason_ttl="0"/>`) +
    `<address addr="${x(r.address)}" addrtype="${addrtype}"/>` +
    (r.hostname ? `<hostnames><hostname name="${x(r.hostname)}" type="user"/></hostnames>` : '<hostnames/>');
  if (r.verdict === 'error') return `${head}<hostscript>${script(r, advice, fields)}</hostscript></host>\n`;
  const state =
    r.verdict === 'refused'
      ? '<state state="closed" reason="conn-refused" reason_ttl="0"/>'
      : '<state state="open" reason="syn-ack" reason_ttl="0"/>';
  return (
    `${head}<ports><port protocol="tcp" portid="${port}">${state}` +
    '<service name="msrpc" method="probed" conf="10"/>' +
    `${script(r, advice, fields)}</port></ports></host>\n`
  );
};

/**
 * Seed, shard, port and timeout, which nmap's schema has no attributes for: a prescript, as NSE would.
 * (The start time is nmaprun's start/startstr; the elapsed time runstats' elapsed.)
 */
const runScript = (m: RunMeta): string =>
  `<prescript><script id="rpcsweep-run" output="${x(`seed ${m.seed}, shard ${m.shard.index}/${m.shard.count}, port ${m.port}, timeout ${m.timeoutMs} ms`)}">` +
  `${elem('seed', String(m.seed))}${elem('shard', `${m.shard.index}/${m.shard.count}`)}${elem('port', String(m.port))}` +
  `${elem('timeout_ms', String(m.timeoutMs))}${discoveryElems(m)}</script></prescript>\n`;

/** --discovery syn: the SYN engine, its version and command line (absent for connect discovery). */
const discoveryElems = (m: RunMeta): string =>
  m.discovery
    ? `${elem('discovery', m.discovery.method)}${elem('discovery_engine', m.discovery.engine)}` +
      `${elem('discovery_engine_version', m.discovery.version)}${elem('discovery_command', m.discovery.commandLine)}`
    : '';

export const createXmlWriter = (sink: ReportSink, options: ReportOptions = {}): ReportWriter => {
  const advice = options.advice !== false;
  const fields = shownFields(options.fields, 'xml');
  // Only the run's start time is needed after open (runstats falls back to it).
  const from = options.continueFrom;
  let startEpoch = from ? stateCount(from, 'start', 'xml') : 0;
  // The host elements' portid (states saved before it was kept had 135).
  let port = from && from.port !== undefined ? stateCount(from, 'port', 'xml') : 135;
  return {
    open: (m: RunMeta) => {
      startEpoch = epoch(m.startedAt);
      port = m.port;
      return sink.write(
        '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE nmaprun>\n' +
          `<nmaprun scanner="rpcsweep" args="${x(m.command)}" start="${epoch(m.startedAt)}" startstr="${x(m.startedAt)}" version="${x(m.version)}" xmloutputversion="1.05">\n` +
          `<scaninfo type="${m.discovery ? 'syn' : 'connect'}" protocol="tcp" numservices="1" services="${m.port}"/>\n` +
          '<verbose level="0"/>\n<debugging level="0"/>\n' +
          runScript(m),
      );
    },
    write: (r: HostResult) => {
      const h = hostXml(r, advice, fields, port);
      return h ? sink.write(h) : Promise.resolve();
    },
    close: (s: RunSummary) => {
      const finished = epoch(s.finishedAt) || startEpoch;
      const down = s.counts.unreachable;
      const up = s.totalAddresses - down - s.counts.error;
      return sink.write(
        `<runstats><finished time="${finished}" timestr="${x(s.finishedAt)}" elapsed="${(s.elapsedMs / 1000).toFixed(2)}" ` +
          `summary="rpcsweep done at ${x(s.finishedAt)}; ${s.totalAddresses} IP addresses (${up} hosts up) scanned in ${(s.elapsedMs / 1000).toFixed(2)} seconds" exit="success"/>` +
          `<hosts up="${up}" down="${down}" total="${s.totalAddresses}"/></runstats>\n</nmaprun>\n`,
      );
    },
    // Host elements stand alone; runstats takes its numbers from the summary.
    saveState: () => ({ start: startEpoch, port }),
  };
};

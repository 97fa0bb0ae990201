/**
 * The target options every target-taking command shares (scan, exposure, epm): arguments, `-iL FILE`,
 * `--domain`, `--exclude`, `--exclude-file` and the default blocklist, resolved to one target set.
 */
import { systemResolver } from '../net/dns.ts';
import {
  buildTargetSet,
  parseDomainOption,
  parseTargetArgs,
  parseTargetText,
  type TargetSet,
  type TargetSpec,
} from '../targets/index.ts';
import type { CliIo } from './io.ts';
import { readTextFile, splitInputList, usage } from './options.ts';

export interface TargetOptions {
  args: string[];
  inputList?: string;
  domain?: string[];
  exclude: string[];
  excludeFile?: string;
  /** false with --no-blocklist. @default true */
  blocklist?: boolean;
  /** -q: no expansion notes on stderr. */
  quiet?: boolean;
  /** `--lab`: the lab's own target expression instead of arguments. */
  labSpec?: string;
}

export const resolveTargets = async (o: TargetOptions, io: CliIo): Promise<TargetSet> => {
  const { file: listFile, args } = splitInputList(o.inputList, o.args);
  const specs: TargetSpec[] =
    o.labSpec === undefined ? parseTargetArgs(args) : parseTargetArgs([o.labSpec], '--lab');
  if (listFile) specs.push(...parseTargetText(readTextFile(listFile, 'target list'), listFile));
  for (const d of o.domain ?? []) specs.push(parseDomainOption(d));
  if (specs.length === 0)
    usage('no targets: give addresses, ranges, names, -iL FILE, --domain NAME or --lab NAME');
  const excludes: TargetSpec[] = [];
  for (const e of o.exclude) excludes.push(...parseTargetArgs(e.split(',').filter(Boolean), '--exclude'));
  if (o.excludeFile)
    excludes.push(...parseTargetText(readTextFile(o.excludeFile, 'exclude file'), o.excludeFile));
  const needsDns = specs.concat(excludes).some((s) => s.kind === 'host' || s.kind === 'domain');
  const targets = await buildTargetSet({
    targets: specs,
    excludes,
    resolver: needsDns ? systemResolver() : undefined,
    defaultBlocklist: o.blocklist !== false,
  });
  if (!o.quiet) for (const x of targets.expansions) io.stderr.write(`rpcsweep: ${x.summary}\n`);
  return targets;
};

/** Public surface of the offline IOC checks. */
export {
  type ArtifactError,
  checkFile,
  checkPrefetch,
  checkProcess,
  checkRunValue,
  checkService,
  type IocFinding,
  type IocKind,
  toIndicatorFinding,
} from './checks.ts';
export { iocReportNdjson, iocReportText } from './format.ts';
export { openHive, RegfHive, valueText, walkHive } from './hive/regf.ts';
export { parseRegExport } from './reg-export.ts';
export { type IocReport, type IocScanOptions, scanArtifacts, worstSeverity } from './scan.ts';
export { parseTasklistCsv } from './tasklist.ts';
export { VARIANTS } from './variants.data.ts';

/** Built-in lab specifications (as spec objects, validated by loadLabSpec like any file). */
import { PROFILE_LIST } from './profiles/index.ts';

/**
 * The HotFix Report's KB823980scan sample (seeds/SUMMARY.md), moved from 192.168.0.1-100 to
 * 127.0.10.1-100: nine hosts patched with KB823980, one unpatched, five refusing, 85 unreachable.
 * The report does not say which Windows each host ran; the profiles below are a plausible office mix.
 */
const HOTFIX_SAMPLE = {
  name: 'hotfix-sample',
  description: "The HotFix Report's KB823980scan sample run (2003-08-21) on 127.0.10.1-100",
  seed: 823980,
  range: '127.0.10.1-100',
  rest: 'unreachable',
  hosts: [
    { address: '127.0.10.51', profile: 'win2000-sp4-kb823980' },
    { address: '127.0.10.53', profile: 'win2000-sp3-kb823980' },
    { address: '127.0.10.54', profile: 'winxp-sp1-kb823980' },
    { address: '127.0.10.55', profile: 'win2000-sp4-kb823980' },
    { address: '127.0.10.56', profile: 'win2000-sp4' },
    { address: '127.0.10.57', profile: 'winxp-sp0-kb823980' },
    { address: '127.0.10.69', profile: 'win2003-kb823980' },
    { address: '127.0.10.70', profile: 'win2000-sp4-kb823980' },
    { address: '127.0.10.71', profile: 'winxp-sp1-kb823980' },
    { address: '127.0.10.100', profile: 'win2003-kb823980' },
  ],
  refused: ['127.0.10.11', '127.0.10.21', '127.0.10.68', '127.0.10.91', '127.0.10.92'],
};

/** The /16 benchmark mix: about 1 % hosts of every non-hostile profile, 9 % refused, the rest dropped. */
const MIX_16 = {
  name: 'mix-16',
  description: 'A /16 for benchmarks: ~1 % emulated hosts of every profile, ~9 % refused, the rest silent',
  seed: 16,
  range: '127.20.0.0/16',
  generate: { windows: 0.01, refused: 0.09 },
};

/** One host of every profile (hostile ones included), consecutive from 127.0.30.1. */
const ALL_PROFILES = {
  name: 'all-profiles',
  description: 'One host per profile on 127.0.30.1 onwards, for tests and training',
  seed: 30,
  hosts: PROFILE_LIST.map((p, i) => ({ address: `127.0.30.${i + 1}`, profile: p.name })),
};

/** Every Windows release and patch state, no hostile peers. */
const WINDOWS = {
  name: 'windows',
  description: 'One host per Windows and non-Windows profile on 127.0.31.1 onwards',
  seed: 31,
  hosts: PROFILE_LIST.filter((p) => p.family !== 'hostile').map((p, i) => ({
    address: `127.0.31.${i + 1}`,
    profile: p.name,
  })),
};

/** The hostile and broken peers only. */
const HOSTILE = {
  name: 'hostile',
  description: 'Hostile and broken peers on 127.0.32.1 onwards, for robustness tests',
  seed: 32,
  hosts: PROFILE_LIST.filter((p) => p.family === 'hostile').map((p, i) => ({
    address: `127.0.32.${i + 1}`,
    profile: p.name,
  })),
};

/** The smallest useful lab: one unpatched, one KB823980, one KB824146, one refused, one silent. */
const TINY = {
  name: 'tiny',
  description: 'Five addresses: unpatched, KB823980, KB824146, refused, unreachable (127.0.33.1-5)',
  seed: 33,
  hosts: [
    { address: '127.0.33.1', profile: 'win2000-sp4' },
    { address: '127.0.33.2', profile: 'win2000-sp4-kb823980' },
    { address: '127.0.33.3', profile: 'winxp-sp1-kb824146' },
  ],
  refused: ['127.0.33.4'],
  unreachable: ['127.0.33.5'],
};

/**
 * A small office during Blaster (August 2003): two infected hosts (fake shell on 4444, fake TFTP on
 * UDP 69), NetBIOS names on every Windows host, one fragile NT4. The services need root (UDP 69/137).
 */
const BLASTER_OFFICE = {
  name: 'blaster-office',
  description: 'Two Blaster-infected hosts among 12 (fake shell 4444 + TFTP 69, NBSTAT names; root)',
  seed: 34,
  range: '127.0.34.1-20',
  rest: 'unreachable',
  hosts: [
    { address: '127.0.34.1', profile: 'win2003-kb824146', netbiosName: 'FILESRV', services: ['nbstat'] },
    { address: '127.0.34.2', profile: 'win2000-sp4-kb823980', netbiosName: 'MAILSRV', services: ['nbstat'] },
    { address: '127.0.34.3', profile: 'nt4-sp6a-fragile', netbiosName: 'LEGACYNT', services: ['nbstat'] },
    {
      address: '127.0.34.4',
      profile: 'winxp-sp1',
      netbiosName: 'SALES-04',
      services: ['infected', 'nbstat'],
    },
    {
      address: '127.0.34.5',
      profile: 'win2000-sp2',
      netbiosName: 'ACCT-05',
      services: ['infected', 'nbstat'],
    },
    { address: '127.0.34.6', profile: 'winxp-sp1-kb823980', netbiosName: 'SALES-06', services: ['nbstat'] },
    { address: '127.0.34.7', profile: 'winxp-sp2', netbiosName: 'LAPTOP-07', services: ['nbstat'] },
    { address: '127.0.34.8', profile: 'win2000-sp4-kb824146', netbiosName: 'ACCT-08', services: ['nbstat'] },
    { address: '127.0.34.9', profile: 'win9x', netbiosName: 'RECEPTION', services: ['nbstat'] },
    { address: '127.0.34.10', profile: 'dce-epm' },
  ],
  refused: ['127.0.34.11', '127.0.34.12'],
};

export const BUILTIN_SPEC_SOURCES: Record<string, object> = {
  'blaster-office': BLASTER_OFFICE,
  'hotfix-sample': HOTFIX_SAMPLE,
  'mix-16': MIX_16,
  'all-profiles': ALL_PROFILES,
  windows: WINDOWS,
  hostile: HOSTILE,
  tiny: TINY,
};

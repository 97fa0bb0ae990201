/**
 * Lab specs for the scanner's tests, each test file on its own 127.B.N.0/24 (B: the run's block,
 * test/support/lab-block.ts) so files and runs in parallel never compete for the same address:135.
 */
import { PROFILE_LIST } from '../../src/lab/index.ts';
import { blockOctet } from '../support/lab-block.ts';

/** Like the built-in `tiny`: unpatched, KB823980, KB824146 at .1–.3, refused .4, silent .5. */
export const tinySpec = (third: number) => ({
  name: `scan-test-tiny-${third}`,
  description: 'scanner test: unpatched, KB823980, KB824146, refused, silent',
  seed: third,
  hosts: [
    { address: `127.${blockOctet()}.${third}.1`, profile: 'win2000-sp4' },
    { address: `127.${blockOctet()}.${third}.2`, profile: 'win2000-sp4-kb823980' },
    { address: `127.${blockOctet()}.${third}.3`, profile: 'winxp-sp1-kb824146' },
  ],
  refused: [`127.${blockOctet()}.${third}.4`],
  unreachable: [`127.${blockOctet()}.${third}.5`],
});

/** One host of every profile (hostile ones included) from 127.B.N.1. */
export const allProfilesSpec = (third: number) => ({
  name: `scan-test-all-${third}`,
  description: 'scanner test: one host per profile',
  seed: third,
  hosts: PROFILE_LIST.map((p, i) => ({ address: `127.${blockOctet()}.${third}.${i + 1}`, profile: p.name })),
});

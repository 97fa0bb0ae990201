/** The fuzzer's seed corpus: hivex-made hives covering every structure the reader decodes. */

import { openHive } from '../../src/ioc/hive/regf.ts';
import { emptyHive, makeHive, RUN_KEY, sambaCopy, withBigData, withRiList } from './hivex.ts';

export const seedHives = (): Uint8Array[] => {
  const run = makeHive({
    [RUN_KEY]: {
      'windows auto update': 'msblast.exe',
      'Windows Automation': 'mslaugh.exe',
      n: { dword: 7 },
      m: { multi: ['a', 'b'] },
      b: { hex: 3, bytes: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]) },
    },
    'ControlSet001\\Services\\RpcPatch': { DisplayName: 'WINS Client' },
  });
  const keys: Record<string, Record<string, string>> = {};
  for (let i = 0; i < 300; i++) keys[`Many\\K${i}`] = { v: `x${i}` };
  // hivex leaves much free space behind when a list grows; Samba's copy is compact and uses lf lists.
  const many = sambaCopy(makeHive(keys));
  const m = openHive(many);
  if (!m.ok) throw new Error(m.error.message);
  const riMany = withRiList(many, m.value.findKey('Many')!.offset);
  const bigData = new Uint8Array(20_000).map((_, i) => i & 0xff);
  const big0 = makeHive({ Big: { blob: { hex: 3, bytes: bigData } } });
  const h = openHive(big0);
  if (!h.ok) throw new Error(h.error.message);
  const vk = h.value.values(h.value.findKey('Big')!)[0]!;
  return [emptyHive(), run, many, riMany, withBigData(big0, vk.offset, bigData)];
};

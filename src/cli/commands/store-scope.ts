/**
 * A stored scan's scope (its address ranges as CIDR/range texts) ⇄ an address set, for the store
 * commands: "was this address in the scan's scope?" is answered from the ranges, so unreachable
 * addresses need no row. Lives in the CLI because the store layer may not import the target parser.
 */
import { ipv6ToBigint, parseIpv4 } from '../../targets/address.ts';
import { AddressSet, buildTargetSet, describeRange, parseTargetArgs } from '../../targets/index.ts';

export const scopeTexts = (set: AddressSet): string[] => [...set.ranges()].map(describeRange);

export const scopeSet = async (texts: readonly string[]): Promise<AddressSet> =>
  texts.length === 0
    ? AddressSet.EMPTY
    : (await buildTargetSet({ targets: parseTargetArgs([...texts], 'scope'), defaultBlocklist: false })).set;

export const inSet =
  (set: AddressSet) =>
  (address: string): boolean => {
    const v4 = parseIpv4(address);
    if (v4 !== undefined) return set.has(4, v4);
    const v6 = ipv6ToBigint(address);
    return v6 !== undefined && set.has(6, v6);
  };

/** The smallest range list covering exactly these addresses (an imported file's scope). */
export const setOfAddresses = (addresses: Iterable<string>): AddressSet => {
  const v4: Array<[number, number]> = [];
  const v6: Array<[bigint, bigint]> = [];
  for (const a of addresses) {
    const n = parseIpv4(a);
    if (n !== undefined) v4.push([n, n]);
    else {
      const b = ipv6ToBigint(a);
      if (b !== undefined) v6.push([b, b]);
    }
  }
  return AddressSet.fromSpans(v4, v6);
};

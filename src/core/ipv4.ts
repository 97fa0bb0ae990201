/**
 * IPv4 dotted-quad text ⇄ uint32, the one parser and formatter every layer uses. A character loop,
 * not a regular expression: the SQLite writer parses every stored result's address for its sort key.
 */

/** `10.0.0.1` → `0x0a000001`; undefined unless the text is exactly four decimal octets (0-255, no leading zero). */
export const parseIpv4 = (text: string): number | undefined => {
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || dots === 3) return undefined;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (c >= 48 && c <= 57 && digits < 3 && !(digits === 1 && octet === 0)) {
      // A leading zero is refused, as the target parser does: inet_aton reads `010` as octal 8.
      octet = octet * 10 + (c - 48);
      if (octet > 255) return undefined;
      digits++;
    } else {
      return undefined;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : undefined;
};

let highText: string[] | undefined;
let lowText: string[] | undefined;

/** The texts of every 16-bit half, built on first use: formatting is then two lookups and a join. */
const buildTables = (): void => {
  highText = new Array(65_536);
  lowText = new Array(65_536);
  for (let i = 0; i < 65_536; i++) {
    highText[i] = `${i >>> 8}.${i & 255}.`;
    lowText[i] = `${i >>> 8}.${i & 255}`;
  }
};

/** `0x0a000001` → `10.0.0.1`. */
export const formatIpv4 = (n: number): string => {
  if (highText === undefined) buildTables();
  return highText![n >>> 16]! + lowText![n & 0xffff]!;
};

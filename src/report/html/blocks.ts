/**
 * Address blocks for the heat map: per IPv4 /24 (and /16 alongside, for scans that span more /24s
 * than a chart can show), per IPv6 /64. Counts every scanned address and the vulnerable ones.
 */

export interface BlockCount {
  block: string;
  scanned: number;
  vulnerable: number;
}

/** More /24s than this and the heat map shows /16s instead. */
export const MAX_BLOCKS_24 = 1024;
/** Cells a heat map draws at most; beyond it the most vulnerable blocks are kept. */
export const MAX_CELLS = 1024;

const bump = (m: Map<string, BlockCount>, block: string, vulnerable: boolean): void => {
  let c = m.get(block);
  if (!c) {
    c = { block, scanned: 0, vulnerable: 0 };
    m.set(block, c);
  }
  c.scanned++;
  if (vulnerable) c.vulnerable++;
};

const IPV4 = /^(\d+)\.(\d+)\.(\d+)\.\d+$/;

export class BlockTally {
  readonly #by24 = new Map<string, BlockCount>();
  readonly #by16 = new Map<string, BlockCount>();

  add(address: string, vulnerable: boolean): void {
    const m = IPV4.exec(address);
    if (m) {
      // Past the /24 limit only /16s are kept: memory stays bounded on a /8.
      if (this.#by24.size <= MAX_BLOCKS_24) bump(this.#by24, `${m[1]}.${m[2]}.${m[3]}.0/24`, vulnerable);
      bump(this.#by16, `${m[1]}.${m[2]}.0.0/16`, vulnerable);
    } else {
      const groups = address.split(':').slice(0, 4).join(':');
      bump(this.#by24, `${groups}::/64`, vulnerable);
    }
  }

  /** The blocks to draw, in address order, and the prefix length they use. */
  cells(): { prefix: string; blocks: BlockCount[] } {
    const use24 = this.#by24.size <= MAX_BLOCKS_24;
    let blocks = [...(use24 ? this.#by24 : this.#by16).values()];
    if (blocks.length > MAX_CELLS) {
      blocks = blocks.sort((a, b) => b.vulnerable - a.vulnerable).slice(0, MAX_CELLS);
    }
    blocks.sort((a, b) => blockKey(a.block) - blockKey(b.block) || a.block.localeCompare(b.block));
    return { prefix: use24 ? '/24' : '/16', blocks };
  }
}

const blockKey = (block: string): number => {
  const m = /^(\d+)\.(\d+)\.(\d+)\.0\//.exec(block);
  return m ? Number(m[1]) * 65536 + Number(m[2]) * 256 + Number(m[3]) : Number.MAX_SAFE_INTEGER;
};

/**
 * YAML lab specs through the `yaml` library (YAML 1.2, core schema): duplicate keys are errors
 * (uniqueKeys), and a LineCounter maps both syntax errors and the fields a spec check rejects back to
 * their line, so every error names the file, the line and the field.
 */
import { LineCounter, type Node, parseDocument } from 'yaml';

export type YamlResult =
  | { ok: true; value: unknown; lineOf: (path: string) => number | undefined }
  | { ok: false; line: number; message: string };

/** `hosts[2].profile` → ['hosts', 2, 'profile'] (the path spelling of spec errors). */
const pathKeys = (path: string): Array<string | number> =>
  [...path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((m) => (m[2] !== undefined ? Number(m[2]) : m[1]!));

export const parseYaml = (text: string): YamlResult => {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  // Warnings (e.g. an unknown tag) would leave a value half-understood: they are errors here.
  const problem = doc.errors[0] ?? doc.warnings[0];
  if (problem) return { ok: false, line: lines.linePos(problem.pos[0]).line, message: problem.message };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    return { ok: false, line: 1, message: (e as Error).message };
  }
  /** Line of the node at `path`, or of its nearest ancestor present in the text. */
  const lineOf = (path: string): number | undefined => {
    const keys = pathKeys(path);
    for (let n = keys.length; n > 0; n--) {
      const node = doc.getIn(keys.slice(0, n), true) as Node | undefined;
      if (node?.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
  return { ok: true, value, lineOf };
};

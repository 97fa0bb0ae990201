/**
 * One DCE/RPC association per host for the activation probes: a single connection whose bind offers
 * every interface the host's probes may call (ISystemActivator, IRemoteActivation, IObjectExporter),
 * then each probe's request on its own presentation context. The requests are byte for byte those of
 * the one-connection-per-probe design; what changes is that a host sees one connection and one bind
 * instead of two or three (KB824146scan itself added IRemoteActivation to its ISystemActivator
 * connection with an alter_context, detection.md §2.2; Tenable's fingerprint sends a 4-context bind).
 *
 * Fallbacks keep the verdicts of the per-probe design: when the shared bind gets anything but a
 * bind_ack, or a call on it ends without a DCE/RPC answer, later probes open connections of their own.
 * A bind_nak to the multi-context bind lets the same probe retry at once with a single-context bind.
 */
import type { SyntaxId } from '../protocol/dcerpc/index.ts';
import { bindContexts } from './dcerpc-call.ts';
import type {
  BoundAssociation,
  HostAssociation,
  OpenedContext,
  Probe,
  ProbeContext,
  ProbeOutcome,
} from './types.ts';

const sameSyntax = (a: SyntaxId, b: SyntaxId): boolean =>
  a.uuid === b.uuid && a.major === b.major && a.minor === b.minor;

/** The distinct interfaces `probes` bind, in probe order (the order of the contexts in the bind). */
export const sharedInterfacesOf = (probes: ReadonlyArray<Probe | undefined>): SyntaxId[] => {
  const out: SyntaxId[] = [];
  for (const p of probes) {
    const s = p?.rpcInterface;
    if (s && !out.some((o) => sameSyntax(o, s))) out.push(s);
  }
  return out;
};

export class SharedAssociation implements HostAssociation {
  readonly #syntaxes: readonly SyntaxId[];
  #association: BoundAssociation | undefined;
  /** No (more) sharing: the bind or a call went wrong, or the host is done. */
  #spent = false;

  constructor(syntaxes: readonly SyntaxId[]) {
    this.#syntaxes = syntaxes;
  }

  async open(
    ctx: ProbeContext,
    probe: string,
    syntax: SyntaxId,
  ): Promise<OpenedContext | { kind: 'outcome'; outcome: ProbeOutcome } | undefined> {
    const contextId = this.#syntaxes.findIndex((s) => sameSyntax(s, syntax));
    if (contextId < 0 || this.#spent) return undefined;
    let reused = true;
    if (!this.#association) {
      reused = false;
      const attempt = await bindContexts(ctx, probe, this.#syntaxes);
      if (attempt.kind === 'outcome') {
        // A failed connect leaves nothing behind: a retry of the host may try sharing again.
        if (!attempt.connected) return attempt;
        this.#spent = true;
        if (attempt.outcome.bindNakReason !== undefined) return undefined;
        return attempt;
      }
      this.#association = attempt.association;
    }
    return {
      kind: 'context',
      association: this.#association,
      contextId,
      reused,
      release: () => {},
      failed: (outcome) => {
        // A fault is an answer and leaves the association usable; anything else may have broken it.
        if (outcome.classification !== 'fault') this.close();
      },
    };
  }

  /** Closes the connection (RST); later probes of the host use connections of their own. */
  close(): void {
    this.#spent = true;
    this.#association?.close();
    this.#association = undefined;
  }
}

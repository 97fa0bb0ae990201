/**
 * The few facts of the running process the lab needs (its pid for unique nft/netns names, the node
 * binary for child labs), read through `node:process` imports in this one place; everything else in
 * src/lab stays free of process state.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { execPath, pid } from 'node:process';

export const OWN_PID = pid;
export const NODE_BINARY = execPath;

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a system command (nft, ip) with optional stdin; never throws for a non-zero exit. */
export const runCommand = (
  command: string,
  args: string[],
  options: { input?: string; timeoutMs?: number } = {},
): Promise<CommandResult> =>
  new Promise((resolve) => {
    const child = execFile(
      command,
      args,
      { timeout: options.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr: stderr || (error && !stderr ? error.message : '') });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });

/** True when a process with this pid exists. */
export const pidAlive = (p: number): boolean => existsSync(`/proc/${p}`);

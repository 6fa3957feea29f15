// The stream of an attached exec: its demultiplexed output, its end, and the exit code the engine reports after it.
import { PassThrough } from 'node:stream';
import { CertkitError } from '../errors.js';
import type { ExecOptions } from './engine.js';

export interface Output {
  stdout: string[];
  stderr: string[];
  /** Called after each piece of output (execHeld waits for a first line this way). */
  listeners: Array<() => void>;
}

/** Splits Docker's multiplexed exec stream into stdout and stderr text, kept whole and passed to onOutput as it comes. */
export function collectOutput(
  modem: { demuxStream(stream: NodeJS.ReadableStream, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): void },
  stream: NodeJS.ReadableStream,
  onOutput?: ExecOptions['onOutput'],
): Output {
  const output: Output = { stdout: [], stderr: [], listeners: [] };
  const sink = (name: 'stdout' | 'stderr'): PassThrough => {
    const pass = new PassThrough();
    pass.setEncoding('utf8');
    pass.on('data', (text: string) => {
      output[name].push(text);
      onOutput?.(text, name);
      for (const listener of output.listeners) listener();
    });
    return pass;
  };
  modem.demuxStream(stream, sink('stdout'), sink('stderr'));
  return output;
}
export function waitForEnd(stream: NodeJS.ReadableStream, timeoutMs: number | undefined, argv: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = timeoutMs
      ? setTimeout(() => {
          (stream as unknown as { destroy?: () => void }).destroy?.();
          reject(new CertkitError('TIMEOUT', `${argv[0]} did not finish within ${Math.round(timeoutMs / 1000)} s`));
        }, timeoutMs)
      : undefined;
    const done = (error?: Error): void => {
      if (timer) clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    stream.on('end', () => done());
    stream.on('close', () => done());
    stream.on('error', (error: Error) => done(error));
  });
}

/** The exit code is null until the engine has seen the process end, which can lag the stream's end a little. */
export async function readExitCode(exec: { inspect(): Promise<{ Running: boolean; ExitCode: number | null }> }): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const info = await exec.inspect();
    if (!info.Running && info.ExitCode !== null && info.ExitCode !== undefined) return info.ExitCode;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new CertkitError('EXEC_FAILED', 'the engine never reported an exit code for an exec');
}

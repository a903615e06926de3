/**
 * @module
 * Live progress of a run: one line rewritten in place on a TTY, plain lines every few seconds
 * otherwise (CI logs), on stderr so stdout keeps only the results.
 */
import type { LoadProgress } from './load-loop.js';

const PLAIN_INTERVAL_MS = 2000;

export class ProgressLine {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #lastPlainAt = 0;
  #shown = false;

  constructor(stream: NodeJS.WriteStream = process.stderr, tty = stream.isTTY === true) {
    this.#stream = stream;
    this.#tty = tty;
  }

  update(label: string, elapsedMs: number, progress: LoadProgress): void {
    const line = `${label}: ${progress.phase} ${(elapsedMs / 1000).toFixed(1)}s, ${progress.completed} measured${progress.failed > 0 ? `, ${progress.failed} failed` : ''}, ${progress.inFlight} in flight`;
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#shown = true;
    } else if (elapsedMs - this.#lastPlainAt >= PLAIN_INTERVAL_MS || elapsedMs < this.#lastPlainAt) {
      this.#lastPlainAt = elapsedMs;
      this.#stream.write(`${line}\n`);
    }
  }

  /** Replaces the live line with a finished one. */
  finish(line: string): void {
    this.#stream.write(this.#tty && this.#shown ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.#shown = false;
    this.#lastPlainAt = 0;
  }
}

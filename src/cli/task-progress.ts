/**
 * @module
 * Progress of long offline work (calibration, profiling, conversion): one line rewritten in
 * place on a TTY, a plain line every few seconds otherwise (CI logs). Written to stderr so that
 * stdout keeps only results (tables, JSON).
 */
const PLAIN_INTERVAL_MS = 2000;

export class TaskProgress {
  readonly #stream: NodeJS.WritableStream;
  readonly #tty: boolean;
  readonly #now: () => number;
  #lastPlainAt = Number.NEGATIVE_INFINITY;
  #shown = false;

  constructor(stream: NodeJS.WritableStream = process.stderr, tty = (stream as NodeJS.WriteStream).isTTY === true, now: () => number = performance.now.bind(performance)) {
    this.#stream = stream;
    this.#tty = tty;
    this.#now = now;
  }

  /** Reports `done` of `total` steps of `label`, e.g. `calibrating: 12/100 samples`. */
  step(label: string, done: number, total: number, unit = ''): void {
    const percent = total > 0 ? ` (${Math.floor((100 * done) / total)}%)` : '';
    const line = `${label}: ${done}/${total}${unit === '' ? '' : ` ${unit}`}${percent}`;
    if (this.#tty) {
      this.#stream.write(`\r\x1b[2K${line}`);
      this.#shown = true;
      return;
    }
    const now = this.#now();
    // The last step is always printed, so a log shows that the work completed.
    if (now - this.#lastPlainAt >= PLAIN_INTERVAL_MS || done === total) {
      this.#lastPlainAt = now;
      this.#stream.write(`${line}\n`);
    }
  }

  /** Replaces the live line with a finished one. */
  finish(line: string): void {
    this.#stream.write(this.#tty && this.#shown ? `\r\x1b[2K${line}\n` : `${line}\n`);
    this.#shown = false;
    this.#lastPlainAt = Number.NEGATIVE_INFINITY;
  }
}

/**
 * @module
 * Handler sources for js-backend tests, as text. COMMAND_HANDLER does what each request's `cmd`
 * says, so one handler covers every behaviour a test needs: answering, refusing one request,
 * throwing, crashing its worker, running out of memory, overrunning its timeout.
 */

/**
 * Commands (the `cmd` input of a request):
 * finalize() writes `finalized-<instance>` in the version folder.
 * - `ok`: y = 2x; also `batch` (requests in this execute() call) and `instance` (instance index)
 * - `refuse`: this request alone fails with an INVALID_ARG error; `fail`: with an INTERNAL one
 * - `bad-dtype`, `bad-shape`, `missing`, `plain-array`: this request's outputs are wrong
 * - `sleep:<ms>`: answer after ms
 * - the whole batch: `throw`, `wrong-count`, `exit` (process.exit(3)), `async-throw` (a timer
 *   throws while execute() is pending), `spin` (never returns), `oom` (allocates without end),
 *   `poison` (writes a `poisoned` file in the version folder, which makes initialize() throw, then exits)
 */
export const COMMAND_HANDLER = `
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const text = new TextDecoder();

export default class CommandHandler {
  initialize(context) {
    if (existsSync(join(context.versionDirectory, 'poisoned'))) throw new Error('poisoned: this instance cannot start');
    this.context = context;
  }

  finalize() {
    writeFileSync(join(this.context.versionDirectory, 'finalized-' + this.context.instanceIndex), '');
  }

  async execute(requests) {
    const commands = requests.map((r) => text.decode(r.inputs.cmd.data[0]));
    if (commands.includes('throw')) throw new Error('handler exploded on purpose');
    if (commands.includes('wrong-count')) return [];
    if (commands.includes('exit')) process.exit(3);
    if (commands.includes('async-throw')) {
      setTimeout(() => { throw new Error('async boom'); }, 5);
      return new Promise(() => {});
    }
    if (commands.includes('spin')) for (;;) {}
    if (commands.includes('oom')) {
      const keep = [];
      for (let i = 0; ; i += 1) keep.push({ i, text: 'leak ' + i });
    }
    if (commands.includes('poison')) {
      writeFileSync(join(this.context.versionDirectory, 'poisoned'), '');
      process.exit(1);
    }
    const wait = Math.max(0, ...commands.filter((c) => c.startsWith('sleep:')).map((c) => Number(c.slice(6))));
    if (wait > 0) await sleep(wait);
    return requests.map((request, i) => {
      const x = request.inputs.x;
      const rows = x.shape[0];
      const outputs = {
        y: { datatype: 'FP32', shape: x.shape, data: x.data.map((v) => v * 2) },
        batch: { datatype: 'INT32', shape: [rows, 1], data: new Int32Array(rows).fill(requests.length) },
        instance: { datatype: 'INT32', shape: [rows, 1], data: new Int32Array(rows).fill(this.context.instanceIndex) },
      };
      switch (commands[i]) {
        case 'refuse': return { error: 'x must not be refused', kind: 'INVALID_ARG' };
        case 'fail': return { error: 'the model failed for this request' };
        case 'bad-dtype': return { outputs: { ...outputs, y: { ...outputs.y, datatype: 'FP64', data: Float64Array.from(outputs.y.data) } } };
        case 'bad-shape': return { outputs: { ...outputs, y: { ...outputs.y, shape: [rows, x.shape[1] + 1] } } };
        case 'missing': return { outputs: { batch: outputs.batch, instance: outputs.instance } };
        case 'plain-array': return { outputs: { ...outputs, y: { ...outputs.y, data: Array.from(outputs.y.data) } } };
        default: return { outputs };
      }
    });
  }
}
`;

/** Upper-cases BYTES input `text` into output `upper`; non-batched, dims [-1]. Plain object, named export. */
export const UPPER_HANDLER = `
export const handler = {
  execute(requests) {
    return requests.map(({ inputs }) => ({
      outputs: { upper: { datatype: 'BYTES', shape: inputs.text.shape, data: inputs.text.data.map((b) => Buffer.from(b).toString('utf8').toUpperCase()) } },
    }));
  },
};
`;

export const UPPER_CONFIG = `
backend: "js"
max_batch_size: 0
input [ { name: "text" data_type: TYPE_STRING dims: [ -1 ] } ]
output [ { name: "upper" data_type: TYPE_STRING dims: [ -1 ] } ]
`;

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { handlerFromExports, loadHandler } from '../../../src/backends/js/handler-loader.js';
import { makeTempDir } from '../../support/server-harness.js';

const execute = (): never[] => [];

describe('handlerFromExports', () => {
  it('takes an object from the default export or the named export handler, preferring handler', () => {
    const object = { execute };
    assert.equal(handlerFromExports({ default: object }, '/m/1/model.js'), object);
    const named = { execute };
    assert.equal(handlerFromExports({ handler: named, default: object }, '/m/1/model.js'), named);
    // CommonJS: module.exports = { handler } arrives as default.handler.
    assert.equal(handlerFromExports({ default: { handler: named } }, '/m/1/model.js'), named);
  });

  it('instantiates an exported class, once per call', () => {
    class Handler {
      execute = execute;
    }
    const a = handlerFromExports({ default: Handler }, '/m/1/model.js');
    const b = handlerFromExports({ default: Handler }, '/m/1/model.js');
    assert.ok(a instanceof Handler && b instanceof Handler && a !== b);
  });

  it('says what is wrong with a module that exports no handler', () => {
    assert.throws(() => handlerFromExports({ run: execute }, '/m/1/model.mjs'), { message: 'model.mjs exports no handler (it exports run); export default (or export as `handler`) an object with an execute(requests) method, or a class whose instances have one' });
    assert.throws(() => handlerFromExports({}, '/m/1/model.js'), /model\.js exports no handler \(it exports nothing\)/);
    assert.throws(() => handlerFromExports({ default: execute }, '/m/1/model.js'), /model\.js: export default is a function, not a handler/);
    assert.throws(() => handlerFromExports({ handler: { run: execute } }, '/m/1/model.js'), /model\.js: export handler is an object with no execute\(\) method/);
    assert.throws(() => handlerFromExports({ default: class {} }, '/m/1/model.js'), /model\.js: export default is a class whose instances have no execute\(\) method/);
    assert.throws(() => handlerFromExports({ default: { execute, initialize: 'yes' } }, '/m/1/model.js'), /the handler's initialize is string, not a method/);
    class Failing {
      constructor() {
        throw new Error('no weights');
      }
    }
    assert.throws(() => handlerFromExports({ default: Failing }, '/m/1/model.js'), /model\.js: the constructor of the handler class \(export default\) threw: no weights/);
  });
});

describe('loadHandler', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => {
    ({ dir, cleanup } = await makeTempDir('wharf-js-loader-'));
  });
  after(async () => {
    await cleanup?.();
  });

  it('loads ESM model.js, model.mjs and CommonJS model.js', async () => {
    const files: [string, string][] = [
      ['esm/model.js', 'export default { execute: (r) => r.map(() => ({ outputs: {} })) };'],
      ['mjs/model.mjs', 'export const handler = { execute: (r) => [] };'],
      ['cjs/model.js', 'module.exports = { execute(requests) { return []; } };'],
    ];
    for (const [file, source] of files) {
      const path = join(dir, file);
      await mkdir(join(path, '..'), { recursive: true });
      await writeFile(path, source);
      const handler = await loadHandler(path);
      assert.equal(typeof handler.execute, 'function', file);
    }
  });

  it('reports a syntax error with its line, and an import that cannot be resolved', async () => {
    await writeFile(join(dir, 'broken.mjs'), 'export default {\n  execute(r) { return r.map(( => 1) }\n};\n');
    await assert.rejects(loadHandler(join(dir, 'broken.mjs')), (error: Error) => {
      assert.match(error.message, /^broken\.mjs has a syntax error: Unexpected token '=>' at .*broken\.mjs:2$/);
      return true;
    });
    await writeFile(join(dir, 'missing.mjs'), "import weights from './weights.mjs';\nexport default weights;\n");
    await assert.rejects(loadHandler(join(dir, 'missing.mjs')), /^Error: missing\.mjs could not be imported: Cannot find module '.*weights\.mjs' imported from/);
  });
});

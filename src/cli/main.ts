#!/usr/bin/env node
import { Command } from 'commander';
import { isInferenceError } from '../errors/index.js';
import { SERVER_VERSION } from '../engine/index.js';
import { UsageError } from './bench/bench-options.js';
import { benchCommand } from './commands/bench.js';
import { inferCommand } from './commands/infer.js';
import { modelCommand } from './commands/model/index.js';
import { modelsCommand } from './commands/models.js';
import { serveCommand } from './commands/serve.js';
import { tuneCommand } from './commands/tune.js';
import { withConfigFile } from './config-file.js';

const program = new Command('wharf')
  .description('Wharf: a model inference server for Node.js (KServe v2 / Triton-compatible)')
  .version(SERVER_VERSION)
  .showHelpAfterError()
  .addCommand(withConfigFile(serveCommand()))
  .addCommand(modelsCommand())
  .addCommand(modelCommand())
  .addCommand(inferCommand())
  .addCommand(benchCommand())
  .addCommand(tuneCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isInferenceError(error) ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  console.error(`wharf: ${message}`);
  // Bad arguments exit with 2, as commander's own usage errors do for bench and tune.
  process.exitCode = error instanceof UsageError ? 2 : 1;
}

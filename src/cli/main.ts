#!/usr/bin/env node
import { Command } from 'commander';
import { isInferenceError } from '../errors/index.js';
import { SERVER_VERSION } from '../engine/index.js';
import { inferCommand } from './commands/infer.js';
import { modelsCommand } from './commands/models.js';
import { serveCommand } from './commands/serve.js';

const program = new Command('wharf')
  .description('Wharf: a model inference server for Node.js (KServe v2 / Triton-compatible)')
  .version(SERVER_VERSION)
  .showHelpAfterError()
  .addCommand(serveCommand())
  .addCommand(modelsCommand())
  .addCommand(inferCommand());

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const message = isInferenceError(error) ? `${error.message} (${error.code})` : error instanceof Error ? error.message : String(error);
  console.error(`wharf: ${message}`);
  process.exitCode = 1;
}

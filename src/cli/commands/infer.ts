import { Command } from 'commander';
import { connect, serverOptions, type ServerConnectionOptions } from '../options.js';
import type { InferenceClient } from '../../client/index.js';
import { formatShape } from '../../core/index.js';
import { decodeInferRequestJson } from '../../protocol/index.js';
import { parseInputArgument, tensorToNested } from '../infer-input.js';

interface InferOptions extends ServerConnectionOptions {
  modelVersion?: string;
  input: string[];
  output?: string[];
  id?: string;
  json?: boolean;
  jsonTensors?: boolean;
}

export function inferCommand(): Command {
  const command = new Command('infer')
    .description('send one inference request and print the outputs')
    .argument('<model>', 'model name')
    .option('-v, --model-version <version>', 'model version (default: the highest ready)')
    .requiredOption('-i, --input <name=value...>', 'input as name=JSON or name=@file.json; JSON is a (nested) array or {"shape","datatype","data"}')
    .option('-o, --output <name...>', 'outputs to return (default: all)')
    .option('--id <id>', 'request id, echoed in the response')
    .option('--json', 'print the response as JSON')
    .option('--json-tensors', 'HTTP: send tensors as JSON instead of binary')
    .addHelpText('after', `
Examples:
  $ wharf infer mlp_classifier --input 'features=[[5.1,3.5,1.4,0.2]]'
  $ wharf infer text_normalizer --input 'text=["Hello World"]'
  $ wharf infer simple_math --input @a.json ...   (a.json: {"shape":[1,4],"datatype":"FP32","data":[1,2,3,4]})`)
    .action(async (model: string, options: InferOptions) => {
      const client = connect(options);
      try {
        await inferAndPrint(client, model, options);
      } finally {
        client.close();
      }
    });
  for (const option of serverOptions()) command.addOption(option);
  return command;
}

async function inferAndPrint(client: InferenceClient, model: string, options: InferOptions): Promise<void> {
  const metadata = await client.modelMetadata(model, options.modelVersion);
  const inputs = await Promise.all(options.input.map((arg) => parseInputArgument(arg, metadata.inputs)));
  const request = decodeInferRequestJson(
    { ...(options.id !== undefined ? { id: options.id } : {}), inputs, ...(options.output ? { outputs: options.output.map((name) => ({ name })) } : {}) },
    { modelName: model, ...(options.modelVersion !== undefined ? { modelVersion: options.modelVersion } : {}) },
  );
  const response = await client.infer(request, { json: options.jsonTensors === true });
  if (options.json) {
    console.log(JSON.stringify({ ...response, outputs: response.outputs.map((o) => ({ name: o.name, datatype: o.datatype, shape: o.shape, data: tensorToNested(o, Infinity) })) }, null, 2));
    return;
  }
  console.log(`model ${response.modelName} version ${response.modelVersion}${response.id !== undefined ? ` id ${response.id}` : ''}`);
  for (const output of response.outputs) {
    console.log(`${output.name} ${output.datatype} ${formatShape(output.shape)}`);
    console.log(`  ${JSON.stringify(tensorToNested(output))}`);
  }
}

/**
 * @module
 * Types and shapes of inner tensors, measured: the model runs in onnxruntime-node with the
 * tensors added as outputs. Models rarely declare inner tensors (graph.value_info), and a head
 * must declare its outputs and a tail its inputs, with a rank the server can read.
 */
import { dataTypeFromOrt, dataTypeInfo } from '../../core/index.js';
import { createSession, randomFeeds, resolveInputSpecs, runSession, seededRandom, type InputSpec, type InputSpecOptions, type Outputs } from '../evaluate/index.js';
import { encodeModel, modelSignature, type OnnxModel, type TensorShapeDimension, type ValueInfoProto } from '../onnx/index.js';

export interface ProbeOptions extends InputSpecOptions {
  /** Seed of the random inputs. @defaultValue 1 */
  readonly seed?: number;
}

export interface ProbedTypes {
  /** One per tensor asked for, in that order: element type and shape. */
  readonly valueInfo: ValueInfoProto[];
  /**
   * Why dynamic dims could not be told apart (the model failed on inputs with its dynamic dims
   * one larger); every dim is then fixed to its size at the probed shape.
   */
  readonly dynamicDimsUnknown?: string;
}

/**
 * Runs the model on random inputs with `names` as extra outputs. When the model has dynamic input
 * dims it runs a second time with each of them one larger: a tensor dim that changes is declared
 * dynamic (named like the first input's batch dim when it is the first axis), the others fixed.
 * @throws Error when onnxruntime-node cannot load or run the model, or a tensor has a type it
 * cannot return.
 */
export async function probeTensorTypes(model: OnnxModel, names: readonly string[], options: ProbeOptions = {}): Promise<ProbedTypes> {
  const graph = model.graph ?? {};
  const declared = new Set((graph.output ?? []).map((value) => value.name));
  const probing: OnnxModel = { ...model, graph: { ...graph, output: [...(graph.output ?? []), ...names.filter((name) => !declared.has(name)).map((name) => ({ name }))] } };
  const specs = resolveInputSpecs(model, options);
  const signature = modelSignature(model);
  const session = await createSession(encodeModel(probing));
  try {
    const seed = options.seed ?? 1;
    const first = await runSession(session, randomFeeds(specs, seededRandom(seed)));
    let second: Outputs | undefined;
    let dynamicDimsUnknown: string | undefined;
    if (signature.inputs.some((input) => input.dims.some((dim) => dim < 0))) {
      const grown = specs.map((spec, index): InputSpec => ({ ...spec, dims: spec.dims.map((dim, axis) => (signature.inputs[index]!.dims[axis]! < 0 ? dim + 1 : dim)) }));
      try {
        second = await runSession(session, randomFeeds(grown, seededRandom(seed)));
      } catch (error) {
        dynamicDimsUnknown = `the model did not run with its dynamic input dims one larger (${(error as Error).message})`;
      }
    }
    const batchName = firstDimParam(model);
    const valueInfo = names.map((name) => {
      const tensor = first[name];
      if (tensor === undefined) throw new Error(`onnxruntime-node returned no value for tensor '${name}'`);
      const datatype = dataTypeFromOrt(tensor.type);
      if (datatype === undefined) throw new Error(`tensor '${name}' has onnxruntime type ${tensor.type}, which Wharf cannot declare`);
      const other = second?.[name]?.dims;
      const dim = (size: number, axis: number): TensorShapeDimension => {
        if (other === undefined || other.length !== tensor.dims.length || other[axis] === size) return { dimValue: BigInt(size) };
        return axis === 0 && batchName !== undefined ? { dimParam: batchName } : {};
      };
      return { name, type: { tensorType: { elemType: dataTypeInfo(datatype).onnxElementType, shape: { dim: tensor.dims.map(dim) } } } };
    });
    return dynamicDimsUnknown === undefined ? { valueInfo } : { valueInfo, dynamicDimsUnknown };
  } finally {
    await session.release();
  }
}

/** The symbolic name of the first input's first dim ('batch', 'N'...), when it has one. */
function firstDimParam(model: OnnxModel): string | undefined {
  const constants = new Set((model.graph?.initializer ?? []).map((tensor) => tensor.name));
  const input = (model.graph?.input ?? []).find((value) => !constants.has(value.name));
  const param = input?.type?.tensorType?.shape?.dim?.[0]?.dimParam;
  return param === undefined || param === '' ? undefined : param;
}

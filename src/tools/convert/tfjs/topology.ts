/**
 * @module
 * A Keras model topology (Sequential or functional Model) as a flat list of layer calls in
 * topological order. A functional layer called n times has n inbound nodes; each call is its
 * own application with its own output value.
 */
import type { IrShape } from '../ir/index.js';
import { LayerConfig } from './layer-config.js';
import { isRecord, type ModelJson } from './model-json.js';

/** One call of a layer: the values it reads and the value it writes. */
export interface LayerCall {
  readonly layer: LayerConfig;
  readonly inputs: readonly string[];
  readonly output: string;
}

export interface Topology {
  readonly name: string;
  readonly inputs: readonly { name: string; shape: IrShape }[];
  readonly calls: readonly LayerCall[];
  readonly outputs: readonly string[];
}

interface RawLayer {
  className: string;
  name: string;
  config: Record<string, unknown>;
  inboundNodes: unknown[];
}

export function readTopology(model: ModelJson): Topology {
  const { class_name: className, config } = model.topology;
  if (className === 'Sequential') return sequential(config, model.file);
  if (className === 'Model' || className === 'Functional') return functional(config, model.file);
  throw new Error(`${model.file}: model class '${className}' is not supported (only Sequential and Model/Functional)`);
}

function sequential(config: unknown, file: string): Topology {
  // Keras < 2.2.3 wrote a Sequential's config as the bare layer list.
  const layersValue = Array.isArray(config) ? config : isRecord(config) ? config.layers : undefined;
  const name = isRecord(config) && typeof config.name === 'string' ? config.name : 'sequential';
  const layers = rawLayers(layersValue, file);
  if (layers.length === 0) throw new Error(`${file}: the Sequential model has no layers`);
  const first = layers[0]!;
  const inputLayer = first.className === 'InputLayer' ? first : undefined;
  const inputShape = batchInputShape(first, file);
  // tfjs names a Sequential model's implicit input after its first layer.
  const inputName = inputLayer?.name ?? `${first.name}_input`;
  let current = inputName;
  const calls: LayerCall[] = [];
  for (const layer of inputLayer === undefined ? layers : layers.slice(1)) {
    if (layer.className === 'InputLayer') throw new Error(`${file}: InputLayer '${layer.name}' appears after the first layer of a Sequential model`);
    calls.push({ layer: new LayerConfig(layer.className, layer.name, layer.config), inputs: [current], output: layer.name });
    current = layer.name;
  }
  return { name, inputs: [{ name: inputName, shape: inputShape }], calls, outputs: [current] };
}

function functional(config: unknown, file: string): Topology {
  if (!isRecord(config)) throw new Error(`${file}: the functional model has no config`);
  const layers = rawLayers(config.layers, file);
  const byName = new Map(layers.map((layer) => [layer.name, layer]));
  const inputs = tensorRefs(config.input_layers, `${file}: input_layers`).map((ref) => {
    const layer = byName.get(ref.layer);
    if (layer === undefined || layer.className !== 'InputLayer') throw new Error(`${file}: input '${ref.layer}' is not an InputLayer of the model`);
    return { name: valueName(ref), shape: batchInputShape(layer, file) };
  });
  const pending: LayerCall[] = [];
  for (const layer of layers) {
    if (layer.className === 'InputLayer') continue;
    if (layer.inboundNodes.length === 0) throw new Error(`${file}: layer '${layer.name}' (${layer.className}) has no inbound nodes: it is not connected`);
    layer.inboundNodes.forEach((node, nodeIndex) => {
      const refs = tensorRefs(node, `${file}: layer '${layer.name}' inbound node ${nodeIndex}`);
      pending.push({
        layer: new LayerConfig(layer.className, layer.name, layer.config),
        inputs: refs.map(valueName),
        output: valueName({ layer: layer.name, node: nodeIndex, tensor: 0 }),
      });
    });
  }
  const calls = topologicalOrder(pending, new Set(inputs.map((input) => input.name)), file);
  const outputs = tensorRefs(config.output_layers, `${file}: output_layers`).map(valueName);
  const name = typeof config.name === 'string' ? config.name : 'model';
  return { name, inputs, calls, outputs };
}

/** Keras lists layers in topological order, but nothing in the format promises it. */
function topologicalOrder(pending: LayerCall[], defined: Set<string>, file: string): LayerCall[] {
  const ordered: LayerCall[] = [];
  let remaining = pending;
  while (remaining.length > 0) {
    const ready = remaining.filter((call) => call.inputs.every((input) => defined.has(input)));
    if (ready.length === 0) {
      const stuck = remaining[0]!;
      const missing = stuck.inputs.find((input) => !defined.has(input));
      throw new Error(`${file}: layer '${stuck.layer.name}' reads '${missing}', which no layer produces (or the layers form a cycle)`);
    }
    for (const call of ready) {
      ordered.push(call);
      defined.add(call.output);
    }
    remaining = remaining.filter((call) => !ready.includes(call));
  }
  return ordered;
}

interface TensorRef { layer: string; node: number; tensor: number }

/** A layer's value: its name for the first call's first output, suffixed otherwise. */
function valueName(ref: TensorRef): string {
  if (ref.tensor !== 0) throw new Error(`layer '${ref.layer}' output ${ref.tensor} is read, but only single-output layers are supported`);
  return ref.node === 0 ? ref.layer : `${ref.layer}_call${ref.node}`;
}

/**
 * Tensor references in any of the forms Keras writes: `[name, node, tensor]` or
 * `[name, node, tensor, kwargs]` (Keras 2, tfjs), nested in lists, or Keras 3's
 * `{class_name: '__keras_tensor__', config: {keras_history: [name, node, tensor]}}` under `args`.
 */
function tensorRefs(value: unknown, where: string): TensorRef[] {
  const refs: TensorRef[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) {
      if (typeof node[0] === 'string' && typeof node[1] === 'number' && typeof node[2] === 'number') {
        refs.push({ layer: node[0], node: node[1], tensor: node[2] });
        return;
      }
      for (const item of node) walk(item);
      return;
    }
    if (!isRecord(node)) return;
    if (node.class_name === '__keras_tensor__' && isRecord(node.config)) {
      walk(node.config.keras_history);
      return;
    }
    if (Array.isArray(node.args)) walk(node.args);
  };
  walk(value);
  if (refs.length === 0) throw new Error(`${where} names no tensors`);
  return refs;
}

function rawLayers(value: unknown, file: string): RawLayer[] {
  if (!Array.isArray(value)) throw new Error(`${file}: the model config has no 'layers' array`);
  return value.map((layer: unknown, index) => {
    if (!isRecord(layer) || typeof layer.class_name !== 'string' || !isRecord(layer.config)) {
      throw new Error(`${file}: layers[${index}] must be {class_name, config}`);
    }
    const name = typeof layer.name === 'string' ? layer.name : typeof layer.config.name === 'string' ? layer.config.name : `layer_${index}`;
    return { className: layer.class_name, name, config: layer.config, inboundNodes: Array.isArray(layer.inbound_nodes) ? layer.inbound_nodes : [] };
  });
}

/** The input shape with its batch axis, as `batch_input_shape` (Keras 2, tfjs) or `batch_shape` (Keras 3). */
function batchInputShape(layer: RawLayer, file: string): IrShape {
  const shape = layer.config.batch_input_shape ?? layer.config.batch_shape;
  if (!Array.isArray(shape) || shape.length < 2 || !shape.every((dim) => dim === null || (Number.isInteger(dim) && (dim as number) > 0))) {
    throw new Error(`${file}: layer '${layer.name}' does not declare its input shape (batch_input_shape); the first layer must`);
  }
  return shape as IrShape;
}

/**
 * @module
 * IR activations as ONNX nodes. Functions without an ONNX operator in opset 13-17 (swish,
 * mish, gelu) are composed from elementwise ops exactly as tfjs-layers computes them.
 */
import { attr, type GraphBuilder } from '../../onnx/index.js';
import type { Activation } from '../ir/index.js';

export interface ActivationTarget {
  readonly graph: GraphBuilder;
  /** A scalar float32 initializer holding `value` (shared between uses). */
  readonly scalar: (value: number) => string;
  /** A unique node name for this op's `opType` node. */
  readonly nodeName: (opType: string) => string;
}

/**
 * Applies `activation` to `input`; the final node writes `output`. `axis` is the physical axis
 * for softmax-like activations.
 */
export function emitActivation(target: ActivationTarget, activation: Activation, input: string, output: string, axis: number): string {
  const { graph, scalar } = target;
  const node = (opType: string, inputs: string[], attributes: Parameters<GraphBuilder['node']>[2] = {}, final = false): string =>
    graph.node(opType, inputs, attributes, { name: target.nodeName(opType), ...(final ? { outputs: [output] } : {}) });
  const last = (opType: string, inputs: string[], attributes: Parameters<GraphBuilder['node']>[2] = {}): string => node(opType, inputs, attributes, true);
  switch (activation.fn) {
    case 'linear':
      return last('Identity', [input]);
    case 'relu':
      return last('Relu', [input]);
    case 'sigmoid':
      return last('Sigmoid', [input]);
    case 'tanh':
      return last('Tanh', [input]);
    case 'softplus':
      return last('Softplus', [input]);
    case 'softsign':
      return last('Softsign', [input]);
    case 'selu':
      // ONNX's default alpha and gamma are TensorFlow's constants rounded to float32.
      return last('Selu', [input]);
    case 'elu':
      return last('Elu', [input], { alpha: attr.float(activation.alpha) });
    case 'leaky_relu':
      return last('LeakyRelu', [input], { alpha: attr.float(activation.alpha) });
    case 'thresholded_relu':
      return last('ThresholdedRelu', [input], { alpha: attr.float(activation.theta) });
    case 'clip':
      return last('Clip', [input, scalar(activation.min), scalar(activation.max)]);
    case 'hard_sigmoid':
      return last('HardSigmoid', [input], { alpha: attr.float(activation.alpha), beta: attr.float(activation.beta) });
    case 'softmax':
      return last('Softmax', [input], { axis });
    case 'log_softmax':
      return last('LogSoftmax', [input], { axis });
    case 'swish': {
      const scaled = activation.beta === 1 ? input : node('Mul', [input, scalar(activation.beta)]);
      return last('Mul', [input, node('Sigmoid', [scaled])]);
    }
    case 'mish':
      return last('Mul', [input, node('Tanh', [node('Softplus', [input])])]);
    case 'gelu': {
      // x * 0.5 * (1 + erf(x / sqrt(2)))
      const cdf = node('Mul', [node('Add', [node('Erf', [node('Div', [input, scalar(Math.SQRT2)])]), scalar(1)]), scalar(0.5)]);
      return last('Mul', [input, cdf]);
    }
    case 'gelu_tanh': {
      // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
      const cube = node('Mul', [node('Mul', [input, input]), input]);
      const inner = node('Mul', [node('Add', [input, node('Mul', [cube, scalar(0.044715)])]), scalar(Math.sqrt(2 / Math.PI))]);
      const half = node('Mul', [node('Add', [node('Tanh', [inner]), scalar(1)]), scalar(0.5)]);
      return last('Mul', [input, half]);
    }
  }
}

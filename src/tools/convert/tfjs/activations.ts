/**
 * @module
 * Keras/tfjs activation identifiers -> IR activations, with the definitions tfjs-layers uses
 * (tfjs-layers/src/activations.ts): its hard_sigmoid is 0.2x + 0.5 clipped to [0, 1] (Keras 2's,
 * not Keras 3's x/6 + 0.5), gelu is the exact erf form, gelu_new the tanh approximation.
 */
import type { Activation } from '../ir/index.js';
import type { LayerConfig } from './layer-config.js';

/** Activations taking no argument but the input's rank (softmax runs along the last axis). */
const BY_NAME: Readonly<Record<string, (rank: number) => Activation>> = {
  linear: () => ({ fn: 'linear' }),
  relu: () => ({ fn: 'relu' }),
  relu6: () => ({ fn: 'clip', min: 0, max: 6 }),
  sigmoid: () => ({ fn: 'sigmoid' }),
  tanh: () => ({ fn: 'tanh' }),
  softplus: () => ({ fn: 'softplus' }),
  softsign: () => ({ fn: 'softsign' }),
  selu: () => ({ fn: 'selu' }),
  elu: () => ({ fn: 'elu', alpha: 1 }),
  swish: () => ({ fn: 'swish', beta: 1 }),
  silu: () => ({ fn: 'swish', beta: 1 }),
  mish: () => ({ fn: 'mish' }),
  gelu: () => ({ fn: 'gelu' }),
  gelu_new: () => ({ fn: 'gelu_tanh' }),
  hard_sigmoid: () => ({ fn: 'hard_sigmoid', alpha: 0.2, beta: 0.5 }),
  softmax: (rank) => ({ fn: 'softmax', axis: rank - 1 }),
  log_softmax: (rank) => ({ fn: 'log_softmax', axis: rank - 1 }),
};

/** Names tfjs accepts in camelCase in code but which may appear so in hand-written files. */
const ALIASES: Readonly<Record<string, string>> = { hardSigmoid: 'hard_sigmoid', logSoftmax: 'log_softmax', geluNew: 'gelu_new' };

export const SUPPORTED_ACTIVATIONS: readonly string[] = Object.keys(BY_NAME);

/**
 * The activation named by `config[key]` (a string, or Keras 3's `{class_name: 'function',
 * config: 'relu'}`) for an input of `rank`; absent or null is linear.
 */
export function readActivation(config: LayerConfig, key: string, rank: number): Activation {
  let identifier = config.raw(key) ?? 'linear';
  if (typeof identifier === 'object' && identifier !== null && typeof (identifier as { config?: unknown }).config === 'string') {
    identifier = (identifier as { config: string }).config;
  }
  if (typeof identifier !== 'string') throw config.error(`${key} ${JSON.stringify(identifier)} is not an activation name`);
  const make = BY_NAME[ALIASES[identifier] ?? identifier];
  if (make === undefined) throw config.error(`unsupported activation '${identifier}' (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
  return make(rank);
}

/**
 * @module
 * Which ModelConfig fields Wharf acts on. A field whose absence of support would change a
 * model's answers is refused at load; one that only tunes hardware or speed is accepted and
 * reported, so a Triton repository still loads unchanged. docs/model-repository.md lists both.
 */
import type { ModelConfig } from './model-config.js';

export interface ConfigSupportIssue {
  /** Field path, e.g. `sequence_batching`. */
  readonly field: string;
  readonly why: string;
}

export interface ConfigSupport {
  /** Fields that make the model unservable here: the load fails with these. */
  readonly refused: readonly ConfigSupportIssue[];
  /** Fields accepted and kept in the config but without effect: logged at load. */
  readonly ignored: readonly ConfigSupportIssue[];
}

/** Checks a parsed config for fields Wharf does not implement. */
export function checkConfigSupport(config: ModelConfig): ConfigSupport {
  const refused: ConfigSupportIssue[] = [];
  const ignored: ConfigSupportIssue[] = [];
  if (config.sequence_batching !== undefined) refused.push({ field: 'sequence_batching', why: 'stateful sequence models are not supported yet; serving one without its sequence batcher would mix up its requests\' state' });
  if (config.model_transaction_policy?.decoupled === true) refused.push({ field: 'model_transaction_policy.decoupled', why: 'decoupled (streaming) models are not supported yet' });
  if ((config.batch_input ?? []).length > 0) refused.push({ field: 'batch_input', why: 'batch inputs are not supported yet; the model would not receive the tensors it expects' });
  if ((config.batch_output ?? []).length > 0) refused.push({ field: 'batch_output', why: 'batch outputs are not supported yet' });
  if ((config.instance_group ?? []).some((g) => g.kind === 'KIND_GPU')) ignored.push({ field: 'instance_group.kind', why: 'KIND_GPU runs on the CPU: Wharf has no GPU execution' });
  if (config.optimization !== undefined) ignored.push({ field: 'optimization', why: 'execution accelerators, CUDA graphs and pinned memory have no effect on the CPU backends' });
  if (config.response_cache?.enable === true) ignored.push({ field: 'response_cache', why: 'the response cache is not implemented; every request runs the model' });
  if (config.model_repository_agents !== undefined) ignored.push({ field: 'model_repository_agents', why: 'repository agents are not implemented' });
  if ((config.instance_group ?? []).some((g) => g.rate_limiter !== undefined)) ignored.push({ field: 'instance_group.rate_limiter', why: 'the rate limiter is not implemented' });
  if (config.model_operations !== undefined) ignored.push({ field: 'model_operations', why: 'custom operation libraries are not loaded' });
  if (config.metric_tags !== undefined || config.model_metrics !== undefined) ignored.push({ field: 'metric_tags / model_metrics', why: 'per-model metric settings are not implemented' });
  return { refused, ignored };
}

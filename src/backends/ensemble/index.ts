export { EnsembleBackend, ENSEMBLE_INSTANCE_COUNT, type EnsembleBackendOptions } from './ensemble-backend.js';
export { analyzeEnsembleGraph, type EnsembleGraph, type EnsembleProblem, type StepMapping } from './ensemble-graph.js';
export { planEnsemble, type ConfigLookup, type EnsemblePlan, type PlannedStep } from './ensemble-plan.js';
export { EnsembleRunner, type StepInvoker } from './ensemble-runner.js';
export { StepLimiter } from './step-limiter.js';

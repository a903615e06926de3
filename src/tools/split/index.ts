/**
 * @module
 * Splitting a model for edge-cloud inference: a head for the device, a tail for the server, cut
 * at tensors that separate the graph; and the Neurosurgeon-style planner that picks the cut.
 */
export { BANDWIDTH_UNITS, formatBandwidth, parseBandwidth } from './bandwidth.js';
export { candidateCuts } from './candidate-cuts.js';
export { CutError } from './cut-check.js';
export { planSplit, type CutProfile, type LinkSpec, type PlacementKind, type SplitPlan, type SplitPlanRow } from './plan-split.js';
export { probeTensorTypes, type ProbedTypes, type ProbeOptions } from './probe-types.js';
export { profileCuts, tensorsBytes, type CutProfiles, type ProfileOptions } from './profile-cuts.js';
export { splitModel, validateCut, type SplitOptions, type SplitParts } from './split-model.js';
export { verifySplit, type SplitCheck } from './verify-split.js';

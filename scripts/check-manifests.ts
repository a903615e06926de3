// Checks deploy/: builds the kustomize base and overlay, then validates every object against the
// Kubernetes OpenAPI schemas that the kubernetes-models packages are generated from.
// Run: npm run deploy:check (kubectl from $KUBECTL or .tools/, which .ci/run fills).
//
// KServe's CRDs (ServingRuntime, InferenceService) have no schema package on the npm registry,
// so for them only the parts that are core/v1 types are validated: the runtime's containers and
// the container fields of the predictor. The output says so on their lines.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler, type IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import {
  ConfigMap, Container, Namespace, PersistentVolumeClaim, Service,
  type IConfigMap, type IContainer, type INamespace, type IPersistentVolumeClaim, type IService,
} from 'kubernetes-models/v1';
import { ServiceMonitor, type IServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';

// Compiled to dist/scripts/: the repository root is two folders up.
export const REPOSITORY_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Where .ci/run unpacks Debian's kubernetes-client (kubectl 1.20, kustomize v2). */
export const BUNDLED_KUBECTL = join(REPOSITORY_ROOT, '.tools', 'kubernetes-client', 'usr', 'bin', 'kubectl');

/** What kustomize builds; each must build on its own. */
export const KUSTOMIZATIONS = ['deploy/kubernetes/base', 'deploy/kubernetes/overlays/example'];

/** Plain manifests applied without kustomize. */
export const PLAIN_MANIFESTS = [
  'deploy/kubernetes/prometheus-adapter/configmap.yaml',
  'deploy/kserve/servingruntime.yaml',
  'deploy/kserve/inferenceservice.yaml',
];

type Validator = (object: unknown) => void;

// One row per apiVersion/kind that deploy/ uses; anything else fails as having no schema, rather
// than passing unchecked.
const SCHEMAS: Readonly<Record<string, Validator>> = {
  'v1/Namespace': (o) => new Namespace(o as INamespace).validate(),
  'v1/Service': (o) => new Service(o as IService).validate(),
  'v1/ConfigMap': (o) => new ConfigMap(o as IConfigMap).validate(),
  'v1/PersistentVolumeClaim': (o) => new PersistentVolumeClaim(o as IPersistentVolumeClaim).validate(),
  'apps/v1/Deployment': (o) => new Deployment(o as IDeployment).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => new HorizontalPodAutoscaler(o as IHorizontalPodAutoscaler).validate(),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as IPodDisruptionBudget).validate(),
  'monitoring.coreos.com/v1/ServiceMonitor': (o) => new ServiceMonitor(o as IServiceMonitor).validate(),
  'serving.kserve.io/v1alpha1/ServingRuntime': (o) => validateContainers('spec.containers', containersOf(o)),
  'serving.kserve.io/v1beta1/InferenceService': (o) => validateContainers('spec.predictor.model', predictorModelOf(o)),
};

const PARTIAL_SCHEMA_NOTE: Readonly<Record<string, string>> = {
  'serving.kserve.io/v1alpha1/ServingRuntime': 'containers only: no KServe schema package',
  'serving.kserve.io/v1beta1/InferenceService': 'predictor container fields only: no KServe schema package',
};

export interface ManifestResult {
  /** File or kustomization the object came from. */
  readonly source: string;
  /** `Kind/name`, or what could be read of it. */
  readonly object: string;
  /** The schema error; undefined when the object is valid. */
  readonly problem?: string;
  /** What the validation did not cover. */
  readonly note?: string;
}

/** Every YAML document of `text` that is not empty; a YAML syntax error throws, naming `source`. */
export function parseManifests(text: string, source: string): unknown[] {
  return parseAllDocuments(text).flatMap((doc) => {
    if (doc.errors.length > 0) throw new Error(`${source}: not valid YAML: ${doc.errors.map((e) => e.message).join('; ')}`);
    const value: unknown = doc.toJS();
    return value === null || value === undefined ? [] : [value];
  });
}

/** Validates one object against the schema of its apiVersion and kind. */
export function validateManifest(object: unknown, source: string): ManifestResult {
  if (!isRecord(object)) return { source, object: '(not an object)', problem: 'a manifest must be a YAML mapping' };
  const kind = typeof object.kind === 'string' ? object.kind : undefined;
  const apiVersion = typeof object.apiVersion === 'string' ? object.apiVersion : undefined;
  const metadata = isRecord(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const label = `${kind ?? '(no kind)'}/${name ?? '(no name)'}`;
  if (kind === undefined || apiVersion === undefined) return { source, object: label, problem: 'apiVersion and kind are required' };
  if (name === undefined) return { source, object: label, problem: 'metadata.name is required' };
  const key = `${apiVersion}/${kind}`;
  const validate = SCHEMAS[key];
  if (validate === undefined) return { source, object: label, problem: `no schema for ${key} (known: ${Object.keys(SCHEMAS).join(', ')})` };
  const note = PARTIAL_SCHEMA_NOTE[key];
  try {
    validate(object);
  } catch (error) {
    return { source, object: label, problem: error instanceof Error ? error.message : String(error), ...(note ? { note } : {}) };
  }
  return { source, object: label, ...(note ? { note } : {}) };
}

/** Validates every document of a YAML file. */
export function validateFile(path: string): ManifestResult[] {
  const source = relative(REPOSITORY_ROOT, path);
  return parseManifests(readFileSync(path, 'utf8'), source).map((object) => validateManifest(object, source));
}

/** The kubectl to build with: $KUBECTL, else the one .ci/run unpacks into .tools/. */
export function findKubectl(env: NodeJS.ProcessEnv = process.env): string {
  const kubectl = env.KUBECTL ?? BUNDLED_KUBECTL;
  // Not the kubectl on PATH: a newer one's kustomize accepts syntax that CI's kustomize v2 rejects.
  if (!existsSync(kubectl)) {
    throw new Error(`kubectl not found at ${kubectl}: set KUBECTL, or unpack Debian's kubernetes-client into .tools/ as .ci/run does`);
  }
  return kubectl;
}

/** `kubectl kustomize <dir>`: the YAML that `kubectl apply -k <dir>` would apply. */
export function kustomizeBuild(kubectl: string, directory: string): string {
  try {
    return execFileSync(kubectl, ['kustomize', join(REPOSITORY_ROOT, directory)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const stderr = isRecord(error) && typeof error.stderr === 'string' ? error.stderr.trim() : String(error);
    throw new Error(`kustomize build of ${directory} failed: ${stderr}`, { cause: error });
  }
}

function validateContainers(path: string, containers: unknown[]): void {
  if (containers.length === 0) throw new Error(`${path} holds no container`);
  containers.forEach((container, index) => {
    try {
      new Container(container as IContainer).validate();
    } catch (error) {
      throw new Error(`${path}[${index}]: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  });
}

function containersOf(object: unknown): unknown[] {
  const spec = isRecord(object) && isRecord(object.spec) ? object.spec : {};
  return Array.isArray(spec.containers) ? spec.containers as unknown[] : [];
}

function predictorModelOf(object: unknown): unknown[] {
  const spec = isRecord(object) && isRecord(object.spec) ? object.spec : {};
  const predictor = isRecord(spec.predictor) ? spec.predictor : {};
  // The model spec embeds a core/v1 Container (name, args, env, resources...) beside its own fields.
  return isRecord(predictor.model) ? [{ name: 'kserve-container', ...predictor.model }] : [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function main(): void {
  const results: ManifestResult[] = [];
  let failed = false;
  try {
    const kubectl = findKubectl();
    for (const directory of KUSTOMIZATIONS) {
      results.push(...parseManifests(kustomizeBuild(kubectl, directory), directory).map((object) => validateManifest(object, directory)));
    }
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    failed = true;
  }
  for (const file of PLAIN_MANIFESTS) results.push(...validateFile(join(REPOSITORY_ROOT, file)));
  for (const result of results) {
    const note = result.note ? ` (${result.note})` : '';
    if (result.problem === undefined) console.log(`${result.source}: ${result.object}: ok${note}`);
    else console.error(`${result.source}: ${result.object}: INVALID: ${result.problem}${note}`);
  }
  const invalid = results.filter((r) => r.problem !== undefined).length;
  console.log(`${results.length} objects, ${invalid} invalid`);
  if (failed || invalid > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) main();

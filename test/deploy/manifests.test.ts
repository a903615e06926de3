// The manifests of deploy/, validated without kubectl: the raw files against the same schemas
// scripts/check-manifests.ts uses (CI also builds the kustomizations with kubectl), plus the
// numbers that must agree with the server (ports, probes, the drain).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { IDeployment } from 'kubernetes-models/apps/v1';
import { WHARF_METRICS } from '../../src/metrics/index.js';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { PLAIN_MANIFESTS, REPOSITORY_ROOT, findKubectl, parseManifests, validateFile, validateManifest } from '../../scripts/check-manifests.js';

const BASE = join(REPOSITORY_ROOT, 'deploy', 'kubernetes', 'base');

function baseFiles(): string[] {
  return readdirSync(BASE).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').map((f) => join(BASE, f));
}

function baseDeployment(): IDeployment {
  return parse(readFileSync(join(BASE, 'deployment.yaml'), 'utf8')) as IDeployment;
}

function wharfContainer(deployment: IDeployment) {
  return deployment.spec!.template.spec!.containers[0]!;
}

describe('deploy/ manifests', () => {
  it('every base resource and plain manifest validates against its schema', () => {
    const files = [...baseFiles(), ...PLAIN_MANIFESTS.map((f) => join(REPOSITORY_ROOT, f))];
    const results = files.flatMap((f) => validateFile(f));
    assert.deepEqual(results.filter((r) => r.problem !== undefined), []);
    assert.deepEqual(results.map((r) => r.object).sort(), [
      'ConfigMap/prometheus-adapter', 'Deployment/wharf', 'HorizontalPodAutoscaler/wharf', 'InferenceService/mlp-classifier',
      'PersistentVolumeClaim/wharf-models', 'PodDisruptionBudget/wharf', 'Service/wharf', 'ServiceMonitor/wharf', 'ServingRuntime/wharf',
    ]);
  });

  it('the base kustomization lists every resource file of the folder', () => {
    const kustomization = parse(readFileSync(join(BASE, 'kustomization.yaml'), 'utf8')) as { resources: string[] };
    assert.deepEqual([...kustomization.resources].sort(), baseFiles().map((f) => f.slice(BASE.length + 1)).sort());
  });

  it('rejects a container port given as a string, naming the field', () => {
    const deployment = baseDeployment();
    Object.assign(wharfContainer(deployment).ports![0]!, { containerPort: '8000' });
    const result = validateManifest(deployment, 'test');
    assert.equal(result.object, 'Deployment/wharf');
    assert.match(result.problem ?? '', /containers\/0\/ports\/0\/containerPort must be integer/);
  });

  it('rejects a Deployment without a selector, and a probe period that is not a number', () => {
    const noSelector = baseDeployment();
    delete (noSelector.spec as Partial<IDeployment['spec']>)!.selector;
    assert.match(validateManifest(noSelector, 'test').problem ?? '', /spec must have required property 'selector'|selector/);
    const badProbe = baseDeployment();
    Object.assign(wharfContainer(badProbe).startupProbe!, { periodSeconds: 'five' });
    assert.match(validateManifest(badProbe, 'test').problem ?? '', /startupProbe\/periodSeconds must be integer/);
  });

  it('rejects a KServe runtime container with a bad field, and a runtime with no container', () => {
    const [runtime] = parseManifests(readFileSync(join(REPOSITORY_ROOT, 'deploy/kserve/servingruntime.yaml'), 'utf8'), 'test') as { spec: { containers: object[] } }[];
    Object.assign(runtime!.spec.containers[0]!, { resources: { limits: 'two cores' } });
    assert.match(validateManifest(runtime, 'test').problem ?? '', /spec\.containers\[0\]: .*resources\/limits must be object/);
    runtime!.spec.containers = [];
    assert.match(validateManifest(runtime, 'test').problem ?? '', /spec\.containers holds no container/);
  });

  it('rejects objects it has no schema for, and objects without kind or name', () => {
    assert.match(validateManifest({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } }, 'test').problem ?? '', /no schema for v1\/Pod/);
    assert.match(validateManifest({ metadata: { name: 'p' } }, 'test').problem ?? '', /apiVersion and kind are required/);
    assert.match(validateManifest({ apiVersion: 'v1', kind: 'Service' }, 'test').problem ?? '', /metadata\.name is required/);
    assert.match(validateManifest('text', 'test').problem ?? '', /must be a YAML mapping/);
  });

  it('reports invalid YAML naming the file, and a missing kubectl naming the path', () => {
    assert.throws(() => parseManifests('a: [1, 2', 'broken.yaml'), /broken\.yaml: not valid YAML/);
    assert.throws(() => findKubectl({ KUBECTL: '/nonexistent/kubectl' }), /kubectl not found at \/nonexistent\/kubectl/);
  });

  it('gives the drain time to finish: grace period > preStop sleep + WHARF_SHUTDOWN_TIMEOUT', () => {
    const deployment = baseDeployment();
    const pod = deployment.spec!.template.spec!;
    const container = wharfContainer(deployment);
    const command = container.lifecycle!.preStop!.exec!.command!;
    assert.equal(command[0], 'sleep');
    const sleep = Number(command[1]);
    const shutdown = Number(container.env!.find((e) => e.name === 'WHARF_SHUTDOWN_TIMEOUT')?.value);
    assert.ok(Number.isInteger(sleep) && Number.isInteger(shutdown), `preStop sleep ${command[1]} and WHARF_SHUTDOWN_TIMEOUT ${shutdown} must be integers`);
    const grace = pod.terminationGracePeriodSeconds ?? 30;
    assert.ok(grace > sleep + shutdown, `terminationGracePeriodSeconds ${grace} must exceed ${sleep} + ${shutdown}`);
    // A draining pod has closed its listeners: liveness must not fail it before the drain ends.
    const liveness = container.livenessProbe!;
    assert.ok((liveness.periodSeconds ?? 10) * (liveness.failureThreshold ?? 3) > shutdown);
  });

  it('probes the health endpoints on the ports the server listens on', () => {
    const container = wharfContainer(baseDeployment());
    assert.deepEqual(container.ports, [{ name: 'http', containerPort: 8000 }, { name: 'grpc', containerPort: 8001 }, { name: 'metrics', containerPort: 8002 }]);
    assert.deepEqual(container.livenessProbe?.httpGet, { path: '/v2/health/live', port: 'http' });
    assert.deepEqual(container.startupProbe?.httpGet, { path: '/v2/health/live', port: 'http' });
    assert.deepEqual(container.readinessProbe?.httpGet, { path: '/v2/health/ready', port: 'http' });
  });

  it('the adapter rule is the same in the Helm values and the ConfigMap, and serves the metric the HPA targets', () => {
    const dir = join(REPOSITORY_ROOT, 'deploy', 'kubernetes', 'prometheus-adapter');
    const values = parse(readFileSync(join(dir, 'values.yaml'), 'utf8')) as { rules: { custom: { name: { as: string } }[] } };
    const configMap = parse(readFileSync(join(dir, 'configmap.yaml'), 'utf8')) as { data: Record<string, string> };
    const config = parse(configMap.data['config.yaml']!) as { rules: unknown[] };
    assert.deepEqual(config.rules, values.rules.custom);
    const hpa = parse(readFileSync(join(BASE, 'hpa.yaml'), 'utf8')) as { spec: { metrics: { type: string; pods?: { metric: { name: string } } }[] } };
    const podMetric = hpa.spec.metrics.find((m) => m.type === 'Pods')?.pods?.metric.name;
    assert.equal(podMetric, values.rules.custom[0]!.name.as);
    assert.equal(podMetric, WHARF_METRICS.queueDepth.name);
  });

  it('uses only WHARF_* variables and flags that `wharf serve` has', () => {
    const options = serveCommand().options;
    const known = new Set(options.flatMap((o) => [o.envVar, o.long].filter((n): n is string => n !== undefined)));
    const overlay = parse(readFileSync(join(REPOSITORY_ROOT, 'deploy/kubernetes/overlays/example/deployment-patch.yaml'), 'utf8')) as IDeployment;
    const variables = [baseDeployment(), overlay].flatMap((d) => wharfContainer(d).env ?? []).map((e) => e.name);
    assert.ok(variables.length >= 4, `found ${variables.length} variables`);
    for (const name of variables) assert.ok(known.has(name), `${name} is not a wharf serve variable`);
    const [runtime] = parseManifests(readFileSync(join(REPOSITORY_ROOT, 'deploy/kserve/servingruntime.yaml'), 'utf8'), 'test') as { spec: { containers: { args: string[] }[] } }[];
    const flags = runtime!.spec.containers[0]!.args.map((a) => a.split('=')[0]!);
    assert.ok(flags.includes('--model-repository'));
    for (const flag of flags) assert.ok(known.has(flag), `${flag} is not a wharf serve flag`);
    assert.ok(!known.has('--no-such-flag'));
  });
});

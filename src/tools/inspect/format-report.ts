/**
 * @module
 * The readable form of a ModelReport: sections of aligned tables, human units.
 */
import { formatBytes } from '../evaluate/index.js';
import type { ModelReport, RankedLayer } from './inspect-model.js';
import { formatFlops, formatShape, formatShare, formatSi, textTable } from './text-table.js';

export function formatReport(report: ModelReport): string[] {
  const lines: string[] = [];
  const producer = [report.producer.name, report.producer.version].filter((part) => part !== '').join(' ') || '(none)';
  lines.push(`producer ${producer}, IR version ${report.irVersion ?? '?'}${report.modelVersion === undefined ? '' : `, model version ${report.modelVersion}`}`);
  lines.push(`opsets: ${report.opsets.map((opset) => `${opset.domain} ${opset.version}`).join(', ') || '(none)'}`);
  if (report.docString !== undefined) lines.push(`doc: ${report.docString}`);
  const metadata = Object.entries(report.metadata);
  if (metadata.length > 0) lines.push('metadata:', ...textTable(['key', 'value'], metadata));

  const io = (tensors: ModelReport['inputs']): string[][] => tensors.map((t) => [t.name, t.datatype, t.shape === undefined ? '(unknown rank)' : formatShape(t.shape)]);
  lines.push('', 'inputs:', ...textTable(['name', 'datatype', 'shape'], io(report.inputs)));
  lines.push('outputs:', ...textTable(['name', 'datatype', 'shape'], io(report.outputs)));

  const subgraphs = report.subgraphNodes > 0 ? ` (+ ${report.subgraphNodes} in subgraphs, not counted below)` : '';
  lines.push('', `operators: ${report.totals.nodes} nodes${subgraphs}`);
  lines.push(...textTable(['op', '>count'], report.operators.map((op) => [op.domain === undefined ? op.opType : `${op.domain}.${op.opType}`, String(op.count)])));

  const { parameters } = report;
  const exact = formatSi(parameters.count) === String(parameters.count) ? '' : ` (${parameters.count})`;
  lines.push('', `parameters: ${formatSi(parameters.count)}${exact} in ${formatBytes(parameters.bytes)}${parameters.sparseTensors > 0 ? `, ${parameters.sparseTensors} sparse tensors` : ''}`);
  if (parameters.byDatatype.length > 0) {
    lines.push(...textTable(['datatype', '>tensors', '>parameters', '>bytes'], parameters.byDatatype.map((row) => [row.datatype, String(row.tensors), formatSi(row.count), formatBytes(row.bytes)])));
  }

  const shapes = report.estimatedFor.map((spec) => `${spec.name}=${formatShape(spec.dims)}`).join(' ');
  lines.push('', `per node, for inputs ${shapes} (FLOPs count a multiply-add as 2):`);
  lines.push(...textTable(['node', 'op', 'output shape', '>FLOPs', '>activations', '>parameters'], report.nodes.map((node) => [
    node.name,
    node.domain === undefined ? node.opType : `${node.domain}.${node.opType}`,
    node.outputs.map((output) => (output.dims === undefined ? '?' : formatShape(output.dims))).join(' '),
    node.flops === undefined ? '?' : formatFlops(node.flops),
    formatBytes(node.activationBytes),
    node.parameterBytes === 0 ? '' : formatBytes(node.parameterBytes),
  ])));
  const { totals } = report;
  const unknown = totals.nodesWithoutFlops > 0 ? ` (${totals.nodesWithoutFlops} nodes without an estimate)` : '';
  lines.push('', `total: ${formatFlops(totals.flops)}${unknown}; activations ${formatBytes(totals.activationBytes)} written, peak about ${formatBytes(totals.peakActivationBytes)}${totals.peakAtNode === undefined ? '' : ` (at ${totals.peakAtNode})`}`);

  const ranked = (title: string, layers: readonly RankedLayer[], unit: (value: number) => string): void => {
    if (layers.length === 0) return;
    lines.push('', `${title}:`, ...textTable(['node', 'op', '>value', '>share'], layers.map((layer) => [layer.name, layer.opType, unit(layer.value), formatShare(layer.share)])));
  };
  ranked('largest layers by FLOPs', report.largest.byFlops, formatFlops);
  ranked('largest layers by parameter bytes', report.largest.byParameterBytes, formatBytes);

  if (report.unresolved.length > 0) {
    lines.push('', `shapes not inferred for ${report.unresolved.length} nodes (their FLOPs and memory are missing from the totals):`);
    lines.push(...textTable(['node', 'op', 'reason'], report.unresolved.map((node) => [node.node, node.opType, node.reason])));
  }
  return lines;
}

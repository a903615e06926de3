// JSON tensor codec throughput: 1,000,000-element FP32 request decode (with and without
// JSON.parse) and response encode. Run: npx tsc -p tsconfig.json && node dist/bench/json-codec.js
import { decodeInferRequestJson, encodeInferRequestJson, encodeInferResponseJson } from '../src/protocol/index.js';
import type { InferRequest, InferResponse } from '../src/core/index.js';

const ELEMENTS = Number(process.env.ELEMENTS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 7);

const values = new Float32Array(ELEMENTS);
for (let i = 0; i < ELEMENTS; i++) values[i] = Math.random() * 2 - 1;
const tensor = { name: 'x', datatype: 'FP32' as const, shape: [1, ELEMENTS], data: values };
const request: InferRequest = { modelName: 'm', inputs: [tensor] };
const response: InferResponse = { modelName: 'm', modelVersion: '1', outputs: [tensor] };
const requestText = encodeInferRequestJson(request);
const parsed: unknown = JSON.parse(requestText);

function measure(name: string, run: () => unknown): void {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const start = process.hrtime.bigint();
    run();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${name.padEnd(34)} median ${median.toFixed(1).padStart(7)} ms  min ${times[0]!.toFixed(1).padStart(7)} ms  ${(1000 / median).toFixed(2)} ops/s  ${(ELEMENTS / median / 1000).toFixed(1)} M elements/s`);
}

console.log(`FP32 x ${ELEMENTS} elements, request body ${(requestText.length / 1e6).toFixed(1)} MB, ${ROUNDS} rounds`);
measure('JSON.parse only', () => JSON.parse(requestText));
measure('decode request (parsed body)', () => decodeInferRequestJson(parsed, { modelName: 'm' }));
measure('JSON.parse + decode request', () => decodeInferRequestJson(JSON.parse(requestText), { modelName: 'm' }));
measure('encode response', () => encodeInferResponseJson(response));
measure('baseline: Float32Array.join', () => `[${values.join(',')}]`);
measure('baseline: JSON.stringify(Array.from)', () => JSON.stringify(Array.from(values)));

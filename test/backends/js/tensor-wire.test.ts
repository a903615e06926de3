import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fromWire, toWire } from '../../../src/backends/js/tensor-wire.js';
import type { Tensor } from '../../../src/core/index.js';

const utf8 = new TextEncoder();

describe('tensor wire form', () => {
  it('moves numeric buffers and packs BYTES elements into one moved buffer', () => {
    const body = utf8.encode('xxhelloworldxx');
    const x: Tensor = { name: 'x', datatype: 'FP32', shape: [2], data: new Float32Array([1, 2]) };
    const s: Tensor = { name: 's', datatype: 'BYTES', shape: [3], data: [body.subarray(2, 7), body.subarray(7, 12), new Uint8Array(0)] };
    const { groups, transfer } = toWire([[x], [s]]);
    assert.equal(transfer.length, 3, 'the FP32 buffer, the packed bytes and their ends');
    const received = structuredClone(groups, { transfer });
    assert.equal(x.data.length, 0, "the sender's numeric array is detached: moved, not copied");
    assert.equal(body.length, 14, 'the request body behind BYTES elements is left alone');
    const [[rx], [rs]] = received.map((g) => g.map(fromWire)) as [[Tensor], [Tensor]];
    assert.deepEqual([...(rx.data as Float32Array)], [1, 2]);
    assert.deepEqual((rs.data as Uint8Array[]).map((e) => Buffer.from(e).toString()), ['hello', 'world', '']);
    assert.deepEqual(rs.shape, [3]);
  });

  it('copies a numeric view into a larger buffer before moving it', () => {
    const big = new Float32Array([1, 2, 3, 4]);
    const view: Tensor = { name: 'v', datatype: 'FP32', shape: [2], data: big.subarray(1, 3) };
    const { groups, transfer } = toWire([[view]]);
    structuredClone(groups, { transfer });
    assert.deepEqual([...big], [1, 2, 3, 4], 'the larger buffer is still usable');
  });
});

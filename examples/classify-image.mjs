#!/usr/bin/env node
// Classifies JPEG or PNG files with the image_pipeline example model, through wharf/client.
//
//   node examples/classify-image.mjs examples/images/*
//   WHARF_PROTOCOL=grpc WHARF_URL=localhost:8001 node examples/classify-image.mjs examples/images/sunset.jpg
//
// WHARF_URL (default localhost:8000, or localhost:8001 for gRPC) and WHARF_PROTOCOL (http or grpc)
// are the variables the wharf CLI reads too. All files go in one request, one row each (at most 8,
// the model's max_batch_size). Run `npm run build` first: wharf/client is served from dist/.
/* eslint-disable no-console -- a command-line example: it prints its results */
import { readFile } from 'node:fs/promises';
import { createClient, InferenceError } from 'wharf/client';

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error('usage: node examples/classify-image.mjs <image.jpg|image.png>...');
  process.exit(2);
}
const protocol = process.env.WHARF_PROTOCOL === 'grpc' ? 'grpc' : 'http';
const url = process.env.WHARF_URL ?? (protocol === 'grpc' ? 'localhost:8001' : 'localhost:8000');
const client = createClient(protocol, { url });
try {
  const images = await Promise.all(files.map((file) => readFile(file)));
  const { outputs } = await client.infer({
    modelName: 'image_pipeline',
    inputs: [{ name: 'image', datatype: 'BYTES', shape: [images.length, 1], data: images }],
  });
  const labels = outputs.find((o) => o.name === 'labels');
  const scores = outputs.find((o) => o.name === 'scores');
  const k = labels.shape[1];
  const text = new TextDecoder();
  files.forEach((file, row) => {
    const top = Array.from({ length: k }, (_, j) => `${text.decode(labels.data[row * k + j])} ${scores.data[row * k + j].toFixed(2)}`);
    console.log(`${file}: ${top.join(', ')}`);
  });
} catch (error) {
  console.error(error instanceof InferenceError ? `${error.code}: ${error.message}` : error);
  process.exitCode = 1;
} finally {
  client.close();
}

import { readFileSync } from 'node:fs';
import { findProjectFile } from '../core/index.js';

const manifest = JSON.parse(readFileSync(findProjectFile('package.json'), 'utf8')) as { name: string; version: string };

export const SERVER_NAME: string = manifest.name;
export const SERVER_VERSION: string = manifest.version;

// Writes docs/errors.md from the error registry, so the table can never drift from the code.
// Run: npm run build && node dist/scripts/generate-error-docs.js
import { writeFileSync } from 'node:fs';
import { renderErrorDocs } from '../src/errors/error-docs.js';

writeFileSync(process.argv[2] ?? 'docs/errors.md', renderErrorDocs());

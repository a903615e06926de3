import { ERROR_CODES } from './codes.js';
import { ERROR_KINDS } from './status-map.js';

/** docs/errors.md, rendered from the registry; a test fails when the committed file differs. */
export function renderErrorDocs(): string {
  const rows = Object.entries(ERROR_CODES).map(([code, entry]) => {
    const status = ERROR_KINDS[entry.kind];
    return `| \`${code}\` | ${entry.kind} | ${status.http} | ${status.grpc} | ${entry.meaning} | ${entry.fix} |`;
  });
  return [
    '# Error codes',
    '',
    'Every error Wharf returns carries a stable code. Over HTTP the body is',
    '`{"error": "<message>", "code": "<code>"}` with the status below; over gRPC the status code below.',
    'This file is generated from `src/errors/codes.ts` by `node dist/scripts/generate-error-docs.js`; do not edit it by hand.',
    '',
    '| Code | Kind | HTTP | gRPC | Meaning | How to fix |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}

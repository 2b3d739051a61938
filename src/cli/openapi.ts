import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { OPENAPI_DOCUMENT_PATH, renderOpenApiDocument } from './openapi-document';

/**
 * `npm run openapi` (from the repository root): writes docs/openapi.json from the code, without a
 * running server, Redis or keys. test/openapi-document.e2e-spec.ts fails while the committed file
 * differs from what this writes. The npm script then regenerates examples/client/src/schema.d.ts
 * from it, when that example is installed.
 */
renderOpenApiDocument().then(
  (document) => {
    writeFileSync(OPENAPI_DOCUMENT_PATH, document);
    console.log(`wrote ${OPENAPI_DOCUMENT_PATH}`);
    process.exit(0);
  },
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OPENAPI_DOCUMENT_PATH, renderOpenApiDocument } from '../src/cli/openapi-document';

const ROOT = join(__dirname, '..');

describe(`${OPENAPI_DOCUMENT_PATH}, the committed OpenAPI document`, () => {
  it('is what the code generates (after a change to a route or DTO: npm run openapi)', async () => {
    const committed = readFileSync(join(ROOT, OPENAPI_DOCUMENT_PATH), 'utf8');
    const generated = await renderOpenApiDocument();
    // Parsed first, so a stale file fails with a readable diff of the document, not of one long
    // string; then byte for byte, so the file is exactly what `npm run openapi` writes.
    expect(JSON.parse(committed)).toEqual(JSON.parse(generated));
    expect(committed).toBe(generated);
  });
});

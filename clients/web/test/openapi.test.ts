// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';

const description = new URL('../../../NanoBanana.Functions/Api/openapi.json', import.meta.url);
const generated = fileURLToPath(new URL('../src/openapi.ts', import.meta.url));

// The client's types come from the API's OpenAPI description; this fails when src/openapi.ts is not
// what openapi-typescript makes of the current description (run `npm run generate:api`).
describe('the client types', () => {
  it('are generated from the API description as it is now', async () => {
    const fresh = astToString(await openapiTS(description));
    const committed = readFileSync(generated, 'utf8').replace(/^\/\*\*[\s\S]*?\*\/\s*/, '');

    expect(committed.trim()).toBe(fresh.trim());
  });
});

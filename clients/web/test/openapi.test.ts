// @vitest-environment node
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { terminalStatuses } from '../src/types.js';

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

// The server's status sets travel in the description (x-status-sets, tested equal to the C# sets there);
// the client keeps one of them, and must keep it the same.
describe('the client status sets', () => {
  it('hold the terminal set the API describes', () => {
    const schemas = JSON.parse(readFileSync(description, 'utf8')).components.schemas;
    const sets = schemas.GenerationStatus['x-status-sets'] as Record<string, string[] | undefined>;
    const terminal = sets['terminal'] ?? [];

    expect([...terminalStatuses].sort()).toEqual([...terminal].sort());
    expect(terminal.length > 0 && terminal.every((status) => schemas.GenerationStatus.enum.includes(status))).toBe(true);
  });
});

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { adoptTokenFromFragment, currentToken } from '../demo/src/config.js';

const web = join(__dirname, '..');

describe('the demo page and its token', () => {
  afterEach(() => localStorage.clear());

  it('builds no token in: the only build-time variables it reads are the API URL and the base path', () => {
    const sources = readdirSync(join(web, 'demo', 'src')).map((name) => readFileSync(join(web, 'demo', 'src', name), 'utf8'));
    const runLocal = readFileSync(join(web, '..', '..', 'scripts', 'run-local.sh'), 'utf8');

    const read = new Set(sources.flatMap((source) => [...source.matchAll(/import\.meta\.env\.([A-Z_]+)/g)].map((m) => m[1])));

    expect([...read].sort()).toEqual(['BASE_URL', 'VITE_NANOBANANA_API_URL']);
    expect(runLocal).not.toMatch(/VITE_\w*TOKEN/);
    expect(readFileSync(join(web, 'demo', '.env.example'), 'utf8')).not.toMatch(/VITE_\w*TOKEN/);
  });

  it('takes a token handed over in the fragment, and takes it out of the address', () => {
    history.replaceState(null, '', '/?generation=g1#token=header.payload.signature');

    adoptTokenFromFragment();

    expect(currentToken()).toBe('header.payload.signature');
    expect(window.location.hash).toBe('');
    expect(window.location.search).toBe('?generation=g1');
  });
});

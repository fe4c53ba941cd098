import { spawn, type ChildProcess } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { build, preview, type PreviewServer } from 'vite';
import type { TestProject } from 'vitest/node';
import { chromiumPath, launchOptions } from './browser.js';
import { checkChromium, playwrightCore } from './chromium.js';
import { artifacts } from './paths.js';

const here = dirname(fileURLToPath(import.meta.url));
const repository = join(here, '..', '..', '..');

declare module 'vitest' {
  export interface ProvidedContext {
    apiUrl: string;
    controlUrl: string;
    pageUrl: string;
  }
}

/**
 * Starts what the browser tests run against: the test HTTP front (real functions, Postgres, Azurite,
 * the worker, the Gemini fake) as a process, and the reference page built and served on an origin
 * of its own, so every API call is a real cross-origin request under the host's CORS.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  mkdirSync(artifacts, { recursive: true });
  const version = await checkChromium(chromiumPath, launchOptions);
  writeFileSync(join(artifacts, 'browser.txt'), `Chromium ${version} at ${chromiumPath}, playwright-core ${playwrightCore().version}\n`);

  const pagePort = await freePort();
  const pageOrigin = `http://127.0.0.1:${pagePort}`;
  const front = await startFront(pageOrigin);
  let server: PreviewServer | undefined;
  try {
    const outDir = join(artifacts, 'demo');
    process.env.VITE_NANOBANANA_API_URL = front.apiUrl;
    // The page as it ships: a production build (vitest's NODE_ENV=test would give React's development build).
    process.env.NODE_ENV = 'production';
    await build({ configFile: join(here, '..', 'demo', 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    server = await preview({ configFile: join(here, '..', 'demo', 'vite.config.ts'), logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: pagePort, strictPort: true } });
  } catch (error) {
    await front.stop();
    throw error;
  }

  project.provide('apiUrl', front.apiUrl);
  project.provide('controlUrl', front.controlUrl);
  project.provide('pageUrl', pageOrigin);
  return async () => {
    await server?.close();
    await front.stop();
  };
}

interface Front {
  apiUrl: string;
  controlUrl: string;
  stop(): Promise<void>;
}

async function startFront(pageOrigin: string): Promise<Front> {
  const dll = join(repository, 'NanoBanana.Functions.Tests', 'bin', 'Debug', 'net10.0', 'NanoBanana.Functions.Tests.dll');
  if (!existsSync(dll)) {
    throw new Error(`${dll} is missing: run dotnet build (scripts/test.sh does) before the browser suite.`);
  }

  // Host.CORS allows the page's origin, as local.settings.json would; Gemini calls may be held for a while.
  const settings = join(artifacts, 'front.settings.json');
  writeFileSync(settings, JSON.stringify({
    Values: { Api__PollAfterSeconds: '10', Gemini__AttemptTimeoutSeconds: '120', Gemini__TotalTimeoutSeconds: '240', Processing__LeaseSeconds: '300', ...pushSettings() },
    Host: { CORS: pageOrigin, CORSCredentials: false },
  }));

  const child = spawn('dotnet', [dll, 'front', '--test', '--settings', settings], { cwd: repository, stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(join(artifacts, 'front.log'));
  child.stderr.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const ready = await new Promise<string>((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error('The HTTP front did not start within 120 s; see e2e/.artifacts/front.log.')), 120_000);
    void exited.then((code) => reject(new Error(`The HTTP front exited (${code}) before it was ready; see e2e/.artifacts/front.log.`)));
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('front ready')) {
        clearTimeout(timeout);
        resolve(line);
      }
    });
  });

  const field = (name: string) => new RegExp(`${name}=(\\S+)`).exec(ready)?.[1] ?? '';
  return {
    apiUrl: field('api'),
    controlUrl: field('control'),
    stop: () => stopProcess(child, exited),
  };
}

/** SIGTERM lets the front drop its test database; SIGKILL if it does not go. */
async function stopProcess(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(killer);
}

/**
 * Web Push on, with a fresh VAPID pair and loopback endpoints allowed: the page's subscription (from a
 * stand-in push manager, e2e/push.ts: headless Chromium has no push service) is then one the API keeps.
 */
function pushSettings(): Record<string, string> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const { x, y } = publicKey.export({ format: 'jwk' });
  const { d } = privateKey.export({ format: 'jwk' });
  const point = Buffer.concat([Buffer.from([4]), Buffer.from(x!, 'base64url'), Buffer.from(y!, 'base64url')]);
  return {
    Push__VapidSubject: 'mailto:e2e@nanobanana.test',
    Push__VapidPublicKey: point.toString('base64url'),
    Push__VapidPrivateKey: d!,
    Push__ExtraEndpointHosts__0: '127.0.0.1',
    Outbound__AllowLoopback: 'true',
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

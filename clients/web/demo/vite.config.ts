import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

// The reference page. React without @vitejs/plugin-react: esbuild's automatic JSX runtime is enough.
// The client is used from source, as an app would use the built package.
export default defineConfig({
  root: here('.'),
  envDir: here('.'),
  esbuild: { jsx: 'automatic' },
  resolve: {
    alias: [
      { find: '@nanobanana/client/react', replacement: here('../src/react/index.ts') },
      { find: '@nanobanana/client', replacement: here('../src/index.ts') },
    ],
  },
  server: { host: '127.0.0.1', port: 5173 },
  preview: { host: '127.0.0.1', port: 4173 },
  build: { outDir: here('dist'), emptyOutDir: true },
});

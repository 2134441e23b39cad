import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';

// The API server the dev UI proxies to; override when the server runs elsewhere.
const apiTarget = process.env.CLEARINGHOUSE_API_URL ?? 'http://localhost:8080';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('./dist', import.meta.url)),
    emptyOutDir: true,
    // USWDS ships a large stylesheet, and zxcvbn's dictionaries (about 1.2 MB) are a chunk loaded only when a password
    // is typed; the warning would only be noise in `npm test`.
    chunkSizeWarningLimit: 1600,
  },
  server: {
    port: 5173,
    // The UI imports the server's policy vocabulary from ../src; let the dev server read it.
    fs: { allow: [fileURLToPath(new URL('..', import.meta.url))] },
    proxy: {
      // The browser sees one origin in development as in production, so the session cookie and CSRF rules hold.
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget },
      '/readyz': { target: apiTarget },
    },
  },
});

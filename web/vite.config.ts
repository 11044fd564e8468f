import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const webRoot = fileURLToPath(new URL('.', import.meta.url));

// The API server (npm run dev) answers /api; the Vite dev server proxies to it so cookies stay same-origin.
export default defineConfig({
  root: webRoot,
  plugins: [react()],
  // Mantine and its icons make one ~800 kB bundle; a staff tool served from the same machine does not need splitting yet.
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});

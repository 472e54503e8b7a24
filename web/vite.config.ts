import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The dashboard's build: `npm run web:build` writes web/dist, which the API server serves beside /trpc
 * (src/api/static-files.ts). `npm run web:dev` serves it with hot reload and sends /trpc to `npm start`.
 * Everything is bundled (Mermaid too): the page loads nothing from anywhere but its own server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Mermaid's renderer is one large lazily loaded chunk; the page itself is small.
    chunkSizeWarningLimit: 3_000,
  },
  server: { proxy: { '/trpc': 'http://127.0.0.1:3000', '/metrics': 'http://127.0.0.1:3000' } },
});

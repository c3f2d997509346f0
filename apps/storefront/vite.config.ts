import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'

// `npm run dev` proxies the API to a platform started with `npm start` (gateway on 8080).
export default defineConfig({
  plugins: [preact({ prerender: { enabled: false } })],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/.well-known': 'http://127.0.0.1:8080' },
  },
})

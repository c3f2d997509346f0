import preact from '@preact/preset-vite'
import { defineConfig } from 'vite'
import { compression } from 'vite-plugin-compression2'

// `npm run dev` proxies the API to a platform started with `npm start` (gateway on 8080).
export default defineConfig({
  plugins: [
    preact({ prerender: { enabled: false } }),
    // Brotli and gzip copies of the text files, made once here at the best quality: the gateway
    // sends them as they are (`preCompressed`, services/gateway/src/http/storefront.ts) instead
    // of compressing the scripts again for every visitor (~5 ms of its CPU each). Under 1 KB the
    // gateway sends the file as it is anyway.
    compression({
      algorithms: ['brotliCompress', 'gzip'],
      include: /\.(?:js|css|svg|html|json|webmanifest)$/,
      threshold: 1024,
      skipIfLargerOrEqual: true,
      logLevel: 'silent',
    }),
  ],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', sourcemap: false },
  server: {
    proxy: { '/api': 'http://127.0.0.1:8080', '/.well-known': 'http://127.0.0.1:8080' },
  },
})

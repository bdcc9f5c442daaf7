import react from "@vitejs/plugin-react";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join, relative, resolve, sep } from "node:path";
import { promisify } from "node:util";
import { constants, gzip } from "node:zlib";
import type { Plugin } from "vite";
import { defineConfig } from "vitest/config";

// The API serves this build at / (static files with the SPA fallback); git ignores it.
// `npm run dev` serves the app on :5173 against the API at WFM_API_URL.
const api = new URL(process.env.WFM_API_URL ?? "http://127.0.0.1:8000").origin;

// Text files, worth sending compressed (images and fonts are compressed formats already)
const TEXT_FILE = /\.(?:js|css|html|svg|json|txt|map)$/;
const gzipped = promisify(gzip);

/** Beside each text file of the build, its gzip (`app.js.gz`), made once here at the best
 * level: the API sends it to a browser that accepts gzip (wfm_api/static_files.py). */
function gzipBeside(): Plugin {
  let outDir = "";
  return {
    name: "wfm-gzip-beside",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const entries = await readdir(outDir, { recursive: true, withFileTypes: true });
      const files = entries
        .filter((entry) => entry.isFile() && TEXT_FILE.test(entry.name))
        .map((entry) => join(entry.parentPath, entry.name))
        // hidden files are never served (.vite/)
        .filter((path) => !relative(outDir, path).split(sep).some((part) => part.startsWith(".")));
      await Promise.all(
        files.map(async (path) => {
          const bytes = await readFile(path);
          const compressed = await gzipped(bytes, { level: constants.Z_BEST_COMPRESSION });
          if (compressed.length < bytes.length) await writeFile(`${path}.gz`, compressed);
        }),
      );
    },
  };
}

export default defineConfig({
  plugins: [react(), gzipBeside()],
  build: {
    outDir: "../api/src/wfm_api/static/web",
    emptyOutDir: true,
    assetsDir: "assets",
    // the polyfill would be the only script of its kind; every browser we support has it
    modulePreload: { polyfill: false },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      // live updates: the API accepts a WebSocket from its own origin only (or WFM_CORS_ORIGINS),
      // so the dev proxy presents the handshake as the API's (Host and Origin); the built app
      // is served by the API itself, same origin, and needs no such thing
      "/graphql": { target: api, ws: true, changeOrigin: true, rewriteWsOrigin: true },
      "/auth": { target: api, changeOrigin: true },
      "/files": { target: api, changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});

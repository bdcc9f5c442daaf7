import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The API serves this build at / (static files with the SPA fallback); git ignores it.
// `npm run dev` serves the app on :5173 against the API at WFM_API_URL.
const api = process.env.WFM_API_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  plugins: [react()],
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
      "/graphql": { target: api, ws: true, changeOrigin: true },
      "/auth": { target: api, changeOrigin: true },
    },
  },
  test: {
    environment: "jsdom",
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
  },
});

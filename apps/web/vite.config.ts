import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The API serves this build at / (static files with the SPA fallback); git ignores it.
// `npm run dev` serves the app on :5173 against the API at WFM_API_URL.
const api = new URL(process.env.WFM_API_URL ?? "http://127.0.0.1:8000").origin;

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
      // live updates: the API accepts a WebSocket from its own origin only (or WFM_CORS_ORIGINS),
      // so the dev proxy presents the handshake as the API's (Host and Origin); the built app
      // is served by the API itself, same origin, and needs no such thing
      "/graphql": { target: api, ws: true, changeOrigin: true, rewriteWsOrigin: true },
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

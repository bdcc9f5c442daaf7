import { defineConfig } from "vite";

// The API serves this build at /graphiql/ (wfm_api/graphiql.py); git ignores it.
export default defineConfig({
  base: "/graphiql/",
  build: {
    outDir: "../src/wfm_api/static/graphiql",
    emptyOutDir: true,
    assetsDir: "assets",
    // Monaco alone is a few megabytes; this page is a developer tool, loaded once
    chunkSizeWarningLimit: 8000,
    rolldownOptions: {
      onwarn(warning, warn) {
        // React's "use client" markers mean nothing in a browser bundle
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
  worker: { format: "es" },
});

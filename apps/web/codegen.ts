import type { CodegenConfig } from "@graphql-codegen/cli";

// Typed documents from the API's checked-in SDL: every `graphql(...)` call in src/ is
// validated against it and gets its result and variable types (`npm run codegen`).
const config: CodegenConfig = {
  schema: "../api/schema.graphql",
  documents: ["src/**/*.{ts,tsx}", "!src/graphql/{gql,graphql,enums,index}.ts"],
  ignoreNoDocuments: true,
  generates: {
    // every enum of the schema (statuses, market roles, actions), used or not by a document
    "src/graphql/enums.ts": {
      plugins: ["typescript"],
      config: { onlyEnums: true, enumsAsTypes: true },
    },
    "src/graphql/": {
      preset: "client",
      presetConfig: { fragmentMasking: false },
      config: {
        scalars: {
          DateTime: "string",
          JSON: "unknown",
          ID: "string",
        },
        strictScalars: true,
        enumsAsTypes: true,
        useTypeImports: true,
        avoidOptionals: { field: true, inputValue: false, object: true, defaultValue: false },
      },
    },
  },
};

export default config;

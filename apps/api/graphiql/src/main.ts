// GraphiQL for the Workflow Manager API. Everything it needs, Monaco's web workers
// included, is in this bundle: the page must work on machines without internet access.
import "graphiql/setup-workers/vite";
import "graphiql/style.css";

import { createGraphiQLFetcher } from "@graphiql/toolkit";
import { GraphiQL } from "graphiql";
import { createElement } from "react";
import { createRoot } from "react-dom/client";

const ENDPOINT = new URL("/graphql", window.location.href).toString();

const WELCOME = `# Workflow Manager GraphQL API
#
# Log in (demo logins: password demo-password):
#
#   mutation { login(email: "ops@wfm.local", password: "demo-password") { accessToken } }
#
# then add the token in the Headers tab below:
#
#   { "Authorization": "Bearer <accessToken>" }

query Me {
  me { id email role }
}
`;

const root = document.getElementById("graphiql");
if (root === null) {
  throw new Error("index.html has no #graphiql element");
}

createRoot(root).render(
  createElement(GraphiQL, {
    fetcher: createGraphiQLFetcher({ url: ENDPOINT }),
    defaultQuery: WELCOME,
    // the Authorization header survives a reload, as it did with Strawberry's page
    shouldPersistHeaders: true,
  }),
);

import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "./App";
import { fetchMe } from "./auth/me";
import { loadApiLocation } from "./config";
import { Session } from "./auth/session";
import { createGraphqlClient } from "./graphql/client";
import { activeLanguage, readChosenLanguage } from "./i18n/languages";
import { createI18n } from "./i18n/setup";
import { preloadScreenAt, routes } from "./router";
import "./styles/app.css";

// the screen this address opens on loads while the session is restored
preloadScreenAt(window.location);
const i18n = createI18n(
  activeLanguage({ chosen: readChosenLanguage(window.localStorage), browser: navigator.languages }),
);
// where the API answers: this origin, or the apiUrl of this origin's config.json
const api = await loadApiLocation(window.location);
const session = new Session({ api });
const client = { url: api.graphqlUrl, webSocketUrl: api.webSocketUrl, credentials: api.credentials };

// a reload keeps the user signed in: the refresh cookie buys a new access token
void session.restore(() =>
  fetchMe(createGraphqlClient(session, { ...client, language: () => i18n.language })),
);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App session={session} i18n={i18n} router={createBrowserRouter(routes)} client={client} filesUrl={api.filesUrl} />
  </StrictMode>,
);

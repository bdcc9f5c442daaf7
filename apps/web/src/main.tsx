import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter } from "react-router";
import { App } from "./App";
import { fetchMe } from "./auth/me";
import { Session } from "./auth/session";
import { createGraphqlClient, sameOriginWebSocketUrl } from "./graphql/client";
import { activeLanguage, readChosenLanguage } from "./i18n/languages";
import { createI18n } from "./i18n/setup";
import { routes } from "./router";
import "./styles/app.css";

const i18n = createI18n(
  activeLanguage({ chosen: readChosenLanguage(window.localStorage), browser: navigator.languages }),
);
const session = new Session();
const client = { webSocketUrl: sameOriginWebSocketUrl(window.location) };

// a reload keeps the user signed in: the refresh cookie buys a new access token
void session.restore(() =>
  fetchMe(createGraphqlClient(session, { ...client, language: () => i18n.language })),
);

const root = document.getElementById("root");
if (root === null) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <App session={session} i18n={i18n} router={createBrowserRouter(routes)} client={client} />
  </StrictMode>,
);

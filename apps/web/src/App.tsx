import type { i18n as I18n } from "i18next";
import { useEffect, useState } from "react";
import { I18nextProvider } from "react-i18next";
import { RouterProvider, type createBrowserRouter } from "react-router";
import { Provider as GraphqlProvider } from "urql";
import type { Session } from "./auth/session";
import { SessionProvider, useSessionState } from "./auth/SessionContext";
import { FILES_PATH } from "./config";
import { FileTransferProvider } from "./files/FileTransferContext";
import { createFileTransfer } from "./files/transfer";
import { createGraphqlClient, type GraphqlClientOptions } from "./graphql/client";
import { isLanguage } from "./i18n/languages";

export interface AppProps {
  session: Session;
  i18n: I18n;
  router: ReturnType<typeof createBrowserRouter>;
  client: Omit<GraphqlClientOptions, "language">;
  /** Where attachments are uploaded (src/config.ts); this origin's `/files` by default */
  filesUrl?: string;
}

function Routes({ session, i18n, router, client, filesUrl = FILES_PATH }: AppProps) {
  const [graphql] = useState(() =>
    createGraphqlClient(session, { ...client, language: () => i18n.language }),
  );
  const [transfer] = useState(() =>
    createFileTransfer({
      session,
      filesUrl,
      credentials: client.credentials ?? "same-origin",
      language: () => i18n.language,
      fetch: client.fetch,
    }),
  );
  return (
    <GraphqlProvider value={graphql}>
      <FileTransferProvider transfer={transfer}>
        <RouterProvider router={router} />
      </FileTransferProvider>
    </GraphqlProvider>
  );
}

function SessionRoutes(props: AppProps) {
  const state = useSessionState();
  const user = state.status === "signedIn" ? state.user : null;
  const { i18n } = props;
  useEffect(() => {
    // the signed-in user's language wins over the browser's and an earlier choice
    const locale = user?.locale.toLowerCase();
    if (locale !== undefined && isLanguage(locale)) void i18n.changeLanguage(locale);
  }, [user, i18n]);
  // a new GraphQL client, so an empty cache, for each user who signs in
  return <Routes key={user?.id ?? "signed-out"} {...props} />;
}

/** The whole app: the session, the messages, the GraphQL client, the routes. */
export function App(props: AppProps) {
  return (
    <SessionProvider session={props.session}>
      <I18nextProvider i18n={props.i18n}>
        <SessionRoutes {...props} />
      </I18nextProvider>
    </SessionProvider>
  );
}

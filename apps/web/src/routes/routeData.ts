import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import type { Params } from "react-router";
import type { AnyVariables, Client } from "urql";

/** What a screen's route knows before the screen renders. */
export interface RouteLocation {
  /** The path's parameters (`:id`) */
  params: Readonly<Params>;
  /** The address's search parameters (filters, the page's cursor) */
  search: URLSearchParams;
  /** The active language (i18next's) */
  language: string;
}

/** A screen's data, started by its route while the screen's chunk loads (or renders): the
 * screen then finds its query answered in urql's cache, or in flight (urql sends one
 * request for a query and its variables, however many ask). */
export type RouteData = (client: Client, route: RouteLocation) => void;

/** The screen's `document` with the variables the screen will ask for at `route`: the same
 * document and the same variables, or the screen would send its own request after all. */
export function routeQuery<Data, Variables extends AnyVariables>(
  document: TypedDocumentNode<Data, Variables>,
  variables: (route: RouteLocation) => Variables,
): RouteData {
  return (client, route) => {
    void client.query(document, variables(route)).toPromise();
  };
}

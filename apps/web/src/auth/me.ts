import type { Client } from "urql";
import { graphql } from "../graphql";
import type { SessionUser } from "./session";

export const SessionUserFields = graphql(`
  fragment SessionUserFields on User {
    id
    email
    displayName
    role
    locale
    permissions
    tenant {
      id
      companyName
    }
  }
`);

export const MeQuery = graphql(`
  query Me {
    me {
      ...SessionUserFields
    }
  }
`);

/** The user the current access token belongs to. */
export async function fetchMe(client: Client): Promise<SessionUser> {
  const result = await client.query(MeQuery, {}, { requestPolicy: "network-only" }).toPromise();
  if (!result.data) throw result.error ?? new Error("no answer to `me`");
  return result.data.me;
}

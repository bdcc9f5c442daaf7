/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n": typeof types.SessionUserFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n": typeof types.MeDocument,
    "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n": typeof types.SessionPayloadFieldsFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n": typeof types.LoginDocument,
    "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n": typeof types.VerifyMfaDocument,
};
const documents: Documents = {
    "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n": types.SessionUserFieldsFragmentDoc,
    "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n": types.MeDocument,
    "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n": types.SessionPayloadFieldsFragmentDoc,
    "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n": types.LoginDocument,
    "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n": types.VerifyMfaDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n"): (typeof documents)["\n  fragment SessionUserFields on User {\n    id\n    email\n    displayName\n    role\n    locale\n    permissions\n    tenant {\n      id\n      companyName\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n"): (typeof documents)["\n  query Me {\n    me {\n      ...SessionUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n"): (typeof documents)["\n  fragment SessionPayloadFields on AuthPayload {\n    accessToken\n    expiresAt\n    mfaRequired\n    mfaChallenge\n    mfaEnrolmentRequired\n    user {\n      ...SessionUserFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation Login($email: String!, $password: String!) {\n    login(email: $email, password: $password) {\n      ...SessionPayloadFields\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n"): (typeof documents)["\n  mutation VerifyMfa($challenge: String!, $code: String!) {\n    verifyMfa(challenge: $challenge, code: $code) {\n      ...SessionPayloadFields\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;
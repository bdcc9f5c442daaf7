import { useState } from "react";
import { useTranslation } from "react-i18next";
import { useMutation, useQuery } from "urql";
import { TENANT_ADMIN } from "../../auth/roles";
import { useSignedInUser } from "../../auth/SessionContext";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { useCursor } from "../../components/useCursor";
import { graphql } from "../../graphql";
import type { Locale } from "../../graphql/enums";
import { fieldProblems } from "../../graphql/errors";
import type { TenantUsersQuery } from "../../graphql/graphql";
import "../../styles/portal.css";
import { InviteForm, type Invitation } from "./components/InviteForm";

const TenantUsersDocument = graphql(`
  query TenantUsers($after: String) {
    users(first: 50, after: $after) {
      nodes {
        id
        email
        displayName
        role
        locale
        status
      }
      pageInfo {
        ...PaginationPageInfo
      }
    }
  }
`);

const InviteTenantUserDocument = graphql(`
  mutation InviteTenantUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      id
      email
      status
    }
  }
`);

const DisableTenantUserDocument = graphql(`
  mutation DisableTenantUser($id: ID!) {
    disableUser(id: $id) {
      id
      status
    }
  }
`);

const EnableTenantUserDocument = graphql(`
  mutation EnableTenantUser($id: ID!) {
    enableUser(id: $id) {
      id
      status
    }
  }
`);

type Row = TenantUsersQuery["users"]["nodes"][number];

const ROLE_NAMES = ["tenant_user", "tenant_admin", "market_ops"] as const;
const STATUSES = ["invited", "active", "disabled"] as const;

function localeOf(language: string): Locale {
  return language.startsWith("fr") ? "FR" : language.startsWith("nl") ? "NL" : "EN";
}

/** `/portal/users`: a tenant administrator's users, invitations, and who may log in. */
export function TenantUsers() {
  const { t } = useTranslation("portal");
  const user = useSignedInUser();
  if (user.role !== TENANT_ADMIN) {
    return (
      <section aria-labelledby="screen-title" className="portal">
        <h1 id="screen-title">{t("users")}</h1>
        <p className="notice">{t("usersPage.onlyAdmins")}</p>
      </section>
    );
  }
  return <TenantUsersForAdmin />;
}

function TenantUsersForAdmin() {
  const { t, i18n } = useTranslation("portal");
  const user = useSignedInUser();
  const { after } = useCursor();
  const [result, reexecute] = useQuery({ query: TenantUsersDocument, variables: { after } });
  const [invited, inviteUser] = useMutation(InviteTenantUserDocument);
  const [disabled, disableUser] = useMutation(DisableTenantUserDocument);
  const [enabled, enableUser] = useMutation(EnableTenantUserDocument);
  const [lastInvited, setLastInvited] = useState<string | null>(null);

  const roleName = (role: string) => {
    const known = ROLE_NAMES.find((candidate) => candidate === role);
    return known ? t(`usersPage.roleNames.${known}`) : role;
  };
  const statusName = (status: string) => {
    const known = STATUSES.find((candidate) => candidate === status);
    return known ? t(`usersPage.statuses.${known}`) : status;
  };

  const columns: Column<Row>[] = [
    { key: "email", header: t("usersPage.email"), cell: (row) => (row.id === user.id ? `${row.email} ${t("usersPage.you")}` : row.email) },
    { key: "name", header: t("usersPage.name"), cell: (row) => row.displayName ?? "" },
    { key: "role", header: t("usersPage.role"), cell: (row) => roleName(row.role) },
    { key: "language", header: t("usersPage.language"), cell: (row) => row.locale.toUpperCase() },
    { key: "status", header: t("usersPage.status"), cell: (row) => <span className={`badge user-${row.status}`}>{statusName(row.status)}</span> },
    {
      key: "actions",
      header: t("usersPage.actions"),
      cell: (row) =>
        row.id === user.id ? null : row.status === "disabled" ? (
          <button
            type="button"
            className="secondary"
            aria-label={t("usersPage.enable", { email: row.email })}
            disabled={enabled.fetching}
            onClick={() => {
              void enableUser({ id: row.id });
            }}
          >
            {t("usersPage.enableShort")}
          </button>
        ) : (
          <button
            type="button"
            className="secondary danger"
            aria-label={t("usersPage.disable", { email: row.email })}
            disabled={disabled.fetching}
            onClick={() => {
              void disableUser({ id: row.id });
            }}
          >
            {t("usersPage.disableShort")}
          </button>
        ),
    },
  ];

  async function invite(invitation: Invitation) {
    setLastInvited(null);
    const answer = await inviteUser({ input: invitation });
    if (answer.data) {
      setLastInvited(answer.data.inviteUser.email);
      reexecute({ requestPolicy: "network-only" });
    }
  }

  return (
    <section aria-labelledby="screen-title" className="portal">
      <h1 id="screen-title">{t("users")}</h1>
      <ErrorMessage error={result.error} />
      <ErrorMessage error={disabled.error ?? enabled.error} />
      {result.data ? (
        <>
          <DataTable
            caption={t("usersPage.caption", { tenant: user.tenant?.companyName ?? "" })}
            columns={columns}
            rows={result.data.users.nodes}
            rowKey={(row) => row.id}
            emptyText={t("list.empty")}
          />
          <Pagination pageInfo={result.data.users.pageInfo} />
        </>
      ) : (
        result.fetching && <Loading />
      )}
      {lastInvited && (
        <p role="status" className="notice ok">
          {t("usersPage.invited", { email: lastInvited })}
        </p>
      )}
      <ErrorMessage error={invited.error} />
      <InviteForm busy={invited.fetching} defaultLocale={localeOf(i18n.language)} problems={fieldProblems(invited.error)} onInvite={(invitation) => void invite(invitation)} />
    </section>
  );
}

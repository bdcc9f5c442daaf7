import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useParams } from "react-router";
import { useMutation, useQuery, type CombinedError } from "urql";
import { useCursor } from "../../components/useCursor";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { graphql } from "../../graphql";
import type { MarketRole } from "../../graphql/enums";
import { hasErrorCode } from "../../graphql/errors";
import { formatDateTime } from "../../i18n/format";
import "../../styles/tenants.css";
import { ReasonDialog } from "./ReasonDialog";
import { RetentionPolicies } from "./RetentionPolicies";
import { TenantStatusBadge } from "./TenantStatusBadge";

const USERS_CURSOR = "usersAfter";
const WORKFLOWS_CURSOR = "workflowsAfter";
const PAGE_SIZE = 20;

const ConsoleTenantQuery = graphql(`
  query ConsoleTenant($id: ID!) {
    tenant(id: $id) {
      id
      slug
      companyName
      vatNumber
      status
      statusReason
      createdAt
      updatedAt
      marketRoles {
        role
        status
        statusReason
        contractReference
        updatedAt
        apiCredential
        apiKeyAwaitingReveal
      }
    }
  }
`);

const ConsoleTenantUsersQuery = graphql(`
  query ConsoleTenantUsers($tenantId: ID!, $first: Int!, $after: String) {
    users(filter: { tenantId: $tenantId }, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PaginationPageInfo
      }
      nodes {
        id
        email
        displayName
        role
        status
      }
    }
  }
`);

const ConsoleTenantWorkflowsQuery = graphql(`
  query ConsoleTenantWorkflows($tenantId: ID!, $first: Int!, $after: String) {
    workflows(filter: { tenantId: $tenantId }, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PaginationPageInfo
      }
      nodes {
        id
        status
        marketRole
        updatedAt
        template {
          key
        }
        currentStep {
          title
        }
      }
    }
  }
`);

const ConsoleRetentionPoliciesQuery = graphql(`
  query ConsoleRetentionPolicies($tenantId: ID!) {
    retentionPolicies(tenantId: $tenantId) {
      templateKey
      afterDays
      updatedAt
      updatedBy {
        name
      }
    }
    templates {
      key
    }
  }
`);

const SetRetentionPolicyMutation = graphql(`
  mutation ConsoleSetRetentionPolicy($tenantId: ID!, $templateKey: String, $afterDays: Int!) {
    setRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey, afterDays: $afterDays) {
      templateKey
      afterDays
    }
  }
`);

const RemoveRetentionPolicyMutation = graphql(`
  mutation ConsoleRemoveRetentionPolicy($tenantId: ID!, $templateKey: String) {
    removeRetentionPolicy(tenantId: $tenantId, templateKey: $templateKey)
  }
`);

// what each change of status answers, for the page to show at once
graphql(`
  fragment ConsoleTenantStatus on Tenant {
    id
    status
    statusReason
    updatedAt
  }
`);

graphql(`
  fragment ConsoleMarketRoleStatus on TenantMarketRole {
    role
    status
  }
`);

const SuspendTenantMutation = graphql(`
  mutation ConsoleSuspendTenant($id: ID!, $reason: String!) {
    suspendTenant(id: $id, reason: $reason) {
      ...ConsoleTenantStatus
    }
  }
`);

const ReactivateTenantMutation = graphql(`
  mutation ConsoleReactivateTenant($id: ID!, $reason: String) {
    reactivateTenant(id: $id, reason: $reason) {
      ...ConsoleTenantStatus
    }
  }
`);

const ArchiveTenantMutation = graphql(`
  mutation ConsoleArchiveTenant($id: ID!, $reason: String!) {
    archiveTenant(id: $id, reason: $reason) {
      id
      status
      archivedAt
    }
  }
`);

const SuspendMarketRoleMutation = graphql(`
  mutation ConsoleSuspendMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {
    suspendMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {
      ...ConsoleMarketRoleStatus
    }
  }
`);

const TerminateMarketRoleMutation = graphql(`
  mutation ConsoleTerminateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {
    terminateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {
      ...ConsoleMarketRoleStatus
    }
  }
`);

const ReactivateMarketRoleMutation = graphql(`
  mutation ConsoleReactivateMarketRole($tenantId: ID!, $marketRole: MarketRole!, $reason: String!) {
    reactivateMarketRole(tenantId: $tenantId, marketRole: $marketRole, reason: $reason) {
      ...ConsoleMarketRoleStatus
    }
  }
`);

type TenantAction = "suspend" | "reactivate" | "archive";
type RoleAction = "suspendRole" | "terminateRole" | "reactivateRole";
type Pending = { action: TenantAction } | { action: RoleAction; role: MarketRole };

function tenantActions(status: string): TenantAction[] {
  if (status === "suspended") return ["reactivate", "archive"];
  return ["suspend", "archive"];
}

function roleActions(status: string): RoleAction[] {
  if (status === "active") return ["suspendRole", "terminateRole"];
  if (status === "suspended") return ["reactivateRole", "terminateRole"];
  return [];
}

/** `/console/tenants/:id`: company data, status, market roles, users and workflows of one
 * tenant; another tenant's or an unknown id: "Not found". */
export function TenantDetail() {
  const { t, i18n } = useTranslation("tenants");
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const usersPage = useCursor(USERS_CURSOR);
  const workflowsPage = useCursor(WORKFLOWS_CURSOR);
  const [tenantResult, reexecuteTenant] = useQuery({ query: ConsoleTenantQuery, variables: { id } });
  const found = tenantResult.data?.tenant !== undefined;
  const [users] = useQuery({
    query: ConsoleTenantUsersQuery,
    variables: { tenantId: id, first: PAGE_SIZE, after: usersPage.after },
    pause: !found,
  });
  const [workflows] = useQuery({
    query: ConsoleTenantWorkflowsQuery,
    variables: { tenantId: id, first: PAGE_SIZE, after: workflowsPage.after },
    pause: !found,
  });

  const [retention, reexecuteRetention] = useQuery({
    query: ConsoleRetentionPoliciesQuery,
    variables: { tenantId: id },
    pause: !found,
  });
  const [retentionChange, setRetentionChange] = useState<{ busy: boolean; error?: CombinedError }>({ busy: false });
  const [, setRetentionPolicy] = useMutation(SetRetentionPolicyMutation);
  const [, removeRetentionPolicy] = useMutation(RemoveRetentionPolicyMutation);

  const [pending, setPending] = useState<Pending | null>(null);
  const [refusal, setRefusal] = useState<CombinedError | undefined>(undefined);
  const [submitting, setSubmitting] = useState(false);
  const [, suspendTenant] = useMutation(SuspendTenantMutation);
  const [, reactivateTenant] = useMutation(ReactivateTenantMutation);
  const [, archiveTenant] = useMutation(ArchiveTenantMutation);
  const [, suspendRole] = useMutation(SuspendMarketRoleMutation);
  const [, terminateRole] = useMutation(TerminateMarketRoleMutation);
  const [, reactivateRole] = useMutation(ReactivateMarketRoleMutation);

  if (hasErrorCode(tenantResult.error, "NOT_FOUND")) {
    return (
      <section aria-labelledby="screen-title" className="tenants-screen">
        <h1 id="screen-title">{t("notFound.title")}</h1>
        <p>{t("notFound.text")}</p>
        <Link to="/console/tenants">{t("backToList")}</Link>
      </section>
    );
  }
  const tenant = tenantResult.data?.tenant;
  if (tenant === undefined) {
    return tenantResult.fetching ? <Loading /> : <ErrorMessage error={tenantResult.error} />;
  }

  async function confirm(action: Pending, reason: string) {
    setSubmitting(true);
    const answer = await (async () => {
      switch (action.action) {
        case "suspend":
          return suspendTenant({ id, reason });
        case "reactivate":
          return reactivateTenant({ id, reason: reason === "" ? null : reason });
        case "archive":
          return archiveTenant({ id, reason });
        case "suspendRole":
          return suspendRole({ tenantId: id, marketRole: action.role, reason });
        case "terminateRole":
          return terminateRole({ tenantId: id, marketRole: action.role, reason });
        case "reactivateRole":
          return reactivateRole({ tenantId: id, marketRole: action.role, reason });
      }
    })();
    setSubmitting(false);
    setRefusal(answer.error);
    if (answer.error !== undefined) return;
    setPending(null);
    if (action.action === "archive") {
      void navigate("/console/tenants");
      return;
    }
    reexecuteTenant({ requestPolicy: "network-only" });
  }

  async function changeRetention(change: () => Promise<{ error?: CombinedError }>) {
    setRetentionChange({ busy: true });
    const answer = await change();
    setRetentionChange({ busy: false, error: answer.error });
    if (answer.error === undefined) reexecuteRetention({ requestPolicy: "network-only" });
  }

  const dialogText = (action: Pending) => {
    const role = "role" in action ? action.role : "";
    return {
      title: t(`actions.${action.action}.title`, { tenant: tenant.companyName, role }),
      consequence: t(`actions.${action.action}.consequence`, { tenant: tenant.companyName, role }),
      confirmLabel: t(`actions.${action.action}.confirm`),
    };
  };

  return (
    <section aria-labelledby="screen-title" className="tenants-screen">
      <p className="breadcrumb">
        <Link to="/console/tenants">{t("backToList")}</Link>
      </p>
      <div className="screen-heading">
        <h1 id="screen-title">{tenant.companyName}</h1>
        <TenantStatusBadge status={tenant.status} />
      </div>

      <dl className="facts">
        <dt>{t("columns.vatNumber")}</dt>
        <dd>{tenant.vatNumber ?? "—"}</dd>
        <dt>{t("columns.slug")}</dt>
        <dd>
          <code>{tenant.slug}</code>
        </dd>
        <dt>{t("detail.created")}</dt>
        <dd>{formatDateTime(tenant.createdAt, i18n.language)}</dd>
        <dt>{t("detail.updated")}</dt>
        <dd>{formatDateTime(tenant.updatedAt, i18n.language)}</dd>
        {tenant.statusReason !== null && (
          <>
            <dt>{t("detail.statusReason")}</dt>
            <dd>{tenant.statusReason}</dd>
          </>
        )}
      </dl>

      <div className="status-actions" role="group" aria-label={t("detail.statusActions")}>
        {tenantActions(tenant.status).map((action) => (
          <button
            key={action}
            type="button"
            className={action === "reactivate" ? undefined : "danger"}
            onClick={() => {
              setRefusal(undefined);
              setPending({ action });
            }}
          >
            {t(`actions.${action}.button`)}
          </button>
        ))}
      </div>

      <h2 id="market-roles">{t("detail.marketRoles")}</h2>
      <DataTable
        caption={t("detail.marketRolesCaption", { tenant: tenant.companyName })}
        captionHidden
        rows={tenant.marketRoles}
        rowKey={(role) => role.role}
        emptyText={t("detail.noMarketRoles")}
        columns={[
          { key: "role", header: t("columns.role"), cell: (role) => <strong>{role.role}</strong> },
          {
            key: "status",
            header: t("columns.status"),
            cell: (role) => (
              <>
                <TenantStatusBadge status={role.status} />
                {role.statusReason !== null && <span className="reason">{role.statusReason}</span>}
              </>
            ),
          },
          { key: "contract", header: t("columns.contractReference"), cell: (role) => role.contractReference ?? "—" },
          {
            key: "credential",
            header: t("columns.apiCredential"),
            cell: (role) => (
              <>
                {role.apiCredential === null
                  ? t("credential.none")
                  : t(`credential.${role.apiCredential as "provisioning" | "active" | "revoked"}`, { defaultValue: role.apiCredential })}
                {role.apiKeyAwaitingReveal && <span className="reason">{t("credential.awaitingReveal")}</span>}
              </>
            ),
          },
          { key: "updated", header: t("columns.updated"), cell: (role) => <RelativeTime value={role.updatedAt} /> },
          {
            key: "actions",
            header: t("columns.actions"),
            cell: (role) => (
              <div className="row-actions">
                {roleActions(role.status).map((action) => (
                  <button
                    key={action}
                    type="button"
                    className={action === "reactivateRole" ? undefined : "danger"}
                    aria-label={t(`actions.${action}.label`, { role: role.role })}
                    onClick={() => {
                      setRefusal(undefined);
                      setPending({ action, role: role.role });
                    }}
                  >
                    {t(`actions.${action}.button`)}
                  </button>
                ))}
              </div>
            ),
          },
        ]}
      />

      <ErrorMessage error={retention.error} />
      {retention.data !== undefined && (
        <RetentionPolicies
          tenantName={tenant.companyName}
          policies={retention.data.retentionPolicies}
          templateKeys={[...new Set(retention.data.templates.map((template) => template.key))].sort()}
          busy={retentionChange.busy}
          error={retentionChange.error}
          onSet={(templateKey, afterDays) => void changeRetention(() => setRetentionPolicy({ tenantId: id, templateKey, afterDays }))}
          onRemove={(templateKey) => void changeRetention(() => removeRetentionPolicy({ tenantId: id, templateKey }))}
        />
      )}
      <p>
        <Link to={`/console/data-subjects?tenant=${encodeURIComponent(tenant.id)}`}>{t("detail.dataSubjects")}</Link>
      </p>

      <h2>{t("detail.users")}</h2>
      <ErrorMessage error={users.error} />
      {users.data === undefined ? (
        users.fetching && <Loading />
      ) : (
        <>
          <DataTable
            caption={t("detail.usersCaption", { count: users.data.users.totalCount })}
            rows={users.data.users.nodes}
            rowKey={(person) => person.id}
            emptyText={t("detail.noUsers")}
            columns={[
              { key: "name", header: t("columns.name"), cell: (person) => person.displayName ?? "—" },
              { key: "email", header: t("columns.email"), cell: (person) => person.email },
              { key: "role", header: t("columns.userRole"), cell: (person) => t(`userRoles.${person.role as "tenant_admin" | "tenant_user"}`, { defaultValue: person.role }) },
              { key: "status", header: t("columns.status"), cell: (person) => t(`userStatus.${person.status as "invited" | "active" | "disabled"}`, { defaultValue: person.status }) },
            ]}
          />
          <Pagination pageInfo={users.data.users.pageInfo} param={USERS_CURSOR} />
        </>
      )}

      <h2>{t("detail.workflows")}</h2>
      <ErrorMessage error={workflows.error} />
      {workflows.data === undefined ? (
        workflows.fetching && <Loading />
      ) : (
        <>
          <DataTable
            caption={t("detail.workflowsCaption", { count: workflows.data.workflows.totalCount })}
            rows={workflows.data.workflows.nodes}
            rowKey={(workflow) => workflow.id}
            emptyText={t("detail.noWorkflows")}
            columns={[
              {
                key: "workflow",
                header: t("columns.workflow"),
                cell: (workflow) => (
                  <Link to={`/console/workflows/${workflow.id}`} aria-label={t("detail.workflowLink", { template: workflow.template.key, role: workflow.marketRole, id: workflow.id })}>
                    <code>{workflow.template.key}</code> · {workflow.marketRole}
                  </Link>
                ),
              },
              { key: "status", header: t("columns.status"), cell: (workflow) => <StatusBadge status={workflow.status} /> },
              { key: "step", header: t("columns.currentStep"), cell: (workflow) => workflow.currentStep?.title ?? "—" },
              { key: "updated", header: t("columns.updated"), cell: (workflow) => <RelativeTime value={workflow.updatedAt} /> },
            ]}
          />
          <Pagination pageInfo={workflows.data.workflows.pageInfo} param={WORKFLOWS_CURSOR} />
        </>
      )}

      {pending !== null && (
        <ReasonDialog
          {...dialogText(pending)}
          reasonRequired={pending.action !== "reactivate"}
          danger={pending.action !== "reactivate" && pending.action !== "reactivateRole"}
          error={refusal}
          submitting={submitting}
          onCancel={() => {
            setPending(null);
          }}
          onConfirm={(reason) => void confirm(pending, reason)}
        />
      )}
    </section>
  );
}

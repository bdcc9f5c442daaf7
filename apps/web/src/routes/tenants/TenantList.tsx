import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";
import { useMutation, useQuery, type CombinedError } from "urql";
import { useSignedInUser } from "../../auth/SessionContext";
import { withFirstPage } from "../../components/cursorStack";
import { DataTable } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/RelativeTime";
import { useCursor } from "../../components/useCursor";
import { graphql } from "../../graphql";
import type { TenantStatus } from "../../graphql/enums";
import "../../styles/tenants.css";
import { CreateTenantForm } from "./CreateTenantForm";
import { TenantStatusBadge, useStatusLabel } from "./TenantStatusBadge";

const PAGE_SIZE = 25;
const MANAGE_TENANTS = "tenants.manage";
const STATUSES: readonly TenantStatus[] = ["PENDING", "ACTIVE", "SUSPENDED"];

const ConsoleTenantsQuery = graphql(`
  query ConsoleTenants($filter: TenantFilter, $first: Int!, $after: String) {
    tenants(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PaginationPageInfo
      }
      nodes {
        id
        slug
        companyName
        vatNumber
        status
        createdAt
        marketRoles {
          role
          status
        }
      }
    }
  }
`);

const ConsoleCreateTenantMutation = graphql(`
  mutation ConsoleCreateTenant($input: CreateTenantInput!) {
    createTenant(input: $input) {
      id
    }
  }
`);

function statusParam(value: string | null): TenantStatus | null {
  return STATUSES.find((status) => status === value) ?? null;
}

/** `/console/tenants`: every tenant, searched by name, VAT number or slug; "Create tenant". */
export function TenantList() {
  const { t } = useTranslation("tenants");
  const user = useSignedInUser();
  const mayCreate = user.permissions.includes(MANAGE_TENANTS);
  const id = useId();
  const statusLabel = useStatusLabel();
  const navigate = useNavigate();
  const [params, setParams] = useSearchParams();
  const search = params.get("q") ?? "";
  const status = statusParam(params.get("status"));
  const { after } = useCursor();
  const [creating, setCreating] = useState(false);
  const [creation, create] = useMutation(ConsoleCreateTenantMutation);
  const [refusal, setRefusal] = useState<CombinedError | undefined>(undefined);

  const [result] = useQuery({
    query: ConsoleTenantsQuery,
    variables: { filter: { search: search === "" ? null : search, status }, first: PAGE_SIZE, after },
  });

  const setParam = (name: string, value: string) => {
    const next = withFirstPage(params);
    if (value.trim() === "") next.delete(name);
    else next.set(name, value.trim());
    setParams(next);
  };

  const connection = result.data?.tenants;
  return (
    <section aria-labelledby="screen-title" className="tenants-screen">
      <div className="screen-heading">
        <h1 id="screen-title">{t("listTitle")}</h1>
        {mayCreate && !creating && (
          <button
            type="button"
            className="primary"
            onClick={() => {
              setRefusal(undefined);
              setCreating(true);
            }}
          >
            {t("create.open")}
          </button>
        )}
      </div>
      {creating && (
        <CreateTenantForm
          error={refusal}
          submitting={creation.fetching}
          onCancel={() => {
            setCreating(false);
          }}
          onSubmit={(input) => {
            void create({ input }).then((answer) => {
              setRefusal(answer.error);
              const created = answer.data?.createTenant;
              if (answer.error === undefined && created !== undefined) void navigate(`/console/tenants/${created.id}`);
            });
          }}
        />
      )}
      <form
        className="filter-bar"
        role="search"
        aria-label={t("list.searchLabel")}
        onSubmit={(event) => {
          event.preventDefault();
          const value = new FormData(event.currentTarget).get("q");
          setParam("q", typeof value === "string" ? value : "");
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-q`}>{t("list.search")}</label>
          <input id={`${id}-q`} name="q" type="search" defaultValue={search} key={search} />
        </div>
        <button type="submit">{t("list.searchButton")}</button>
        <div className="field">
          <label htmlFor={`${id}-status`}>{t("list.status")}</label>
          <select
            id={`${id}-status`}
            value={status ?? ""}
            onChange={(event) => {
              setParam("status", event.target.value);
            }}
          >
            <option value="">{t("list.anyStatus")}</option>
            {STATUSES.map((option) => (
              <option key={option} value={option}>
                {statusLabel(option.toLowerCase())}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorMessage error={result.error} />
      {connection === undefined ? (
        result.fetching && <Loading />
      ) : (
        <>
          <DataTable
            caption={t("list.caption", { count: connection.totalCount })}
            rows={connection.nodes}
            rowKey={(tenant) => tenant.id}
            emptyText={t("list.empty")}
            columns={[
              {
                key: "name",
                header: t("columns.companyName"),
                cell: (tenant) => <Link to={`/console/tenants/${tenant.id}`}>{tenant.companyName}</Link>,
              },
              { key: "vat", header: t("columns.vatNumber"), cell: (tenant) => tenant.vatNumber ?? "—" },
              { key: "slug", header: t("columns.slug"), cell: (tenant) => <code>{tenant.slug}</code> },
              { key: "status", header: t("columns.status"), cell: (tenant) => <TenantStatusBadge status={tenant.status} /> },
              {
                key: "roles",
                header: t("columns.marketRoles"),
                cell: (tenant) =>
                  tenant.marketRoles.length === 0
                    ? "—"
                    : tenant.marketRoles.map((role) => `${role.role} (${statusLabel(role.status)})`).join(", "),
              },
              { key: "created", header: t("columns.created"), cell: (tenant) => <RelativeTime value={tenant.createdAt} /> },
            ]}
          />
          <Pagination pageInfo={connection.pageInfo} />
        </>
      )}
    </section>
  );
}

import { useId, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useClient, useQuery, type CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { saveAs } from "../../files/transfer";
import { graphql } from "../../graphql";
import "../../styles/tenants.css";
import { ReasonDialog } from "../tenants/ReasonDialog";
import { DataSubjectCard } from "./DataSubjectCard";

// a market has tens of participants: one page of them fills the choice
const TENANTS_SHOWN = 100;

const DataSubjectTenantsQuery = graphql(`
  query ConsoleDataSubjectTenants($first: Int!) {
    tenants(first: $first) {
      nodes {
        id
        companyName
      }
    }
  }
`);

const DataSubjectQuery = graphql(`
  query ConsoleDataSubject($tenantId: ID!, $email: String!) {
    dataSubject(tenantId: $tenantId, email: $email) {
      id
      tenantId
      workflows
      erasedAt
    }
  }
`);

const ExportDataSubjectMutation = graphql(`
  mutation ConsoleExportDataSubject($subjectId: ID!) {
    exportDataSubject(subjectId: $subjectId)
  }
`);

const EraseDataSubjectMutation = graphql(`
  mutation ConsoleEraseDataSubject($subjectId: ID!, $reason: String!) {
    eraseDataSubject(subjectId: $subjectId, reason: $reason) {
      subjectId
    }
  }
`);

interface Search {
  tenantId: string;
  email: string;
}

/** `/console/data-subjects`: a person named in a tenant's workflows, found by e-mail address;
 * export everything held about them (a JSON archive, downloaded), or erase their personal data
 * with a reason (audited). `?tenant=<id>` chooses the tenant (the tenant screen links here). */
export function DataSubjects() {
  const { t } = useTranslation("privacy");
  const id = useId();
  const client = useClient();
  const [params] = useSearchParams();
  const [tenantId, setTenantId] = useState(params.get("tenant") ?? "");
  const [email, setEmail] = useState("");
  const [missing, setMissing] = useState(false);
  const [search, setSearch] = useState<Search | null>(null);
  const [tenants] = useQuery({ query: DataSubjectTenantsQuery, variables: { first: TENANTS_SHOWN } });
  const [found, refind] = useQuery({
    query: DataSubjectQuery,
    variables: search ?? { tenantId: "", email: "" },
    pause: search === null,
    requestPolicy: "network-only",
  });

  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<CombinedError | undefined>(undefined);
  const [done, setDone] = useState<string | null>(null);
  const [erasing, setErasing] = useState(false);
  const [refusal, setRefusal] = useState<CombinedError | undefined>(undefined);

  const tenantName = (tenant: string) => tenants.data?.tenants.nodes.find((node) => node.id === tenant)?.companyName ?? tenant;
  // the answer to the search shown (not the one before it, while the new one comes)
  const asked = found.operation?.variables;
  const answered = search !== null && found.data !== undefined && asked?.tenantId === search.tenantId && asked.email === search.email;
  const subject = answered ? (found.data?.dataSubject ?? null) : null;

  async function exportArchive(subjectId: string) {
    setBusy(true);
    setFailure(undefined);
    setDone(null);
    const answer = await client.mutation(ExportDataSubjectMutation, { subjectId }).toPromise();
    setBusy(false);
    if (answer.error || answer.data === undefined) {
      setFailure(answer.error);
      return;
    }
    const file = `data-subject-${subjectId}.json`;
    saveAs(new Blob([JSON.stringify(answer.data.exportDataSubject, null, 2)], { type: "application/json" }), file);
    setDone(t("export.done", { file }));
  }

  async function erase(subjectId: string, reason: string) {
    setBusy(true);
    const answer = await client.mutation(EraseDataSubjectMutation, { subjectId, reason }).toPromise();
    setBusy(false);
    setRefusal(answer.error);
    if (answer.error) return;
    setErasing(false);
    setDone(t("erase.done"));
    refind({ requestPolicy: "network-only" });
  }

  return (
    <section aria-labelledby="screen-title" className="tenants-screen data-subjects">
      <h1 id="screen-title">{t("title")}</h1>
      <p>{t("intro")}</p>

      <form
        role="search"
        aria-label={t("search.label")}
        className="filter-bar"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          const address = email.trim();
          setMissing(tenantId === "" || address === "");
          if (tenantId === "" || address === "") return;
          setDone(null);
          setFailure(undefined);
          setSearch({ tenantId, email: address });
        }}
      >
        <div className="field">
          <label htmlFor={`${id}-tenant`}>{t("search.tenant")}</label>
          <select
            id={`${id}-tenant`}
            value={tenantId}
            onChange={(event) => {
              setTenantId(event.target.value);
            }}
          >
            <option value="">{t("search.chooseTenant")}</option>
            {tenants.data?.tenants.nodes.map((tenant) => (
              <option key={tenant.id} value={tenant.id}>
                {tenant.companyName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t("search.email")}</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            value={email}
            onChange={(event) => {
              setEmail(event.target.value);
            }}
          />
        </div>
        <button type="submit" className="primary" disabled={found.fetching}>
          {found.fetching ? t("search.finding") : t("search.find")}
        </button>
      </form>
      {missing && <p className="field-error">{t("search.missing")}</p>}
      <ErrorMessage error={tenants.error} />
      <ErrorMessage error={found.error} />
      <ErrorMessage error={failure} />
      {done !== null && (
        <p role="status" className="notice">
          {done}
        </p>
      )}

      {search !== null &&
        (!answered ? (
          found.fetching && <Loading />
        ) : subject !== null ? (
          <DataSubjectCard
            subject={{ id: subject.id, workflowCount: subject.workflows, erasedAt: subject.erasedAt }}
            email={search.email}
            tenantName={tenantName(search.tenantId)}
            busy={busy}
            onExport={() => void exportArchive(subject.id)}
            onErase={() => {
              setRefusal(undefined);
              setErasing(true);
            }}
          />
        ) : (
          found.error === undefined && <p>{t("notFound", { email: search.email, tenant: tenantName(search.tenantId) })}</p>
        ))}

      {erasing && subject !== null && search !== null && (
        <ReasonDialog
          title={t("erase.title", { email: search.email })}
          consequence={t("erase.consequence")}
          confirmLabel={t("erase.confirm")}
          reasonRequired
          danger
          error={refusal}
          submitting={busy}
          onCancel={() => {
            setErasing(false);
          }}
          onConfirm={(reason) => void erase(subject.id, reason)}
        />
      )}
    </section>
  );
}

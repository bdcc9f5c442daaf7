import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { useQuery } from "urql";
import { useSignedInUser } from "../../auth/SessionContext";
import { DataTable, type Column } from "../../components/DataTable";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { RelativeTime } from "../../components/RelativeTime";
import { StatusBadge } from "../../components/StatusBadge";
import { useCursor } from "../../components/useCursor";
import { graphql } from "../../graphql";
import type { MyWorkflowsQuery } from "../../graphql/graphql";
import "../../styles/portal.css";
import { ExpectationText } from "./components/ExpectationText";
import { expectationOf } from "./expectation";

const MyWorkflowsDocument = graphql(`
  query MyWorkflows($after: String) {
    workflows(first: 20, after: $after) {
      nodes {
        id
        status
        marketRole
        updatedAt
        template {
          id
          name
          steps {
            id
            title
            roles
          }
        }
        currentStep {
          id
          type
          title
        }
        state {
          lastRejection {
            reason
            toStepId
          }
        }
      }
      pageInfo {
        ...PaginationPageInfo
      }
    }
  }
`);

type Row = MyWorkflowsQuery["workflows"]["nodes"][number];

function expectationOfRow(row: Row) {
  const steps = row.template.steps;
  const rejection = row.state.lastRejection;
  return expectationOf({
    status: row.status,
    currentStep: row.currentStep ?? null,
    currentStepRoles: steps.find((step) => step.id === row.currentStep?.id)?.roles ?? [],
    rejection: rejection
      ? {
          reason: rejection.reason,
          toStepId: rejection.toStepId,
          toStepTitle: steps.find((step) => step.id === rejection.toStepId)?.title ?? rejection.toStepId,
        }
      : null,
  });
}

/** `/portal`: my tenant's onboardings and portfolio changes, and what each expects of us. */
export function MyWorkflows() {
  const { t } = useTranslation("portal");
  const user = useSignedInUser();
  const { after } = useCursor();
  const [result] = useQuery({ query: MyWorkflowsDocument, variables: { after } });
  const tenant = user.tenant?.companyName ?? "";

  const columns: Column<Row>[] = [
    {
      key: "template",
      header: t("list.template"),
      cell: (row) => (
        <Link to={`/portal/workflows/${row.id}`} aria-label={t("list.open", { name: row.template.name, role: row.marketRole })}>
          {row.template.name}
        </Link>
      ),
    },
    { key: "role", header: t("list.marketRole"), cell: (row) => <abbr title={t(`roles.${row.marketRole}`)}>{row.marketRole}</abbr> },
    { key: "status", header: t("list.status"), cell: (row) => <StatusBadge status={row.status} /> },
    { key: "expected", header: t("list.expected"), cell: (row) => <ExpectationText expectation={expectationOfRow(row)} /> },
    { key: "updated", header: t("list.updated"), cell: (row) => <RelativeTime value={row.updatedAt} />, align: "end" },
  ];

  return (
    <section aria-labelledby="screen-title" className="portal">
      <div className="portal-heading">
        <h1 id="screen-title">{t("myWorkflows")}</h1>
        <Link to="/portal/start" className="button-link">
          {t("list.startLink")}
        </Link>
      </div>
      <ErrorMessage error={result.error} />
      {result.fetching && !result.data ? (
        <Loading />
      ) : result.data ? (
        <>
          <DataTable
            caption={t("list.caption", { tenant })}
            columns={columns}
            rows={result.data.workflows.nodes}
            rowKey={(row) => row.id}
            emptyText={t("list.empty")}
          />
          <Pagination pageInfo={result.data.workflows.pageInfo} />
        </>
      ) : null}
    </section>
  );
}

import { useCallback, useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useQuery, useSubscription } from "urql";
import { useSignedInUser } from "../../auth/SessionContext";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { graphql } from "../../graphql";
import type { WorkflowStatus } from "../../graphql/enums";
import "../../styles/workflows.css";
import { WorkflowFilters, type FilterChoices } from "./components/WorkflowFilters";
import { WorkflowTable, type WorkflowRow } from "./components/WorkflowTable";
import { usePollingFallback } from "./usePollingFallback";
import { filterValuesOf, isFiltered, withFilter } from "./workflowFilter";
import { WorkflowListQuery, workflowListVariables } from "./workflowListQuery";

const WorkflowFilterChoicesQuery = graphql(`
  query ConsoleWorkflowFilterChoices {
    tenants(first: 100) {
      nodes {
        id
        companyName
      }
    }
    templates {
      key
    }
    users(filter: { status: "active" }, first: 100) {
      nodes {
        id
        email
        displayName
        tenant {
          companyName
        }
      }
    }
  }
`);

const WorkflowListChangesSubscription = graphql(`
  subscription ConsoleWorkflowListChanges($filter: WorkflowFilter) {
    workflowsChanged(filter: $filter) {
      version
      replayed
      workflow {
        id
        status
        currentStepId
        version
      }
    }
  }
`);

interface LiveChange {
  status: WorkflowStatus;
  currentStepId: string | null;
  version: number;
}

interface LiveState {
  /** The newest change of each workflow, by id */
  changes: Record<string, LiveChange>;
}

/** The console's list of every tenant's workflows: filters and page in the URL, statuses
 * kept live by `workflowsChanged` (or a refresh every 15 s while the feed is down). */
export function WorkflowList() {
  const { t, i18n } = useTranslation("workflows");
  const user = useSignedInUser();
  const [params, setParams] = useSearchParams();
  const values = filterValuesOf(params);
  // the variables its route started the query with (workflowListData)
  const variables = useMemo(() => workflowListVariables(params, i18n.language), [params, i18n.language]);
  const { filter } = variables;

  const [result, reexecute] = useQuery({ query: WorkflowListQuery, variables });
  const [choicesResult] = useQuery({ query: WorkflowFilterChoicesQuery });
  const [live, resubscribe] = useSubscription<unknown, LiveState>(
    { query: WorkflowListChangesSubscription, variables: { filter } },
    (previous = { changes: {} }, data) => {
      const change = (data as { workflowsChanged?: { workflow: LiveChange & { id: string } } }).workflowsChanged;
      if (!change) return previous;
      const known = previous.changes[change.workflow.id];
      if (known && known.version >= change.workflow.version) return previous;
      const { id, ...rest } = change.workflow;
      return { changes: { ...previous.changes, [id]: rest } };
    },
  );
  const refresh = useCallback(() => {
    reexecute({ requestPolicy: "network-only" });
  }, [reexecute]);
  const liveFailed = live.error !== undefined;
  usePollingFallback(liveFailed, refresh, { resubscribe });

  const [seenChanges, setSeenChanges] = useState<Record<string, number>>({});

  const data = result.data;
  const changes = live.data?.changes ?? {};
  const rows: WorkflowRow[] = (data?.workflows.nodes ?? []).map((node) => {
    const change = changes[node.id];
    const fresh = change !== undefined && change.version > node.version ? change : null;
    const currentStepId = fresh ? fresh.currentStepId : node.currentStepId;
    return {
      id: node.id,
      status: fresh ? fresh.status : node.status,
      marketRole: node.marketRole,
      currentStepId,
      currentStepTitle: node.template.steps.find((step) => step.id === currentStepId)?.title ?? null,
      createdAt: node.createdAt,
      tenantName: node.tenant.companyName,
      templateKey: node.template.key,
      templateVersion: node.template.version,
      dueAt: node.dueAt,
      overdue: node.overdue,
    };
  });
  const onPage = new Set(rows.map((row) => row.id));
  // changes to workflows not on this page (a new one, one that entered the filter): offer a refresh
  const elsewhere = Object.entries(changes).filter(
    ([id, change]) => !onPage.has(id) && (seenChanges[id] ?? 0) < change.version,
  );

  const choices: FilterChoices = {
    tenants: choicesResult.data?.tenants.nodes ?? [],
    templateKeys: [...new Set(choicesResult.data?.templates.map((template) => template.key) ?? [])].sort(),
    assignees: [
      { id: user.id, label: t("filters.me") },
      ...(choicesResult.data?.users.nodes ?? [])
        .filter((person) => person.id !== user.id)
        .map((person) => ({
          id: person.id,
          label: `${person.displayName ?? person.email}${person.tenant ? ` (${person.tenant.companyName})` : ""}`,
        })),
    ],
  };

  return (
    <section aria-labelledby="screen-title" className="workflows-screen">
      <h1 id="screen-title">{t("listTitle")}</h1>
      <WorkflowFilters
        values={values}
        choices={choices}
        onApply={(next) => {
          setParams(withFilter(params, next));
        }}
        onClear={() => {
          setParams(withFilter(params, {}));
        }}
      />
      <p className="live-status" role="status">
        {liveFailed ? t("live.polling") : t("live.on")}
      </p>
      {elsewhere.length > 0 && (
        <p className="live-notice">
          {t("live.changesElsewhere", { count: elsewhere.length })}{" "}
          <button
            type="button"
            onClick={() => {
              setSeenChanges(Object.fromEntries(Object.entries(changes).map(([id, change]) => [id, change.version])));
              refresh();
            }}
          >
            {t("live.refresh")}
          </button>
        </p>
      )}
      <ErrorMessage error={result.error} />
      {result.fetching && !data ? (
        <Loading />
      ) : (
        data && (
          <>
            <WorkflowTable
              rows={rows}
              caption={
                isFiltered(values)
                  ? t("list.captionFiltered", { count: data.workflows.totalCount })
                  : t("list.caption", { count: data.workflows.totalCount })
              }
            />
            <Pagination pageInfo={data.workflows.pageInfo} />
          </>
        )
      )}
    </section>
  );
}

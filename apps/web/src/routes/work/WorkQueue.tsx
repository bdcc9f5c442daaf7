import { useEffect, useRef, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, useSubscription, type CombinedError } from "urql";
import { useSignedInUser } from "../../auth/SessionContext";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { Pagination } from "../../components/Pagination";
import { useCursor } from "../../components/useCursor";
import { useNow } from "../../components/useNow";
import { graphql } from "../../graphql";
import "../../styles/work.css";
import { AssignDialog } from "./AssignDialog";
import { RESUBSCRIBE_AFTER_MS, refreshMode } from "./liveRefresh";
import { QueueFilterBar } from "./QueueFilterBar";
import { filtersFromParams, toWorkItemFilter, withFilter } from "./queueFilters";
import { WorkQueueTable, type WorkQueueRow } from "./WorkQueueTable";

const PAGE_SIZE = 25;
const ASSIGN_WORK = "work.assign";

// whose an item is: read with the queue, and answered by each claim, assignment and release
graphql(`
  fragment WorkQueueAssignment on WorkItem {
    id
    assignee {
      id
      name
    }
  }
`);

const WorkQueueQuery = graphql(`
  query WorkQueue($filter: WorkItemFilter, $first: Int!, $after: String) {
    workItems(filter: $filter, first: $first, after: $after) {
      totalCount
      pageInfo {
        ...PaginationPageInfo
      }
      nodes {
        id
        kind
        since
        dueAt
        breached
        escalatedTo
        roles
        templateKey
        marketRole
        stepTitle
        ...WorkQueueAssignment
        tenant {
          id
          companyName
        }
      }
    }
  }
`);

const WorkQueueChangedSubscription = graphql(`
  subscription WorkQueueLive {
    workQueueChanged {
      at
      workflowId
    }
  }
`);

const WorkQueueAssigneesQuery = graphql(`
  query WorkQueueAssignees {
    users(filter: { role: "market_ops", status: "active" }, first: 100) {
      nodes {
        id
        email
        displayName
      }
    }
  }
`);

const ClaimWorkItemMutation = graphql(`
  mutation WorkQueueClaim($workflowId: ID!) {
    claimWorkItem(workflowId: $workflowId) {
      ...WorkQueueAssignment
    }
  }
`);

const AssignWorkItemMutation = graphql(`
  mutation WorkQueueAssign($workflowId: ID!, $userId: ID!) {
    assignWorkItem(workflowId: $workflowId, userId: $userId) {
      ...WorkQueueAssignment
    }
  }
`);

const ReleaseWorkItemMutation = graphql(`
  mutation WorkQueueRelease($workflowId: ID!) {
    releaseWorkItem(workflowId: $workflowId) {
      ...WorkQueueAssignment
    }
  }
`);

function itemLabel(item: WorkQueueRow): string {
  return `${item.stepTitle} · ${item.tenant.companyName}`;
}

/** `/console/work`: everything waiting for me or my role, overdue first, kept current by
 * the `workQueueChanged` subscription (or by polling when it is unavailable). */
export function WorkQueue() {
  const { t } = useTranslation("work");
  const user = useSignedInUser();
  const mayAssign = user.permissions.includes(ASSIGN_WORK);
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const { after } = useCursor();
  const now = useNow(10_000);

  const [queue, reexecuteQueue] = useQuery({
    query: WorkQueueQuery,
    variables: { filter: toWorkItemFilter(filters, mayAssign), first: PAGE_SIZE, after },
  });

  // live: each signal re-reads the queue; a failed subscription falls back to polling
  const [live, resubscribe] = useSubscription({ query: WorkQueueChangedSubscription });
  const mode = refreshMode({ subscriptionsAvailable: typeof WebSocket !== "undefined", failed: live.error !== undefined });
  const handledSignal = useRef(live.data);
  useEffect(() => {
    if (live.data === undefined || live.data === handledSignal.current) return;
    handledSignal.current = live.data;
    reexecuteQueue({ requestPolicy: "network-only" });
  }, [live.data, reexecuteQueue]);
  const pollEveryMs = mode.kind === "polling" ? mode.intervalMs : null;
  useEffect(() => {
    if (pollEveryMs === null) return;
    const poll = setInterval(() => {
      reexecuteQueue({ requestPolicy: "network-only" });
    }, pollEveryMs);
    return () => {
      clearInterval(poll);
    };
  }, [pollEveryMs, reexecuteQueue]);
  useEffect(() => {
    if (live.error === undefined) return;
    const retry = setInterval(() => {
      resubscribe();
    }, RESUBSCRIBE_AFTER_MS);
    return () => {
      clearInterval(retry);
    };
  }, [live.error, resubscribe]);

  const [pendingId, setPendingId] = useState<string | null>(null);
  const [refusals, setRefusals] = useState<Record<string, CombinedError | undefined>>({});
  const [assigning, setAssigning] = useState<WorkQueueRow | null>(null);
  const [people] = useQuery({ query: WorkQueueAssigneesQuery, pause: assigning === null });
  const [, claim] = useMutation(ClaimWorkItemMutation);
  const [, release] = useMutation(ReleaseWorkItemMutation);
  const [assignment, assign] = useMutation(AssignWorkItemMutation);
  const [assignRefusal, setAssignRefusal] = useState<CombinedError | undefined>(undefined);

  async function act(item: WorkQueueRow, run: () => Promise<{ error?: CombinedError | undefined }>) {
    setPendingId(item.id);
    const result = await run();
    setPendingId(null);
    setRefusals((current) => ({ ...current, [item.id]: result.error }));
    reexecuteQueue({ requestPolicy: "network-only" });
  }

  const connection = queue.data?.workItems;
  return (
    <section aria-labelledby="screen-title" className="work-queue">
      <div className="screen-heading">
        <h1 id="screen-title">{t("title")}</h1>
        <p role="status" className={mode.kind === "live" ? "live-status" : "live-status polling"}>
          {mode.kind === "live" ? t("live.on") : t("live.polling", { seconds: mode.intervalMs / 1000 })}
        </p>
      </div>
      <QueueFilterBar
        filters={filters}
        mayAssign={mayAssign}
        onChange={(name, value) => {
          setParams(withFilter(params, name, value));
        }}
      />
      <ErrorMessage error={queue.error} />
      {connection === undefined ? (
        queue.fetching && <Loading />
      ) : (
        <>
          <WorkQueueTable
            items={connection.nodes}
            userId={user.id}
            mayAssign={mayAssign}
            now={now}
            totalCount={connection.totalCount}
            pendingId={pendingId}
            refusals={refusals}
            onClaim={(item) => void act(item, () => claim({ workflowId: item.id }))}
            onRelease={(item) => void act(item, () => release({ workflowId: item.id }))}
            onAssign={(item) => {
              setAssignRefusal(undefined);
              setAssigning(item);
            }}
          />
          <Pagination pageInfo={connection.pageInfo} />
        </>
      )}
      {assigning !== null && (
        <AssignDialog
          itemLabel={itemLabel(assigning)}
          people={people.data?.users.nodes ?? []}
          fetching={people.fetching}
          error={assignRefusal ?? people.error}
          submitting={assignment.fetching}
          onCancel={() => {
            setAssigning(null);
          }}
          onAssign={(userId) => {
            void assign({ workflowId: assigning.id, userId }).then((result) => {
              setAssignRefusal(result.error);
              if (result.error === undefined) {
                setAssigning(null);
                setRefusals((current) => ({ ...current, [assigning.id]: undefined }));
                reexecuteQueue({ requestPolicy: "network-only" });
              }
            });
          }}
        />
      )}
    </section>
  );
}

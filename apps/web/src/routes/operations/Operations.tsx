import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useMutation, useQuery, type CombinedError } from "urql";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import type { JobStatus, WebhookDeliveryStatus } from "../../graphql/enums";
import "../../styles/operations.css";
import { DeliveriesTable, type DeliveryRow, type SubscriptionName } from "./DeliveriesTable";
import { JobsTable, type JobRow } from "./JobsTable";
import { StatusFilter } from "./StatusFilter";

const JobsQuery = graphql(`
  query OperationsJobs($status: JobStatus) {
    jobs(status: $status, first: 100) {
      id
      entrypoint
      status
      attempts
      lastError
      updatedAt
    }
  }
`);

const DeliveriesQuery = graphql(`
  query OperationsDeliveries($status: WebhookDeliveryStatus) {
    webhookDeliveries(status: $status, first: 100) {
      id
      subscriptionId
      eventType
      status
      attemptCount
      lastStatusCode
      lastError
      lastAttemptAt
      attempts {
        attempt
        statusCode
        error
        durationMs
      }
    }
    webhookSubscriptions {
      id
      url
      tenant {
        id
        companyName
      }
    }
  }
`);

const RetryJobMutation = graphql(`
  mutation RetryJob($id: ID!) {
    retryJob(id: $id) {
      id
      status
      attempts
      updatedAt
    }
  }
`);

const ReplayDeliveryMutation = graphql(`
  mutation ReplayWebhookDelivery($id: ID!) {
    replayWebhookDelivery(id: $id) {
      id
      status
      attemptCount
    }
  }
`);

// every status, checked against the schema's enums by the types
const JOB_STATUSES: Record<JobStatus, true> = {
  FAILED: true,
  EXCEPTION: true,
  QUEUED: true,
  PICKED: true,
  SUCCESSFUL: true,
  CANCELED: true,
  DELETED: true,
};
const DELIVERY_STATUSES: Record<WebhookDeliveryStatus, true> = { FAILED: true, PENDING: true, DELIVERED: true };

/** A status from the URL; absent: `fallback`; "all": none */
function statusParam<Status extends string>(
  value: string | null,
  statuses: Record<Status, true>,
  fallback: Status,
): Status | null {
  if (value === null) return fallback;
  return (Object.keys(statuses) as Status[]).find((status) => status === value) ?? null;
}

/** Rows acted on, while the action is on its way */
function usePending(): [ReadonlySet<string>, (id: string, running: boolean) => void] {
  const [pending, setPending] = useState<ReadonlySet<string>>(new Set());
  const mark = (id: string, running: boolean) => {
    setPending((current) => {
      const next = new Set(current);
      if (running) next.add(id);
      else next.delete(id);
      return next;
    });
  };
  return [pending, mark];
}

interface Outcome {
  message: string | null;
  error: CombinedError | undefined;
}

/** The console's operations: held jobs to retry, webhook deliveries to replay. */
export function Operations() {
  const { t } = useTranslation("operations");
  const [params, setParams] = useSearchParams();
  const jobStatus = statusParam(params.get("jobs"), JOB_STATUSES, "FAILED");
  const deliveryStatus = statusParam(params.get("deliveries"), DELIVERY_STATUSES, "FAILED");
  const jobsContext = useMemo(() => ({ additionalTypenames: ["Job"] }), []);
  const deliveriesContext = useMemo(() => ({ additionalTypenames: ["WebhookDelivery"] }), []);
  const [jobs, refetchJobs] = useQuery({ query: JobsQuery, variables: { status: jobStatus }, context: jobsContext });
  const [deliveries, refetchDeliveries] = useQuery({
    query: DeliveriesQuery,
    variables: { status: deliveryStatus },
    context: deliveriesContext,
  });
  const [, retryJob] = useMutation(RetryJobMutation);
  const [, replayDelivery] = useMutation(ReplayDeliveryMutation);
  const [retrying, markRetrying] = usePending();
  const [replaying, markReplaying] = usePending();
  const [jobOutcome, setJobOutcome] = useState<Outcome | null>(null);
  const [deliveryOutcome, setDeliveryOutcome] = useState<Outcome | null>(null);

  const subscriptions = useMemo(
    () =>
      new Map<string, SubscriptionName>(
        (deliveries.data?.webhookSubscriptions ?? []).map((subscription) => [
          subscription.id,
          { url: subscription.url, tenant: subscription.tenant.companyName },
        ]),
      ),
    [deliveries.data],
  );

  function filter(name: string, value: string | null) {
    const next = new URLSearchParams(params);
    next.set(name, value ?? "all");
    setParams(next);
  }

  async function retry(job: JobRow) {
    markRetrying(job.id, true);
    setJobOutcome(null);
    const result = await retryJob({ id: job.id });
    markRetrying(job.id, false);
    setJobOutcome({ message: result.error ? null : t("jobs.retried", { id: job.id }), error: result.error });
  }

  async function replay(delivery: DeliveryRow) {
    markReplaying(delivery.id, true);
    setDeliveryOutcome(null);
    const result = await replayDelivery({ id: delivery.id });
    markReplaying(delivery.id, false);
    setDeliveryOutcome({ message: result.error ? null : t("deliveries.replayed"), error: result.error });
  }

  return (
    <section aria-labelledby="screen-title" className="operations">
      <h1 id="screen-title">{t("title")}</h1>
      <p>{t("intro")}</p>

      <section aria-labelledby="jobs-title">
        <div className="section-bar">
          <h2 id="jobs-title">{t("jobs.title")}</h2>
          <StatusFilter
            filterLabel={t("jobs.statusFilter")}
            statuses={Object.keys(JOB_STATUSES) as JobStatus[]}
            value={jobStatus}
            label={(status) => t(`jobStatus.${status}`)}
            onChange={(status) => {
              filter("jobs", status);
            }}
          />
          <button
            type="button"
            onClick={() => {
              refetchJobs({ requestPolicy: "network-only" });
            }}
          >
            {t("refresh")}
          </button>
        </div>
        {jobOutcome?.message != null && (
          <p role="status" className="success-message">
            {jobOutcome.message}
          </p>
        )}
        <ErrorMessage error={jobOutcome?.error} />
        <ErrorMessage error={jobs.error} />
        {jobs.fetching && jobs.data === undefined ? (
          <Loading />
        ) : (
          <JobsTable
            jobs={jobs.data?.jobs ?? []}
            retrying={retrying}
            onRetry={(job) => {
              void retry(job);
            }}
          />
        )}
      </section>

      <section aria-labelledby="deliveries-title">
        <div className="section-bar">
          <h2 id="deliveries-title">{t("deliveries.title")}</h2>
          <StatusFilter
            filterLabel={t("deliveries.statusFilter")}
            statuses={Object.keys(DELIVERY_STATUSES) as WebhookDeliveryStatus[]}
            value={deliveryStatus}
            label={(status) => t(`deliveryStatus.${status}`)}
            onChange={(status) => {
              filter("deliveries", status);
            }}
          />
          <button
            type="button"
            onClick={() => {
              refetchDeliveries({ requestPolicy: "network-only" });
            }}
          >
            {t("refresh")}
          </button>
        </div>
        {deliveryOutcome?.message != null && (
          <p role="status" className="success-message">
            {deliveryOutcome.message}
          </p>
        )}
        <ErrorMessage error={deliveryOutcome?.error} />
        <ErrorMessage error={deliveries.error} />
        {deliveries.fetching && deliveries.data === undefined ? (
          <Loading />
        ) : (
          <DeliveriesTable
            deliveries={deliveries.data?.webhookDeliveries ?? []}
            subscriptions={subscriptions}
            replaying={replaying}
            onReplay={(delivery) => {
              void replay(delivery);
            }}
          />
        )}
      </section>
    </section>
  );
}

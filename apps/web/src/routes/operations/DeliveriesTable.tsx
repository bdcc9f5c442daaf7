import { useTranslation } from "react-i18next";
import { DataTable } from "../../components/DataTable";
import { RelativeTime } from "../../components/RelativeTime";
import type { WebhookDeliveryStatus } from "../../graphql/enums";
import { RowActionButton } from "./RowActionButton";

export interface DeliveryRow {
  id: string;
  subscriptionId: string;
  eventType: string;
  status: WebhookDeliveryStatus;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  attempts: readonly { attempt: number; statusCode: number | null; error: string | null; durationMs: number }[];
}

export interface SubscriptionName {
  url: string;
  tenant: string;
}

export interface DeliveriesTableProps {
  deliveries: readonly DeliveryRow[];
  /** Subscriptions by id, to name where a delivery goes */
  subscriptions: ReadonlyMap<string, SubscriptionName>;
  /** Deliveries whose replay is on its way */
  replaying: ReadonlySet<string>;
  onReplay: (delivery: DeliveryRow) => void;
  now?: number;
}

function outcome(statusCode: number | null, error: string | null, httpStatus: (code: number) => string, none: string): string {
  const parts = [statusCode === null ? null : httpStatus(statusCode), error].filter((part): part is string => part !== null);
  return parts.length > 0 ? parts.join(" — ") : none;
}

/** Webhook deliveries with their attempts; one can be sent again under its message id. */
export function DeliveriesTable({ deliveries, subscriptions, replaying, onReplay, now }: DeliveriesTableProps) {
  const { t } = useTranslation("operations");
  const httpStatus = (code: number) => t("deliveries.httpStatus", { code });
  const subscriptionOf = (delivery: DeliveryRow) =>
    subscriptions.get(delivery.subscriptionId) ?? null;
  return (
    <DataTable
      caption={t("deliveries.caption")}
      rows={deliveries}
      rowKey={(delivery) => delivery.id}
      emptyText={t("deliveries.empty")}
      columns={[
        {
          key: "subscription",
          header: t("deliveries.subscription"),
          cell: (delivery) => {
            const subscription = subscriptionOf(delivery);
            return subscription === null ? (
              t("deliveries.unknownSubscription", { id: delivery.subscriptionId })
            ) : (
              <>
                <span className="subscription-url">{subscription.url}</span>
                <br />
                <span className="muted">{subscription.tenant}</span>
              </>
            );
          },
        },
        { key: "event", header: t("deliveries.eventType"), cell: (delivery) => <code>{delivery.eventType}</code> },
        {
          key: "status",
          header: t("deliveries.status"),
          cell: (delivery) => (
            <span className={`badge delivery-${delivery.status.toLowerCase()}`}>{t(`deliveryStatus.${delivery.status}`)}</span>
          ),
        },
        {
          key: "attempts",
          header: t("deliveries.attempts"),
          align: "end",
          cell: (delivery) =>
            delivery.attempts.length === 0 ? (
              delivery.attemptCount
            ) : (
              <details>
                <summary>{t("deliveries.attemptList", { count: delivery.attemptCount })}</summary>
                <ol className="attempts">
                  {delivery.attempts.map((attempt) => (
                    <li key={attempt.attempt}>
                      {t("deliveries.attemptLine", {
                        attempt: attempt.attempt,
                        outcome: outcome(attempt.statusCode, attempt.error, httpStatus, t("deliveries.noResponse")),
                        duration: attempt.durationMs,
                      })}
                    </li>
                  ))}
                </ol>
              </details>
            ),
        },
        {
          key: "lastResponse",
          header: t("deliveries.lastResponse"),
          cell: (delivery) => outcome(delivery.lastStatusCode, delivery.lastError, httpStatus, t("deliveries.noResponse")),
        },
        {
          key: "lastAttempt",
          header: t("deliveries.lastAttempt"),
          cell: (delivery) => (delivery.lastAttemptAt === null ? "—" : <RelativeTime value={delivery.lastAttemptAt} now={now} />),
        },
        {
          key: "actions",
          header: t("deliveries.actions"),
          cell: (delivery) => (
            <RowActionButton
              label={t("deliveries.replay")}
              accessibleName={t("deliveries.replayLabel", {
                event: delivery.eventType,
                subscription: subscriptionOf(delivery)?.url ?? delivery.subscriptionId,
              })}
              busyLabel={t("deliveries.replaying")}
              busy={replaying.has(delivery.id)}
              unavailable={delivery.status === "PENDING" ? t("deliveries.notWhilePending") : null}
              onClick={() => {
                onReplay(delivery);
              }}
            />
          ),
        },
      ]}
    />
  );
}

import { useMemo, useState } from "react";
import { useTranslation } from "react-i18next";
import { useSearchParams } from "react-router";
import { useMutation, useQuery } from "urql";
import { isMarketOps } from "../../auth/roles";
import { useSignedInUser } from "../../auth/SessionContext";
import { ErrorMessage } from "../../components/ErrorMessage";
import { Loading } from "../../components/Loading";
import { graphql } from "../../graphql";
import "../../styles/operations.css";
import { NotificationList } from "./NotificationList";

const NotificationsQuery = graphql(`
  query Notifications($unreadOnly: Boolean!, $first: Int!) {
    notifications(unreadOnly: $unreadOnly, first: $first) {
      id
      subject
      body
      workflowId
      read
      createdAt
    }
  }
`);

const MarkNotificationsReadMutation = graphql(`
  mutation MarkNotificationsRead($ids: [ID!]!) {
    markNotificationsRead(ids: $ids)
  }
`);

const PAGE = 20;
// the API's largest page
const MOST = 100;

/** The signed-in user's notifications (console and portal alike). */
export function Notifications() {
  const { t } = useTranslation("operations");
  const user = useSignedInUser();
  const [params, setParams] = useSearchParams();
  const unreadOnly = params.get("unread") === "1";
  const [first, setFirst] = useState(PAGE);
  const context = useMemo(() => ({ additionalTypenames: ["Notification"] }), []);
  const [result, refetch] = useQuery({ query: NotificationsQuery, variables: { unreadOnly, first }, context });
  const [marking, markRead] = useMutation(MarkNotificationsReadMutation);
  const [markingIds, setMarkingIds] = useState<ReadonlySet<string>>(new Set());
  const notifications = result.data?.notifications ?? [];
  const unread = notifications.filter((notification) => !notification.read);
  const workflowPath = (id: string) => (isMarketOps(user) ? `/console/workflows/${id}` : `/portal/workflows/${id}`);

  async function mark(ids: string[]) {
    setMarkingIds(new Set(ids));
    const answer = await markRead({ ids });
    setMarkingIds(new Set());
    // the answer is a count, not the notifications: read them again
    if (!answer.error) refetch({ requestPolicy: "network-only" });
  }

  return (
    <section aria-labelledby="screen-title" className="notifications">
      <h1 id="screen-title">{t("notifications.title")}</h1>
      <div className="section-bar">
        <label className="checkbox">
          <input
            type="checkbox"
            checked={unreadOnly}
            onChange={(event) => {
              const next = new URLSearchParams(params);
              if (event.currentTarget.checked) next.set("unread", "1");
              else next.delete("unread");
              setParams(next);
            }}
          />
          {t("notifications.unreadOnly")}
        </label>
        {unread.length > 0 && (
          <>
            <span className="muted">{t("notifications.unreadCount", { count: unread.length })}</span>
            <button
              type="button"
              disabled={marking.fetching}
              onClick={() => {
                void mark(unread.map((notification) => notification.id));
              }}
            >
              {t("notifications.markAllRead")}
            </button>
          </>
        )}
      </div>
      <ErrorMessage error={marking.error} />
      <ErrorMessage error={result.error} />
      {result.fetching && result.data === undefined ? (
        <Loading />
      ) : (
        <NotificationList
          notifications={notifications}
          workflowPath={workflowPath}
          marking={markingIds}
          onMarkRead={(ids) => {
            void mark(ids);
          }}
          emptyText={unreadOnly ? t("notifications.emptyUnread") : t("notifications.empty")}
        />
      )}
      {notifications.length === first && first < MOST && (
        <button
          type="button"
          onClick={() => {
            setFirst((current) => Math.min(current + PAGE, MOST));
          }}
        >
          {t("notifications.showMore")}
        </button>
      )}
    </section>
  );
}

import { useTranslation } from "react-i18next";
import { Link } from "react-router";
import { RelativeTime } from "../../components/RelativeTime";

export interface NotificationItem {
  id: string;
  subject: string;
  body: string;
  workflowId: string | null;
  read: boolean;
  createdAt: string;
}

export interface NotificationListProps {
  notifications: readonly NotificationItem[];
  /** Where a workflow opens for this user (the console's or the portal's screen) */
  workflowPath: (workflowId: string) => string;
  onMarkRead: (ids: string[]) => void;
  /** Notifications being marked read */
  marking: ReadonlySet<string>;
  emptyText: string;
  now?: number;
}

/** The user's notifications, unread ones marked (in words too), each with a link to its
 * workflow when it names one. */
export function NotificationList({ notifications, workflowPath, onMarkRead, marking, emptyText, now }: NotificationListProps) {
  const { t } = useTranslation("operations");
  if (notifications.length === 0) return <p className="empty-list">{emptyText}</p>;
  return (
    <ul aria-label={t("notifications.listLabel")} className="notification-list">
      {notifications.map((notification) => (
        <li key={notification.id} className={notification.read ? "notification" : "notification unread"}>
          <article aria-labelledby={`notification-${notification.id}`}>
            <header className="notification-header">
              <span className={notification.read ? "badge notification-read" : "badge notification-unread"}>
                {notification.read ? t("notifications.read") : t("notifications.unread")}
              </span>
              <h2 id={`notification-${notification.id}`}>{notification.subject}</h2>
              <RelativeTime value={notification.createdAt} now={now} />
            </header>
            <p>{notification.body}</p>
            <div className="notification-actions">
              {notification.workflowId !== null && (
                <Link to={workflowPath(notification.workflowId)}>{t("notifications.openWorkflow")}</Link>
              )}
              {!notification.read && (
                <button
                  type="button"
                  aria-label={t("notifications.markReadLabel", { subject: notification.subject })}
                  disabled={marking.has(notification.id)}
                  onClick={() => {
                    onMarkRead([notification.id]);
                  }}
                >
                  {marking.has(notification.id) ? t("notifications.marking") : t("notifications.markRead")}
                </button>
              )}
            </div>
          </article>
        </li>
      ))}
    </ul>
  );
}

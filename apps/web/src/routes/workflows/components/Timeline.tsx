import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../i18n/format";
import { summarizeData } from "./DataView";
import { Performer, type PerformerActor } from "./Performer";

export interface TimelineEvent {
  id: string;
  seq: number;
  type: string;
  stepId: string | null;
  data: unknown;
  occurredAt: string;
  performedBy: PerformerActor;
}

export interface TimelineProps {
  events: readonly TimelineEvent[];
  /** Every event of the log, all pages together */
  totalCount: number;
  /** The event whose state is shown (time travel); null: now */
  selectedSeq?: number | null;
  /** Offer "view the state as of this event"; left out: the timeline only tells */
  onSelect?: (seq: number) => void;
  /** A step's title by its id; left out: the id */
  stepTitle?: (stepId: string) => string;
}

/** The workflow's event log, oldest first: what happened, at which step, who did it, when,
 * and what it said; each event may be picked to see the state right after it. */
export function Timeline({ events, totalCount, selectedSeq = null, onSelect, stepTitle }: TimelineProps) {
  const { t, i18n } = useTranslation("workflows");
  return (
    <div className="table-scroll">
      <table className="data-table timeline">
        <caption>{t("timeline.caption", { count: totalCount })}</caption>
        <thead>
          <tr>
            <th scope="col" className="align-end">
              {t("timeline.seq")}
            </th>
            <th scope="col">{t("timeline.event")}</th>
            <th scope="col">{t("timeline.step")}</th>
            <th scope="col">{t("timeline.who")}</th>
            <th scope="col">{t("timeline.when")}</th>
            <th scope="col">{t("timeline.details")}</th>
            {onSelect && <th scope="col">{t("timeline.timeTravel")}</th>}
          </tr>
        </thead>
        <tbody>
          {events.length === 0 ? (
            <tr>
              <td colSpan={onSelect ? 7 : 6} className="empty">
                {t("timeline.empty")}
              </td>
            </tr>
          ) : (
            events.map((event) => {
              const selected = event.seq === selectedSeq;
              return (
                <tr key={event.id} className={selected ? "selected" : undefined} aria-current={selected ? "step" : undefined}>
                  <td className="align-end">{event.seq}</td>
                  <td>{t(`eventTypes.${event.type}`, { defaultValue: event.type })}</td>
                  <td>{event.stepId === null ? "—" : (stepTitle?.(event.stepId) ?? event.stepId)}</td>
                  <td>
                    <Performer actor={event.performedBy} />
                  </td>
                  <td>
                    <time dateTime={event.occurredAt}>{formatDateTime(event.occurredAt, i18n.language)}</time>
                  </td>
                  <td className="event-summary">{summarizeData(event.data)}</td>
                  {onSelect && (
                    <td>
                      {selected ? (
                        <span className="badge">{t("timeline.viewing")}</span>
                      ) : (
                        <button
                          type="button"
                          className="link-button"
                          aria-label={t("timeline.viewAsOf", { seq: event.seq })}
                          onClick={() => {
                            onSelect(event.seq);
                          }}
                        >
                          {t("timeline.view")}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
              );
            })
          )}
        </tbody>
      </table>
    </div>
  );
}

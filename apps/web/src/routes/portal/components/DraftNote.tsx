import { useTranslation } from "react-i18next";
import { formatDateTime } from "../../../i18n/format";

export interface DraftNoteProps {
  savedAt: string;
  /** Who saved it last: the person, or a colleague */
  savedBy: string;
  busy: boolean;
  onDiscard: () => void;
}

/** A step's saved draft: when and by whom, and the way to drop it. */
export function DraftNote({ savedAt, savedBy, busy, onDiscard }: DraftNoteProps) {
  const { t, i18n } = useTranslation("portal");
  return (
    <div className="notice draft-note">
      <p role="status">{t("form.draftSaved", { when: formatDateTime(savedAt, i18n.language), name: savedBy })}</p>
      <button type="button" className="secondary" disabled={busy} onClick={onDiscard}>
        {t("form.discardDraft")}
      </button>
    </div>
  );
}

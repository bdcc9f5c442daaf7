import { useTranslation } from "react-i18next";
import type { FileStatus } from "../graphql/enums";

/** A file's scan status in words: being scanned, ready, or infected (never downloadable). */
export function FileStatusBadge({ status }: { status: FileStatus }) {
  const { t } = useTranslation("files");
  return <span className={`badge file-${status.toLowerCase()}`}>{t(`status.${status}`)}</span>;
}

/** Whether the file's bytes may be downloaded: scanned clean, or accepted without a scanner. */
export function isDownloadable(status: FileStatus): boolean {
  return status === "CLEAN" || status === "UNSCANNED";
}

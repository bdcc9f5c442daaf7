import { useTranslation } from "react-i18next";
import { DataTable } from "../components/DataTable";
import { graphql } from "../graphql";
import type { FileStatus } from "../graphql/enums";
import { formatDateTime } from "../i18n/format";
import { FileProblemMessage } from "./FileProblemMessage";
import { FileStatusBadge, isDownloadable } from "./FileStatusBadge";
import { formatFileSize } from "./sizes";
import type { FileTransferError } from "./transfer";
import "../styles/files.css";

// what the workflow screens ask of each file (the console's and the portal's)
graphql(`
  fragment WorkflowAttachment on WorkflowFile {
    id
    name
    stepId
    contentType
    size
    status
    uploadedAt
    downloadUrl
  }
`);

/** A workflow's file, as the section lists it */
export interface Attachment {
  id: string;
  name: string;
  stepId: string;
  contentType: string;
  size: number;
  status: FileStatus;
  uploadedAt: string;
  downloadUrl: string;
}

export interface AttachmentsSectionProps {
  files: readonly Attachment[];
  stepTitle: (stepId: string) => string;
  /** The link's target (the API's `/files/<id>`, under the API the app talks to) */
  hrefOf: (file: Attachment) => string;
  onDownload: (file: Attachment) => void;
  /** The file being downloaded now */
  downloading: string | null;
  problem: FileTransferError | null;
}

/** A workflow's attachments: name, step, type, size, scan status, upload time, and a link
 * that downloads the file; a file being scanned says so, an infected one is flagged and has
 * no link. */
export function AttachmentsSection({ files, stepTitle, hrefOf, onDownload, downloading, problem }: AttachmentsSectionProps) {
  const { t, i18n } = useTranslation("files");
  return (
    <section aria-labelledby="attachments-title" className="attachments">
      <h2 id="attachments-title">{t("attachments.title")}</h2>
      <FileProblemMessage problem={problem} />
      <DataTable
        caption={t("attachments.caption", { count: files.length })}
        captionHidden
        rows={files}
        rowKey={(file) => file.id}
        emptyText={t("attachments.empty")}
        columns={[
          { key: "name", header: t("attachments.columns.name"), cell: (file) => <span className="file-name">{file.name}</span> },
          { key: "step", header: t("attachments.columns.step"), cell: (file) => stepTitle(file.stepId) },
          { key: "type", header: t("attachments.columns.type"), cell: (file) => <code>{file.contentType}</code> },
          { key: "size", header: t("attachments.columns.size"), align: "end", cell: (file) => formatFileSize(file.size, i18n.language) },
          {
            key: "status",
            header: t("attachments.columns.status"),
            cell: (file) => (
              <>
                <FileStatusBadge status={file.status} />
                {(file.status === "PENDING" || file.status === "INFECTED") && (
                  <span className="file-status-text">{t(`statusText.${file.status}`)}</span>
                )}
              </>
            ),
          },
          {
            key: "uploadedAt",
            header: t("attachments.columns.uploadedAt"),
            cell: (file) => <time dateTime={file.uploadedAt}>{formatDateTime(file.uploadedAt, i18n.language)}</time>,
          },
          {
            key: "download",
            header: t("attachments.columns.download"),
            cell: (file) =>
              !isDownloadable(file.status) ? (
                <span className="muted">{t("attachments.notDownloadable")}</span>
              ) : downloading === file.id ? (
                <span role="status">{t("attachments.downloading")}</span>
              ) : (
                <a
                  href={hrefOf(file)}
                  download={file.name}
                  rel="noopener"
                  aria-label={t("attachments.downloadLabel", { name: file.name })}
                  onClick={(event) => {
                    // the access token cannot ride a plain link: the route fetches the bytes
                    event.preventDefault();
                    onDownload(file);
                  }}
                >
                  {t("attachments.download")}
                </a>
              ),
          },
        ]}
      />
    </section>
  );
}

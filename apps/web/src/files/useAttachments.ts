import { useCallback, useEffect, useMemo, useState } from "react";
import type { Attachment } from "./AttachmentsSection";
import { useFileTransfer } from "./FileTransferContext";
import { FileTransferError, saveAs, type UploadedFile } from "./transfer";

function asProblem(error: unknown): FileTransferError {
  return error instanceof FileTransferError ? error : new FileTransferError("UNKNOWN", error instanceof Error ? error.message : "");
}

// a scan takes seconds: the screen asks again this often while a file waits for it
const SCAN_POLL_MS = 5_000;

/** A workflow screen's attachments I/O: the download of a listed file (the browser saves it
 * under its name), and the upload of a step's file; `refresh` (the screen's query) after an
 * upload, and every few seconds while one of `files` waits for the virus scanner (its verdict
 * is no event of the workflow). */
export function useAttachments(workflowId: string, files: readonly Pick<Attachment, "status">[], refresh: () => void) {
  const transfer = useFileTransfer();
  const scanning = files.some((file) => file.status === "PENDING");
  useEffect(() => {
    if (!scanning) return undefined;
    const timer = window.setInterval(refresh, SCAN_POLL_MS);
    return () => {
      window.clearInterval(timer);
    };
  }, [scanning, refresh]);
  const [downloading, setDownloading] = useState<string | null>(null);
  const [problem, setProblem] = useState<FileTransferError | null>(null);

  const download = useCallback(
    (file: Attachment) => {
      setDownloading(file.id);
      setProblem(null);
      transfer
        .download(file.downloadUrl)
        .then((blob) => {
          saveAs(blob, file.name);
        })
        .catch((error: unknown) => {
          setProblem(asProblem(error));
        })
        .finally(() => {
          setDownloading(null);
        });
    },
    [transfer],
  );

  const uploadTo = useCallback(
    (stepId: string) =>
      async (file: File): Promise<UploadedFile> => {
        const uploaded = await transfer.upload({ workflowId, stepId }, file);
        refresh();
        return uploaded;
      },
    [transfer, workflowId, refresh],
  );

  const hrefOf = useCallback((file: Attachment) => transfer.urlOf(file.downloadUrl), [transfer]);

  return useMemo(() => ({ download, downloading, problem, hrefOf, uploadTo }), [download, downloading, problem, hrefOf, uploadTo]);
}

import { createContext, useContext, type ReactNode } from "react";
import type { FileTransfer } from "./transfer";

const FileTransferContext = createContext<FileTransfer | null>(null);

export function FileTransferProvider({ transfer, children }: { transfer: FileTransfer; children: ReactNode }) {
  return <FileTransferContext value={transfer}>{children}</FileTransferContext>;
}

/** Uploads and downloads of attachments with the signed-in session (the routes' I/O). */
export function useFileTransfer(): FileTransfer {
  const transfer = useContext(FileTransferContext);
  if (transfer === null) throw new Error("useFileTransfer needs a <FileTransferProvider>");
  return transfer;
}

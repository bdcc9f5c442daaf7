/** Attachments over HTTP: `POST /files` (multipart: workflowId, stepId, then the file) and
 * `GET /files/<id>`, with the signed-in session's access token as every GraphQL request
 * carries it (src/graphql/client.ts), and the person's language. A refused request is a
 * `FileTransferError` with the API's code and its own words (the API's HTTP errors have the
 * shape of GraphQL's: `{"errors": [{"message", "extensions": {"code"}}]}`). */
import type { Session } from "../auth/session";
import type { FileStatus } from "../graphql/enums";

/** What `POST /files` answers (201) */
export interface UploadedFile {
  id: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  status: FileStatus;
}

/** Where a file belongs: a step of a workflow */
export interface UploadTarget {
  workflowId: string;
  stepId: string;
}

/** Why a transfer failed, by the HTTP status the API answered */
export type FileProblemKind =
  | "TOO_LARGE"
  | "TYPE_NOT_ALLOWED"
  | "NOT_FOUND"
  | "UNAUTHENTICATED"
  | "FORBIDDEN"
  | "PENDING"
  | "INFECTED"
  | "INVALID_TRANSITION"
  | "VALIDATION_FAILED"
  | "RATE_LIMITED"
  | "UNAVAILABLE"
  | "NETWORK"
  | "UNKNOWN";

export class FileTransferError extends Error {
  override name = "FileTransferError";

  constructor(
    readonly kind: FileProblemKind,
    /** The server's own words (empty when it said nothing, or never answered) */
    readonly detail: string,
    readonly status: number | null = null,
  ) {
    super(detail === "" ? kind : detail);
  }
}

// the API's codes (apps/api wfm_api/files.py), then the HTTP status when there is none
const KIND_OF_CODE: Readonly<Record<string, FileProblemKind>> = {
  PAYLOAD_TOO_LARGE: "TOO_LARGE",
  UNSUPPORTED_MEDIA_TYPE: "TYPE_NOT_ALLOWED",
  FILE_PENDING: "PENDING",
  FILE_INFECTED: "INFECTED",
  INVALID_TRANSITION: "INVALID_TRANSITION",
  BAD_REQUEST: "VALIDATION_FAILED",
};

const KIND_OF_STATUS: Readonly<Record<number, FileProblemKind>> = {
  400: "VALIDATION_FAILED",
  401: "UNAUTHENTICATED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "PENDING",
  410: "INFECTED",
  413: "TOO_LARGE",
  415: "TYPE_NOT_ALLOWED",
  422: "VALIDATION_FAILED",
  429: "RATE_LIMITED",
  503: "UNAVAILABLE",
};

/** The problem a refused response carries: its kind from the API's code (else the status),
 * the server's message. */
export async function problemOf(response: Response): Promise<FileTransferError> {
  let detail = "";
  let code = "";
  try {
    const body = (await response.json()) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
    const first = body.errors?.[0];
    if (typeof first?.message === "string") detail = first.message;
    if (typeof first?.extensions?.code === "string") code = first.extensions.code;
  } catch {
    // not JSON (a proxy's page): the status says enough
  }
  const kind = KIND_OF_CODE[code] ?? KIND_OF_STATUS[response.status] ?? "UNKNOWN";
  return new FileTransferError(kind, detail, response.status);
}

const STATUSES: readonly FileStatus[] = ["PENDING", "CLEAN", "INFECTED", "UNSCANNED"];

/** `pending` or `PENDING` alike: the route's JSON and GraphQL's enum name the same statuses. */
export function fileStatusOf(value: unknown): FileStatus {
  const upper = String(value).toUpperCase();
  return STATUSES.find((status) => status === upper) ?? "PENDING";
}

function uploadedFileOf(body: unknown): UploadedFile {
  const record = (typeof body === "object" && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof record.id !== "string") throw new FileTransferError("UNKNOWN", "the upload's answer has no id");
  return {
    id: record.id,
    name: typeof record.name === "string" ? record.name : "",
    contentType: typeof record.contentType === "string" ? record.contentType : "",
    size: typeof record.size === "number" ? record.size : 0,
    sha256: typeof record.sha256 === "string" ? record.sha256 : "",
    status: fileStatusOf(record.status),
  };
}

export interface FileTransferOptions {
  session: Session;
  /** `POST` here (src/config.ts `filesUrl`) */
  filesUrl: string;
  credentials: RequestCredentials;
  /** The active language, sent as Accept-Language */
  language: () => string;
  fetch?: typeof fetch;
}

export interface FileTransfer {
  upload(target: UploadTarget, file: File): Promise<UploadedFile>;
  /** The bytes at a file's `downloadUrl` (`/files/<id>`) */
  download(downloadUrl: string): Promise<Blob>;
  /** A file's `downloadUrl` under the API the app talks to */
  urlOf(downloadUrl: string): string;
}

/** `/files/<id>` under the API the app talks to (a path prefix and another origin kept). */
export function resolveDownloadUrl(downloadUrl: string, filesUrl: string): string {
  if (!downloadUrl.startsWith("/")) return downloadUrl;
  return filesUrl.replace(/\/files$/, "") + downloadUrl;
}

export function createFileTransfer(options: FileTransferOptions): FileTransfer {
  const send = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const { session } = options;

  async function headers(): Promise<Record<string, string>> {
    // as the GraphQL client does: a token about to expire is renewed first
    if (session.accessToken === null || session.expiresSoon()) await session.refresh();
    const token = session.accessToken;
    return {
      "Accept-Language": options.language(),
      ...(token === null ? {} : { Authorization: `Bearer ${token}` }),
    };
  }

  /** The request, and once more with a renewed token when the API refused the first (401). */
  async function authorized(url: string, init: RequestInit): Promise<Response> {
    const attempt = async () => {
      try {
        return await send(url, { ...init, headers: await headers(), credentials: options.credentials });
      } catch (error) {
        throw new FileTransferError("NETWORK", error instanceof Error ? error.message : "");
      }
    };
    const response = await attempt();
    if (response.status !== 401 || !(await session.refresh())) return response;
    return attempt();
  }

  return {
    async upload({ workflowId, stepId }, file) {
      // the route reads the fields before the file: they come first
      const body = new FormData();
      body.append("workflowId", workflowId);
      body.append("stepId", stepId);
      body.append("file", file, file.name);
      const response = await authorized(options.filesUrl, { method: "POST", body });
      if (!response.ok) throw await problemOf(response);
      return uploadedFileOf(await response.json());
    },
    async download(downloadUrl) {
      const response = await authorized(resolveDownloadUrl(downloadUrl, options.filesUrl), { method: "GET" });
      if (!response.ok) throw await problemOf(response);
      return response.blob();
    },
    urlOf(downloadUrl) {
      return resolveDownloadUrl(downloadUrl, options.filesUrl);
    },
  };
}

/** The browser's download of `blob` under `name` (the access token cannot ride a plain link). */
export function saveAs(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  link.rel = "noopener";
  link.style.display = "none";
  document.body.append(link);
  link.click();
  link.remove();
  // the download has started from the URL; it can go
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

import { describe, expect, it } from "vitest";
import { Session } from "../auth/session";
import { tenantAdmin } from "../test/users";
import { createFileTransfer, FileTransferError, resolveDownloadUrl } from "./transfer";

interface Sent {
  url: string;
  method: string;
  headers: Headers;
  credentials: RequestCredentials | undefined;
  body: BodyInit | null | undefined;
}

function signedIn(fetch: typeof globalThis.fetch): Session {
  const session = new Session({ fetch });
  session.signIn({ accessToken: "token-1", expiresAt: Date.now() + 3_600_000 }, tenantAdmin);
  return session;
}

function recording(answer: (sent: Sent) => Response) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const request: Sent = {
      url: typeof input === "string" ? input : input instanceof URL ? input.href : input.url,
      method: init?.method ?? "GET",
      headers: new Headers(init?.headers),
      credentials: init?.credentials,
      body: init?.body,
    };
    sent.push(request);
    return Promise.resolve(answer(request));
  };
  return { fetch, sent };
}

function refusal(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const TARGET = { workflowId: "wf-1", stepId: "financial-guarantee" };

describe("an upload", () => {
  it("sends the workflow, the step, then the file, with the session's token and the person's language", async () => {
    const api = recording(
      () =>
        new Response(
          JSON.stringify({ id: "f-1", name: "g.pdf", contentType: "application/pdf", size: 3, sha256: "ab", status: "pending" }),
          { status: 201, headers: { "content-type": "application/json" } },
        ),
    );
    const transfer = createFileTransfer({ session: signedIn(api.fetch), filesUrl: "/files", credentials: "include", language: () => "fr", fetch: api.fetch });

    const file = new File(["%PDF"], "g.pdf", { type: "application/pdf" });
    const uploaded = await transfer.upload(TARGET, file);

    expect(uploaded).toEqual({ id: "f-1", name: "g.pdf", contentType: "application/pdf", size: 3, sha256: "ab", status: "PENDING" });
    const request = api.sent[0];
    if (request === undefined) throw new Error("nothing was sent");
    expect([request.method, request.url, request.credentials]).toEqual(["POST", "/files", "include"]);
    expect(request.headers.get("authorization")).toBe("Bearer token-1");
    expect(request.headers.get("accept-language")).toBe("fr");
    const form = request.body as FormData;
    expect([...form.keys()]).toEqual(["workflowId", "stepId", "file"]);
    expect(form.get("workflowId")).toBe("wf-1");
    expect(form.get("stepId")).toBe("financial-guarantee");
    expect((form.get("file") as File).name).toBe("g.pdf");
  });

  it.each([
    [413, "PAYLOAD_TOO_LARGE", "TOO_LARGE", "the step financial-guarantee accepts files of at most 10485760 bytes"],
    [415, "UNSUPPORTED_MEDIA_TYPE", "TYPE_NOT_ALLOWED", "the step financial-guarantee accepts application/pdf"],
    [404, "NOT_FOUND", "NOT_FOUND", "workflow not found"],
    [409, "INVALID_TRANSITION", "INVALID_TRANSITION", "the workflow is completed"],
  ])("answered %i %s is a %s problem with the API's words", async (status, code, kind, message) => {
    const api = recording(() => refusal(status, code, message));
    const transfer = createFileTransfer({ session: signedIn(api.fetch), filesUrl: "/files", credentials: "same-origin", language: () => "en", fetch: api.fetch });

    const failure = await transfer.upload(TARGET, new File(["x"], "x.pdf")).catch((error: unknown) => error);

    expect(failure).toBeInstanceOf(FileTransferError);
    expect(failure).toMatchObject({ kind, detail: message, status });
  });
});

describe("a download", () => {
  it("asks the API the app talks to for the file's bytes, with the token", async () => {
    const api = recording(() => new Response("%PDF-1.7", { status: 200, headers: { "content-type": "application/pdf" } }));
    const transfer = createFileTransfer({
      session: signedIn(api.fetch),
      filesUrl: "https://api.example.test/wfm/files",
      credentials: "include",
      language: () => "en",
      fetch: api.fetch,
    });

    const blob = await transfer.download("/files/f-1");

    expect(await blob.text()).toBe("%PDF-1.7");
    expect(api.sent.map((request) => [request.url, request.headers.get("authorization")])).toEqual([
      ["https://api.example.test/wfm/files/f-1", "Bearer token-1"],
    ]);
  });

  it("of a file still being scanned is refused as pending", async () => {
    const api = recording(() => refusal(409, "FILE_PENDING", "the file is being scanned"));
    const transfer = createFileTransfer({ session: signedIn(api.fetch), filesUrl: "/files", credentials: "same-origin", language: () => "en", fetch: api.fetch });
    await expect(transfer.download("/files/f-1")).rejects.toMatchObject({ kind: "PENDING" });
  });

  it("of an infected file is refused as infected", async () => {
    const api = recording(() => refusal(410, "FILE_INFECTED", "the file is infected"));
    const transfer = createFileTransfer({ session: signedIn(api.fetch), filesUrl: "/files", credentials: "same-origin", language: () => "en", fetch: api.fetch });
    await expect(transfer.download("/files/f-1")).rejects.toMatchObject({ kind: "INFECTED" });
  });

  it("keeps a same-origin path as it is", () => {
    expect(resolveDownloadUrl("/files/f-1", "/files")).toBe("/files/f-1");
  });
});

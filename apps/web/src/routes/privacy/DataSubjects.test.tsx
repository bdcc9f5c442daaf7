import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { App } from "../../App";
import { Session } from "../../auth/session";
import { createI18n } from "../../i18n/setup";
import { routes } from "../../router";
import { fakeServer, graphqlError, json, type FakeServer } from "../../test/fakeServer";
import { marketOps } from "../../test/users";

const TENANT = { id: "7a1c0f7e-0000-4000-8000-00000000000a", companyName: "Ardennes Energie SA", __typename: "Tenant" };
const SUBJECT_ID = "5d3f2a10-0000-5000-8000-000000000001";
const ARCHIVE = { subject: { id: SUBJECT_ID }, workflows: [{ contacts: [{ email: "lea@ardennes.example" }] }] };

/** The API of one tenant naming one person in two workflows, until they are erased. */
function privacyApi({ refuseErasure = false }: { refuseErasure?: boolean } = {}): FakeServer {
  let erasedAt: string | null = null;
  return fakeServer((request) => {
    if (request.path !== "/graphql") return new Response(null, { status: 204 });
    const { operationName, variables } = request.body as { operationName: string; variables: Record<string, unknown> };
    switch (operationName) {
      case "ConsoleDataSubjectTenants":
        return json({ data: { tenants: { nodes: [TENANT], __typename: "TenantConnection" } } });
      case "ConsoleDataSubject":
        if (variables.email !== "lea@ardennes.example") return json({ data: { dataSubject: null } });
        return json({
          data: { dataSubject: { id: SUBJECT_ID, tenantId: TENANT.id, workflows: 2, erasedAt, __typename: "DataSubject" } },
        });
      case "ConsoleExportDataSubject":
        return json({ data: { exportDataSubject: ARCHIVE } });
      case "ConsoleEraseDataSubject":
        if (refuseErasure) return graphqlError("FORBIDDEN", "erasing a data subject needs privacy.manage");
        erasedAt = "2026-03-02T14:05:00Z";
        return json({ data: { eraseDataSubject: { subjectId: SUBJECT_ID, __typename: "DataSubjectErasure" } } });
      default:
        return json({ data: null, errors: [{ message: `unexpected ${operationName}` }] });
    }
  });
}

async function openScreen(server: FakeServer) {
  const session = new Session({ fetch: server.fetch });
  session.signIn({ accessToken: "token", expiresAt: Date.now() + 3_600_000 }, marketOps);
  const router = createMemoryRouter(routes, { initialEntries: ["/console/data-subjects"] });
  render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);
  await screen.findByRole("heading", { level: 1, name: "Data subjects" }, { timeout: 10_000 });
  await screen.findByRole("option", { name: TENANT.companyName });
}

async function find(email: string) {
  const user = userEvent.setup();
  await user.selectOptions(screen.getByLabelText("Tenant"), TENANT.companyName);
  await user.type(screen.getByLabelText("E-mail address"), email);
  await user.click(screen.getByRole("button", { name: "Find" }));
  return user;
}

function sent(server: FakeServer, name: string) {
  return server
    .to("/graphql")
    .map((request) => request.body as { operationName: string; variables: Record<string, unknown> })
    .filter((body) => body.operationName === name)
    .map((body) => body.variables);
}

describe("the data subjects screen", () => {
  it("finds a person by tenant and e-mail and says what is held", { timeout: 30_000 }, async () => {
    const server = privacyApi();
    await openScreen(server);
    await find("lea@ardennes.example");

    const subject = await screen.findByRole("region", { name: "lea@ardennes.example at Ardennes Energie SA" });
    expect(within(subject).getByText("2 workflows name this person")).toBeDefined();
    expect(within(subject).getByText("Held, encrypted")).toBeDefined();
    expect(sent(server, "ConsoleDataSubject")).toEqual([{ tenantId: TENANT.id, email: "lea@ardennes.example" }]);
  });

  it("says when nothing is held about an address", { timeout: 30_000 }, async () => {
    await openScreen(privacyApi());
    await find("nobody@ardennes.example");
    expect(await screen.findByText("Nothing is held about nobody@ardennes.example at Ardennes Energie SA.")).toBeDefined();
  });

  it("downloads the export as a JSON file", { timeout: 30_000 }, async () => {
    const saved: Blob[] = [];
    vi.spyOn(URL, "createObjectURL").mockImplementation((blob) => {
      saved.push(blob as Blob);
      return "blob:archive";
    });
    vi.spyOn(URL, "revokeObjectURL").mockImplementation(() => undefined);
    const clicked = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => undefined);
    const server = privacyApi();
    await openScreen(server);
    const user = await find("lea@ardennes.example");

    await user.click(await screen.findByRole("button", { name: "Export" }));

    expect(await screen.findByText(`Downloaded data-subject-${SUBJECT_ID}.json.`)).toBeDefined();
    expect(clicked).toHaveBeenCalledOnce();
    expect(await Promise.all(saved.map(async (blob) => JSON.parse(await blob.text()) as unknown))).toEqual([ARCHIVE]);
    expect(sent(server, "ConsoleExportDataSubject")).toEqual([{ subjectId: SUBJECT_ID }]);
  });

  it("erases only with a reason, confirmed in a dialog, then shows the person erased", { timeout: 30_000 }, async () => {
    const server = privacyApi();
    await openScreen(server);
    const user = await find("lea@ardennes.example");

    await user.click(await screen.findByRole("button", { name: "Erase…" }));
    const dialog = screen.getByRole("dialog", { name: "Erase the personal data of lea@ardennes.example" });
    const confirm = within(dialog).getByRole("button", { name: "Erase" });
    expect(confirm.hasAttribute("disabled")).toBe(true);
    await user.type(within(dialog).getByLabelText("Reason"), "Art. 17 request of 2 March");
    await user.click(confirm);

    expect(await screen.findByText("Erased: this person's personal data now reads “[erased]” everywhere.")).toBeDefined();
    await waitFor(() => {
      expect(screen.getByText(/^Erased on /)).toBeDefined();
    });
    expect(screen.queryByRole("dialog")).toBeNull();
    expect(screen.queryByRole("button", { name: "Erase…" })).toBeNull();
    expect(sent(server, "ConsoleEraseDataSubject")).toEqual([{ subjectId: SUBJECT_ID, reason: "Art. 17 request of 2 March" }]);
  });

  it("keeps the dialog open with the API's refusal", { timeout: 30_000 }, async () => {
    await openScreen(privacyApi({ refuseErasure: true }));
    const user = await find("lea@ardennes.example");
    await user.click(await screen.findByRole("button", { name: "Erase…" }));
    const dialog = screen.getByRole("dialog");
    await user.type(within(dialog).getByLabelText("Reason"), "request");
    await user.click(within(dialog).getByRole("button", { name: "Erase" }));
    expect((await within(dialog).findByRole("alert")).textContent).toContain("You may not do this.");
  });
});

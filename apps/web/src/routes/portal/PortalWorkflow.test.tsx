import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { Session } from "../../auth/session";
import { createI18n } from "../../i18n/setup";
import { routes } from "../../router";
import { fakeServer, graphqlError, json, type FakeServer } from "../../test/fakeServer";
import { tenantAdmin } from "../../test/users";

const WORKFLOW_ID = "4f7d2c1e-0000-4000-8000-000000000001";

interface Draft {
  stepId: string;
  data: Record<string, unknown>;
  savedAt: string;
  savedBy: { name: string; __typename: "Actor" };
  __typename: "StepDraft";
}

function draftOf(data: Record<string, unknown>, savedAt: string, name: string): Draft {
  return { stepId: "company", data, savedAt, savedBy: { name, __typename: "Actor" }, __typename: "StepDraft" };
}

/** The API of one onboarding at its first form step; it keeps the step's draft as the real one does. */
function onboardingApi({ draft, refuseDrafts = false }: { draft: Draft | null; refuseDrafts?: boolean }): FakeServer {
  let stored = draft;
  const workflow = () => ({
    id: WORKFLOW_ID,
    status: "IN_PROGRESS",
    version: 2,
    marketRole: "GU",
    currentStepId: "company",
    allowedActions: ["EXECUTE_STEP", "PAUSE"],
    template: {
      id: "template-1",
      name: "Contract onboarding",
      definition: {},
      steps: [
        {
          id: "company",
          type: "form",
          title: "Company information",
          schema: { type: "object", properties: { companyName: { type: "string" }, city: { type: "string" } } },
          roles: [],
          attachments: null,
          __typename: "TemplateStep",
        },
      ],
      __typename: "Template",
    },
    state: {
      steps: [
        {
          id: "company",
          type: "form",
          title: "Company information",
          status: "ACTIVE",
          data: { companyName: "Lesse Hydro SA" },
          completedAt: null,
          completedBy: null,
          __typename: "WorkflowStep",
        },
      ],
      lastRejection: null,
      __typename: "WorkflowState",
    },
    drafts: stored === null ? [] : [stored],
    files: [],
    __typename: "Workflow",
  });
  return fakeServer((request) => {
    if (request.path !== "/graphql") return new Response(null, { status: 204 });
    const { operationName, variables } = request.body as { operationName: string; variables: Record<string, unknown> };
    switch (operationName) {
      case "PortalWorkflow":
        return json({ data: { workflow: workflow() } });
      case "SaveStepDraft":
        if (refuseDrafts) return graphqlError("INVALID_TRANSITION", "the step company is completed already");
        stored = draftOf(variables.data as Record<string, unknown>, "2026-03-02T14:05:00Z", "Ada Admin");
        return json({ data: { saveStepDraft: stored } });
      case "DiscardStepDraft":
        stored = null;
        return json({ data: { discardStepDraft: true } });
      default:
        return json({ data: null, errors: [{ message: `unexpected ${operationName}` }] });
    }
  });
}

async function openWorkflow(server: FakeServer) {
  const session = new Session({ fetch: server.fetch });
  session.signIn({ accessToken: "token", expiresAt: Date.now() + 3_600_000 }, tenantAdmin);
  const router = createMemoryRouter(routes, { initialEntries: [`/portal/workflows/${WORKFLOW_ID}`] });
  render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);
  // the screen is loaded with its route: give it time on a busy machine
  await screen.findByRole("heading", { level: 2, name: "Company information" }, { timeout: 10_000 });
}

function companyName(): HTMLInputElement {
  return screen.getByLabelText<HTMLInputElement>(/^Company name/);
}

function sentOperations(server: FakeServer, name: string) {
  return server
    .to("/graphql")
    .map((request) => request.body as { operationName: string; variables: Record<string, unknown> })
    .filter((body) => body.operationName === name);
}

describe("a portal step's draft", () => {
  it("fills the form instead of the step's data, says who saved it when, and can be discarded", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const server = onboardingApi({ draft: draftOf({ companyName: "Lesse Hydro NV", city: "Namur" }, "2026-03-01T09:30:00Z", "Lea Peeters") });
    await openWorkflow(server);
    expect(companyName().value).toBe("Lesse Hydro NV");
    expect(screen.getByText(/^Saved .* by Lea Peeters: this draft is kept until the step is sent\.$/)).toBeDefined();

    await user.click(screen.getByRole("button", { name: "Discard draft" }));
    await waitFor(() => {
      expect(companyName().value).toBe("Lesse Hydro SA");
    });
    expect(screen.queryByRole("button", { name: "Discard draft" })).toBeNull();
    expect(sentOperations(server, "DiscardStepDraft").map((body) => body.variables)).toEqual([{ workflowId: WORKFLOW_ID, stepId: "company" }]);
  });

  it("is saved on the API with what was typed, then shown as saved", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    const server = onboardingApi({ draft: null });
    await openWorkflow(server);
    expect(companyName().value).toBe("Lesse Hydro SA");
    expect(screen.queryByRole("button", { name: "Discard draft" })).toBeNull();

    await user.type(screen.getByLabelText(/^City/), "Liège");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect(await screen.findByText(/^Saved .* by Ada Admin/)).toBeDefined();
    expect(sentOperations(server, "SaveStepDraft").map((body) => body.variables)).toEqual([
      { workflowId: WORKFLOW_ID, stepId: "company", data: { companyName: "Lesse Hydro SA", city: "Liège" } },
    ]);
    expect(screen.getByRole("button", { name: "Discard draft" })).toBeDefined();
    expect(screen.getByLabelText<HTMLInputElement>(/^City/).value).toBe("Liège");
  });

  it("says plainly why the API refused to save it, and keeps what was typed", { timeout: 30_000 }, async () => {
    const user = userEvent.setup();
    await openWorkflow(onboardingApi({ draft: null, refuseDrafts: true }));
    await user.type(screen.getByLabelText(/^City/), "Liège");
    await user.click(screen.getByRole("button", { name: "Save" }));
    expect((await screen.findByRole("alert")).textContent).toContain("the step company is completed already");
    expect(screen.queryByText(/^Saved /)).toBeNull();
    expect(screen.getByLabelText<HTMLInputElement>(/^City/).value).toBe("Liège");
  });
});

import { render, screen, waitFor } from "@testing-library/react";
import { createMemoryRouter } from "react-router";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { Session } from "../../auth/session";
import { createI18n } from "../../i18n/setup";
import { routes } from "../../router";
import { fakeServer, json, type FakeServer } from "../../test/fakeServer";
import { marketOps } from "../../test/users";

/** The API of a console with one failed workflow, whatever the list's variables. */
function consoleApi(): FakeServer {
  return fakeServer((request) => {
    if (request.path !== "/graphql") return new Response(null, { status: 204 });
    const { operationName } = request.body as { operationName: string };
    switch (operationName) {
      case "ConsoleWorkflowList":
        return json({
          data: {
            workflows: {
              totalCount: 1,
              pageInfo: { hasNextPage: false, endCursor: null, __typename: "PageInfo" },
              nodes: [
                {
                  id: "4f7d2c1e-0000-4000-8000-000000000001",
                  status: "FAILED",
                  version: 4,
                  marketRole: "BRP",
                  currentStepId: "company",
                  createdAt: "2026-03-01T09:30:00Z",
                  dueAt: null,
                  overdue: false,
                  tenant: { id: "tenant-1", companyName: "Balance BV", __typename: "Tenant" },
                  template: {
                    id: "template-1",
                    key: "contract_onboarding",
                    version: 1,
                    steps: [{ id: "company", title: "Company information", __typename: "TemplateStep" }],
                    __typename: "Template",
                  },
                  __typename: "Workflow",
                },
              ],
              __typename: "WorkflowConnection",
            },
          },
        });
      case "ConsoleWorkflowFilterChoices":
        return json({ data: { tenants: { nodes: [] }, templates: [], users: { nodes: [] } } });
      default:
        return json({ data: null, errors: [{ message: `unexpected ${operationName}` }] });
    }
  });
}

function listQueries(server: FakeServer) {
  return server
    .to("/graphql")
    .map((request) => request.body as { operationName: string; variables: Record<string, unknown> })
    .filter((body) => body.operationName === "ConsoleWorkflowList")
    .map((body) => body.variables);
}

function openList(server: FakeServer, path: string) {
  const session = new Session({ fetch: server.fetch });
  session.signIn({ accessToken: "token", expiresAt: Date.now() + 3_600_000 }, marketOps);
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(<App session={session} i18n={createI18n("en")} router={router} client={{ fetch: server.fetch, webSocketUrl: null }} />);
  return router;
}

describe("the console's workflow list", () => {
  it("is asked for once with the variables of its address, by its route and its screen alike, and shown", async () => {
    const server = consoleApi();
    const router = openList(server, "/console/workflows?status=FAILED");
    // the screen is loaded with its route: give it time on a busy machine
    const link = await screen.findByRole("link", { name: "Open the contract_onboarding workflow of Balance BV" }, { timeout: 10_000 });
    expect(link.closest("tr")?.textContent).toContain("Company information");
    expect(listQueries(server)).toEqual([{ filter: { status: "FAILED" }, first: 25, after: null, locale: "EN" }]);

    // another page of the list: asked for once more, not twice
    await router.navigate("/console/workflows?status=FAILED&after=cursor-1");
    await waitFor(() => {
      expect(listQueries(server)).toHaveLength(2);
    });
    expect(listQueries(server)[1]).toEqual({ filter: { status: "FAILED" }, first: 25, after: "cursor-1", locale: "EN" });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(listQueries(server)).toHaveLength(2);
  });
});

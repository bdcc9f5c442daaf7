import { describe, expect, it } from "vitest";
import { readDefinition } from "./definition";
import { END, layoutStepGraph, wrapCondition, type GraphTexts } from "./stepGraph";

const texts: GraphTexts = {
  end: "End",
  otherwise: "otherwise",
  gates: (names) => `gates: ${names}`,
  roles: (names) => `roles: ${names}`,
};

const title = (en: string, fr: string) => ({ en, fr, nl: en });

// the shape of the seeded BRP onboarding: a plain list, then a conditional review loop
const onboarding = {
  key: "contract-onboarding",
  version: 2,
  marketRole: "BRP",
  steps: [
    { id: "company-info", type: "form", title: title("Company information", "Informations sur l'entreprise") },
    {
      id: "portfolio",
      type: "form",
      title: title("Portfolio", "Portefeuille"),
      next: [
        { to: "technical-review", when: "steps.portfolio.capacityMw >= 25.0" },
        {},
      ],
    },
    {
      id: "technical-review",
      type: "approval",
      title: title("Technical review", "Revue technique"),
      roles: ["market_ops"],
      next: [
        { when: "steps['technical-review'].decision == 'approve'", gates: ["fourEyes"] },
        { to: "portfolio", when: "steps['technical-review'].decision == 'reject'", roles: ["market_ops"] },
      ],
    },
  ],
};

function graphOf(definition: unknown, language = "en") {
  const read = readDefinition(definition);
  if (read === null) throw new Error("not a template");
  return layoutStepGraph(read, language, texts);
}

describe("the step graph of a template", () => {
  it("has a node per step with its title in the reader's language and its type, and the end", () => {
    const graph = graphOf(onboarding, "fr");
    expect(graph.nodes.map((node) => [node.id, node.title, node.type])).toEqual([
      ["company-info", "Informations sur l'entreprise", "form"],
      ["portfolio", "Portefeuille", "form"],
      ["technical-review", "Revue technique", "approval"],
      [END, "End", ""],
    ]);
  });

  it("follows the list where a step names no next step, and labels conditions, the fallback, gates and roles", () => {
    const graph = graphOf(onboarding);
    expect(graph.edges.map((edge) => [edge.from, edge.to, edge.label])).toEqual([
      ["company-info", "portfolio", []],
      ["portfolio", "technical-review", ["steps.portfolio.capacityMw >= 25.0"]],
      ["portfolio", END, ["otherwise"]],
      ["technical-review", END, ["steps['technical-review'].decision ==", "'approve'", "gates: fourEyes"]],
      ["technical-review", "portfolio", ["steps['technical-review'].decision ==", "'reject'", "roles: market_ops"]],
    ]);
  });

  it("ends the workflow after the last step, and nowhere for a step whose next is empty", () => {
    const graph = graphOf({
      steps: [
        { id: "a", type: "form", title: "A", next: [] },
        { id: "b", type: "form", title: "B" },
      ],
    });
    expect(graph.edges.map((edge) => [edge.from, edge.to])).toEqual([["b", END]]);
  });

  it("leaves out a transition to a step the file does not have (the API names the mistake)", () => {
    const graph = graphOf({ steps: [{ id: "a", type: "form", title: "A", next: [{ to: "zz" }] }] });
    expect(graph.edges).toEqual([]);
  });

  it("places every node inside the drawing, each edge running from its source to its target", () => {
    const graph = graphOf(onboarding);
    for (const node of graph.nodes) {
      expect(node.x - node.width / 2).toBeGreaterThanOrEqual(0);
      expect(node.x + node.width / 2).toBeLessThanOrEqual(graph.width);
      expect(node.y + node.height / 2).toBeLessThanOrEqual(graph.height);
    }
    const first = graph.edges[0];
    expect(first?.points.length).toBeGreaterThanOrEqual(2);
    const company = graph.nodes.find((node) => node.id === "company-info");
    const portfolio = graph.nodes.find((node) => node.id === "portfolio");
    // top to bottom: the first step above the one it leads to
    expect(company?.y).toBeLessThan(portfolio?.y ?? 0);
  });

  it("breaks a long condition into lines at spaces, and cuts what does not fit", () => {
    expect(wrapCondition("a == 1")).toEqual(["a == 1"]);
    expect(wrapCondition("steps.portfolio.accessPoints.exists(p, has(p.capacityKw) && double(p.capacityKw) >= 25000.0)")).toEqual([
      "steps.portfolio.accessPoints.exists(p,",
      "has(p.capacityKw) &&",
      "double(p.capacityKw) >= 25000.0)",
    ]);
    const long = wrapCondition("x ".repeat(100), 10, 2);
    expect(long).toEqual(["x x x x x", "x x x x x…"]);
  });

  it("is not drawn for something that is not a template", () => {
    expect(readDefinition({ key: "x" })).toBeNull();
    expect(readDefinition([1, 2])).toBeNull();
  });
});

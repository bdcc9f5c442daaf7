import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../test/render";
import { readDefinition } from "./definition";
import { PublishForm, type TemplateCheck } from "./PublishForm";
import { formatPath, publishProblems } from "./publishProblems";

const definition = {
  key: "grid-access",
  version: 3,
  name: { en: "Grid access", fr: "Accès au réseau", nl: "Nettoegang" },
  steps: [
    { id: "company", type: "form", title: { en: "Company", fr: "Entreprise", nl: "Bedrijf" } },
    { id: "meter", type: "form", title: { en: "Meter", fr: "Compteur", nl: "Meter" } },
    { id: "review", type: "approval", title: { en: "Review", fr: "Revue", nl: "Beoordeling" }, next: [{ to: "nowhere" }] },
  ],
};

const refusal = new CombinedError({
  graphQLErrors: [
    {
      message: "template grid-access v3 is invalid",
      extensions: {
        code: "VALIDATION_FAILED",
        fields: [
          { path: ["steps", 2, "next", 0, "to"], message: "no step 'nowhere' to go to" },
          { path: ["name", "nl"], message: "translation missing" },
        ],
      },
    },
  ],
});

describe("the API's objections to a template file", () => {
  it("are written at their paths, as in the file", () => {
    expect(formatPath(["steps", 2, "next", 0, "to"])).toBe("steps[2].next[0].to");
    expect(formatPath(["steps", "2", "title", "fr"])).toBe("steps[2].title.fr");
    expect(formatPath([])).toBe("");
  });

  it("name the step they lie in, found by its index in the file", () => {
    expect(publishProblems(refusal, readDefinition(definition))).toEqual([
      { path: "steps[2].next[0].to", message: "no step 'nowhere' to go to", stepId: "review" },
      { path: "name.nl", message: "translation missing", stepId: null },
    ]);
  });
});

function chooseFile(content: string, name = "grid-access.json") {
  return new File([content], name, { type: "application/json" });
}

/** No check asked for */
const unchecked = { onCheck: () => undefined, checking: false, checkError: undefined, checked: null };

/** The route's part: it sends the file and gets the API's refusal back */
function RefusingRoute() {
  const [error, setError] = useState<CombinedError | undefined>(undefined);
  return (
    <PublishForm
      onPublish={() => {
        setError(refusal);
      }}
      fetching={false}
      error={error}
      published={null}
      linkTo={() => "/"}
      {...unchecked}
    />
  );
}

/** The route's part: it checks the file (validateTemplate) and gets `answer` back */
function CheckingRoute({ answer, onCheck, onPublish }: { answer: TemplateCheck; onCheck: (definition: unknown) => void; onPublish: () => void }) {
  const [checked, setChecked] = useState<TemplateCheck | null>(null);
  return (
    <PublishForm
      onPublish={onPublish}
      fetching={false}
      error={undefined}
      published={null}
      linkTo={() => "/"}
      onCheck={(definition) => {
        onCheck(definition);
        setChecked(answer);
      }}
      checking={false}
      checkError={undefined}
      checked={checked}
    />
  );
}

describe("publishing a template file", () => {
  it("reads the chosen file, draws its steps and sends its definition", async () => {
    const user = userEvent.setup();
    const onPublish = vi.fn();
    renderScreen(<PublishForm onPublish={onPublish} fetching={false} error={undefined} published={null} linkTo={() => "/"} {...unchecked} />);
    await user.upload(screen.getByLabelText("Template file (JSON)"), chooseFile(JSON.stringify(definition)));
    expect(await screen.findByText("grid-access.json: grid-access, 3 steps")).toBeDefined();
    expect(screen.getByRole("img", { name: "Steps of grid-access.json" })).toBeDefined();
    await user.click(screen.getByRole("button", { name: "Publish" }));
    expect(onPublish).toHaveBeenCalledWith(definition);
  });

  it("says when the file is not JSON, and offers nothing to publish", async () => {
    const user = userEvent.setup();
    renderScreen(<PublishForm onPublish={vi.fn()} fetching={false} error={undefined} published={null} linkTo={() => "/"} {...unchecked} />);
    await user.upload(screen.getByLabelText("Template file (JSON)"), chooseFile("{ not json", "broken.json"));
    expect((await screen.findByRole("alert")).textContent).toContain("broken.json is not JSON");
    expect(screen.queryByRole("button", { name: "Publish" })).toBeNull();
  });

  it("lists a refusal's problems at their paths, linked to the step in the drawing", async () => {
    const user = userEvent.setup();
    renderScreen(<RefusingRoute />);
    await user.upload(screen.getByLabelText("Template file (JSON)"), chooseFile(JSON.stringify(definition)));
    await user.click(await screen.findByRole("button", { name: "Publish" }));
    const list = await screen.findByRole("list", { name: "Problems in the file" });
    const items = within(list).getAllByRole("listitem");
    expect(items.map((item) => item.textContent)).toEqual([
      "steps[2].next[0].to no step 'nowhere' to go to",
      "name.nl translation missing",
    ]);
    const link = within(list).getByRole("link", { name: "steps[2].next[0].to" });
    const target = document.getElementById(link.getAttribute("href")?.slice(1) ?? "");
    expect(target?.textContent).toContain("Review");
    expect(target?.getAttribute("class")).toContain("has-problem");
  });

  it("checks the file without publishing it, and lists the check's problems at their paths", async () => {
    const user = userEvent.setup();
    const onCheck = vi.fn();
    const onPublish = vi.fn();
    const answer: TemplateCheck = {
      valid: false,
      errors: [{ path: ["steps", "2", "next", "0", "to"], message: "no step 'nowhere' to go to" }],
    };
    renderScreen(<CheckingRoute answer={answer} onCheck={onCheck} onPublish={onPublish} />);
    await user.upload(screen.getByLabelText("Template file (JSON)"), chooseFile(JSON.stringify(definition)));
    await user.click(await screen.findByRole("button", { name: "Check" }));
    expect(onCheck).toHaveBeenCalledWith(definition);
    expect(onPublish).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toContain("The check found problems that publishing would refuse.");
    const list = screen.getByRole("list", { name: "Problems in the file" });
    expect(within(list).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "steps[2].next[0].to no step 'nowhere' to go to",
    ]);
    expect(within(list).getByRole("link", { name: "steps[2].next[0].to" }).getAttribute("href")).toContain("review");
    expect(screen.getByRole("button", { name: "Publish" })).toBeDefined();
  });

  it("says when the file passed the check", async () => {
    const user = userEvent.setup();
    renderScreen(<CheckingRoute answer={{ valid: true, errors: [] }} onCheck={vi.fn()} onPublish={vi.fn()} />);
    await user.upload(screen.getByLabelText("Template file (JSON)"), chooseFile(JSON.stringify(definition)));
    await user.click(await screen.findByRole("button", { name: "Check" }));
    expect(screen.getByRole("status").textContent).toBe("grid-access.json passed the check: publishing would accept it.");
    expect(screen.queryByRole("list", { name: "Problems in the file" })).toBeNull();
  });
});

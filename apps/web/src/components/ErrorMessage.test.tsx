import { screen, within } from "@testing-library/react";
import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../test/render";
import { ErrorMessage } from "./ErrorMessage";

function apiError(code: string, message: string, extensions: Record<string, unknown> = {}) {
  return new CombinedError({ graphQLErrors: [{ message, extensions: { code, ...extensions } }] });
}

describe("ErrorMessage", () => {
  it("says plainly that the user may not do it, with the API's reason", () => {
    renderScreen(<ErrorMessage error={apiError("FORBIDDEN", "four eyes: you submitted this workflow")} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("You may not do this.");
    expect(alert.textContent).toContain("four eyes: you submitted this workflow");
  });

  it("answers another tenant's workflow like a missing one", () => {
    renderScreen(<ErrorMessage error={apiError("NOT_FOUND", "workflow 42 not found")} />);
    expect(screen.getByRole("alert").textContent).toContain("This does not exist, or you may not see it.");
  });

  it("lists each invalid value at its field path", () => {
    const error = apiError("VALIDATION_FAILED", "the step data is invalid", {
      fields: [
        { path: ["contact", "email"], message: "is not an e-mail address" },
        { path: ["vatNumber"], message: "fails the mod 97 check" },
      ],
    });
    renderScreen(<ErrorMessage error={error} />);
    const fields = within(screen.getByRole("alert")).getByRole("list", { name: "Values to correct" });
    const items = within(fields).getAllByRole("listitem").map((item) => item.textContent);
    expect(items).toEqual(["contact.email is not an e-mail address", "vatNumber fails the mod 97 check"]);
  });

  it("lists the reasons of the checks that refused, a four-eyes refusal among them", () => {
    const error = apiError("GATE_FAILED", "quality gates failed: fourEyes, allRequiredDocumentsPresent", {
      failedGates: [
        { gate: "fourEyes", passed: false, reason: "the same person cannot both prepare and approve" },
        { gate: "allRequiredDocumentsPresent", passed: false, reason: "the signed contract is missing" },
        { gate: "slaRespected", passed: true, reason: null },
      ],
    });
    renderScreen(<ErrorMessage error={error} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("A check of the workflow refused this:");
    const gates = within(alert).getByRole("list", { name: "Checks that refused" });
    expect(within(gates).getAllByRole("listitem").map((item) => item.textContent)).toEqual([
      "the same person cannot both prepare and approve (fourEyes)",
      "the signed contract is missing (allRequiredDocumentsPresent)",
    ]);
    expect(alert.textContent).not.toContain("quality gates failed");
  });

  it("explains a refusal by a check in Dutch", () => {
    const error = apiError("GATE_FAILED", "quality gates failed: fourEyes", {
      failedGates: [{ gate: "fourEyes", passed: false, reason: "the same person cannot both prepare and approve" }],
    });
    renderScreen(<ErrorMessage error={error} />, { language: "nl" });
    expect(screen.getByRole("alert").textContent).toContain("Een controle van de workflow weigerde dit:");
  });

  it("says which condition of the template could not be evaluated", () => {
    const error = apiError("CONDITION_FAILED", "condition 'steps.portfolio.total > 10' of step 'review' failed: no such field", {
      stepId: "review",
      expression: "steps.portfolio.total > 10",
    });
    renderScreen(<ErrorMessage error={error} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("A condition of the workflow's template could not be evaluated");
    expect(alert.textContent).toContain("of step 'review' failed: no such field");
  });

  it.each([
    ["INVALID_TRANSITION", "This is not possible in the workflow's current state."],
    ["UNAVAILABLE", "A service is unavailable: try again later."],
  ])("explains %s", (code, headline) => {
    renderScreen(<ErrorMessage error={apiError(code, "the server's words")} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain(headline);
    expect(alert.textContent).not.toContain("Something went wrong.");
  });

  it("tells how long to wait when rate limited", () => {
    renderScreen(<ErrorMessage error={apiError("RATE_LIMITED", "too many login attempts", { retryAfterSeconds: 30 })} />);
    expect(screen.getByRole("alert").textContent).toContain("Too many attempts: try again in 30 s.");
  });

  it("asks to reload after a conflicting change", () => {
    renderScreen(<ErrorMessage error={apiError("CONFLICT", "version 3 expected, 4 found")} />);
    expect(screen.getByRole("alert").textContent).toContain("reload and try again");
  });

  it("gives an internal error's reference, not its words", () => {
    renderScreen(<ErrorMessage error={apiError("INTERNAL", "internal error", { requestId: "req-77" })} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("Something went wrong on the server.");
    expect(alert.textContent).toContain("Reference: req-77");
    expect(alert.textContent).not.toContain("internal error");
  });

  it("says when the server cannot be reached", () => {
    renderScreen(<ErrorMessage error={new CombinedError({ networkError: new TypeError("Failed to fetch") })} />);
    expect(screen.getByRole("alert").textContent).toContain("The server cannot be reached");
  });

  it("speaks the active language", () => {
    renderScreen(<ErrorMessage error={apiError("FORBIDDEN", "no")} />, { language: "fr" });
    expect(screen.getByRole("alert").textContent).toContain("Vous n'êtes pas autorisé à faire ceci.");
  });

  it("shows nothing without an error", () => {
    renderScreen(<ErrorMessage error={undefined} />);
    expect(screen.queryByRole("alert")).toBeNull();
  });
});

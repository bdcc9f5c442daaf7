import { screen } from "@testing-library/react";
import { CombinedError } from "urql";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../../../test/render";
import { ActionError } from "./ActionError";

describe("ActionError", () => {
  it("says plainly which check refused the action, and why", () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: "quality gates failed: fourEyes",
          extensions: {
            code: "GATE_FAILED",
            failedGates: [{ gate: "fourEyes", passed: false, reason: "the same person cannot both prepare and approve" }],
          },
        },
      ],
    });
    renderScreen(<ActionError error={error} />);
    const alert = screen.getByRole("alert");
    expect(alert.textContent).toContain("A check of the workflow refused this:");
    expect(alert.textContent).toContain("the same person cannot both prepare and approve");
    expect(alert.textContent).not.toContain("Something went wrong");
  });

  it("shows a four-eyes refusal of approval with the API's words", () => {
    const error = new CombinedError({
      graphQLErrors: [{ message: "four eyes: you submitted this workflow", extensions: { code: "FORBIDDEN" } }],
    });
    renderScreen(<ActionError error={error} />);
    expect(screen.getByRole("alert").textContent).toContain("You may not do this.four eyes: you submitted this workflow");
  });
});

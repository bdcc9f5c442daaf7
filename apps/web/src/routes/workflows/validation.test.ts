import { describe, expect, it } from "vitest";
import { workflowCheck, type ValidationAnswer } from "./validation";

const titles: Record<string, string> = { company: "Company information", grid: "Grid connection", portfolio: "Portfolio" };
const stepTitle = (stepId: string) => titles[stepId] ?? stepId;

describe("a workflow's check before submission", () => {
  it("lists the steps to complete, then the completed ones whose data is refused, each named", () => {
    const answer: ValidationAnswer = {
      valid: false,
      outstandingSteps: ["portfolio"],
      steps: [
        { stepId: "company", errors: [] },
        { stepId: "grid", errors: [{ path: ["substation"], message: "is not a substation of the grid" }] },
        { stepId: "portfolio", errors: [] },
      ],
      submissionErrors: [{ path: [], message: "the contract is not signed" }],
    };
    expect(workflowCheck(answer, stepTitle)).toEqual({
      valid: false,
      steps: [
        { id: "portfolio", title: "Portfolio", outstanding: true, problems: [] },
        {
          id: "grid",
          title: "Grid connection",
          outstanding: false,
          problems: [{ path: ["substation"], message: "is not a substation of the grid" }],
        },
      ],
      submissionProblems: [{ path: [], message: "the contract is not signed" }],
    });
  });

  it("names an outstanding step with problems once", () => {
    const answer: ValidationAnswer = {
      valid: false,
      outstandingSteps: ["grid"],
      steps: [{ stepId: "grid", errors: [{ path: ["voltage"], message: "is required" }] }],
      submissionErrors: [],
    };
    expect(workflowCheck(answer, stepTitle).steps).toEqual([
      { id: "grid", title: "Grid connection", outstanding: true, problems: [{ path: ["voltage"], message: "is required" }] },
    ]);
  });

  it("is valid with nothing to finish", () => {
    const answer: ValidationAnswer = { valid: true, outstandingSteps: [], steps: [{ stepId: "company", errors: [] }], submissionErrors: [] };
    expect(workflowCheck(answer, stepTitle)).toEqual({ valid: true, steps: [], submissionProblems: [] });
  });
});

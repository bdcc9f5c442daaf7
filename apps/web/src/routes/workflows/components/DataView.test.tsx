import { screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../../../test/render";
import { DataView, summarizeData } from "./DataView";

describe("DataView", () => {
  it("shows step data as terms and values, nested objects and lists included", () => {
    renderScreen(
      <DataView
        label="Data of Portfolio"
        value={{
          companyName: "Flanders Flex NV",
          accessPoints: [{ ean: "541234567890123456", capacityKw: 250 }],
          contact: { email: "els@flanders-flex.be", onCall: true },
        }}
      />,
    );
    const data = screen.getByLabelText("Data of Portfolio");
    expect(within(data).getByText("companyName")).toBeDefined();
    expect(within(data).getByText("Flanders Flex NV")).toBeDefined();
    expect(within(screen.getByRole("list")).getByText("541234567890123456")).toBeDefined();
    expect(within(data).getByText("els@flanders-flex.be")).toBeDefined();
    expect(within(data).getByText("Yes")).toBeDefined();
  });

  it("summarizes an event's data on one line", () => {
    expect(summarizeData({ reason: "missing guarantee", toStepId: "contacts", fields: { a: 1 }, items: [1, 2] })).toBe(
      "reason: missing guarantee, toStepId: contacts, fields: {1}, items: [2]",
    );
  });
});

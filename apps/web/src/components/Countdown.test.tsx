import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../test/render";
import { Countdown } from "./Countdown";
import { RelativeTime } from "./RelativeTime";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const HOUR = 3_600_000;

describe("Countdown", () => {
  it("tells how long until an SLA is due", () => {
    renderScreen(<Countdown dueAt={new Date(NOW + 3 * HOUR).toISOString()} now={NOW} />);
    expect(screen.getByText("Due in 3 hours")).toBeDefined();
  });

  it("marks a breached SLA with how long it is overdue", () => {
    renderScreen(<Countdown dueAt={new Date(NOW - 2 * 24 * HOUR).toISOString()} now={NOW} />);
    const overdue = screen.getByText("Overdue by 2 days");
    expect(overdue.className).toContain("overdue");
  });

  it("speaks the active language", () => {
    renderScreen(<Countdown dueAt={new Date(NOW + 3 * HOUR).toISOString()} now={NOW} />, { language: "nl" });
    expect(screen.getByText("Vervalt over 3 uur")).toBeDefined();
  });
});

describe("RelativeTime", () => {
  it("says how long ago, with the exact time in its dateTime", () => {
    const value = new Date(NOW - 5 * 60_000).toISOString();
    renderScreen(<RelativeTime value={value} now={NOW} />, { language: "fr" });
    const time = screen.getByText("il y a 5 minutes");
    expect(time.getAttribute("datetime")).toBe(value);
  });
});

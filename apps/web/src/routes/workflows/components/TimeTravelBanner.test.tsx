import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { renderScreen } from "../../../test/render";
import { TimeTravelBanner } from "./TimeTravelBanner";

describe("TimeTravelBanner", () => {
  it("says which event's state is shown and leads back to now", async () => {
    const user = userEvent.setup();
    const onBackToNow = vi.fn();
    renderScreen(<TimeTravelBanner seq={12} onBackToNow={onBackToNow} />);
    const banner = screen.getByRole("status");
    expect(banner.textContent).toContain("State as of event #12 — back to now");
    expect(banner.textContent).toContain("nothing can be changed here");
    await user.click(screen.getByRole("button", { name: "back to now" }));
    expect(onBackToNow).toHaveBeenCalledOnce();
  });

  it("speaks Dutch", () => {
    renderScreen(<TimeTravelBanner seq={4} onBackToNow={() => undefined} />, { language: "nl" });
    expect(screen.getByRole("status").textContent).toContain("Toestand na gebeurtenis #4 — terug naar nu");
  });
});

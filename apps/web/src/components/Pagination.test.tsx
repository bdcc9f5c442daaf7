import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { renderScreen } from "../test/render";
import { withFirstPage } from "./cursorStack";
import { Pagination } from "./Pagination";
import { useCursor } from "./useCursor";

/** A list screen as the routes build one: the cursor from the URL, pageInfo from the API. */
function PagedList({ pages }: { pages: number }) {
  const { after, page } = useCursor();
  return (
    <>
      <p>showing after {after ?? "nothing"}</p>
      <Pagination pageInfo={{ hasNextPage: page < pages, endCursor: `end-of-${String(page)}` }} />
    </>
  );
}

describe("Pagination", () => {
  it("walks forward and back through the pages with the cursors kept in the URL", async () => {
    const user = userEvent.setup();
    renderScreen(<PagedList pages={3} />, { path: "/console/workflows?status=FAILED" });
    const previous = screen.getByRole("button", { name: "Previous page" });
    const next = screen.getByRole("button", { name: "Next page" });

    expect(screen.getByText("showing after nothing")).toBeDefined();
    expect(previous).toHaveProperty("disabled", true);

    await user.click(next);
    expect(screen.getByText("showing after end-of-1")).toBeDefined();
    expect(screen.getByText("Page 2")).toBeDefined();

    await user.click(next);
    expect(screen.getByText("showing after end-of-2")).toBeDefined();
    expect(next).toHaveProperty("disabled", true);

    await user.click(previous);
    expect(screen.getByText("showing after end-of-1")).toBeDefined();

    await user.click(previous);
    expect(screen.getByText("showing after nothing")).toBeDefined();
    expect(screen.getByText("Page 1")).toBeDefined();
  });

  it("opens on the page a shared link names", () => {
    renderScreen(<PagedList pages={5} />, { path: "/list?after=end-of-1&after=end-of-2" });
    expect(screen.getByText("showing after end-of-2")).toBeDefined();
    expect(screen.getByText("Page 3")).toBeDefined();
  });

  it("goes back to the first page when a filter changes, keeping the filter", () => {
    const params = new URLSearchParams("status=FAILED&after=a&after=b");
    expect(withFirstPage(params).toString()).toBe("status=FAILED");
  });
});

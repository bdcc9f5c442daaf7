import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { FileStatus } from "../graphql/enums";
import { renderScreen } from "../test/render";
import { AttachmentsSection, type Attachment } from "./AttachmentsSection";
import { FileStatusBadge } from "./FileStatusBadge";

function attachment(id: string, name: string, status: FileStatus): Attachment {
  return {
    id,
    name,
    stepId: "financial-guarantee",
    contentType: "application/pdf",
    size: 48_213,
    status,
    uploadedAt: "2026-03-02T14:05:00Z",
    downloadUrl: `/files/${id}`,
  };
}

const FILES = [
  attachment("f-clean", "guarantee.pdf", "CLEAN"),
  attachment("f-pending", "amendment.pdf", "PENDING"),
  attachment("f-infected", "invoice.pdf", "INFECTED"),
];

function row(name: string): HTMLElement {
  const cell = screen.getByText(name);
  const tableRow = cell.closest("tr");
  if (tableRow === null) throw new Error(`no row for ${name}`);
  return tableRow;
}

describe("the attachments section", () => {
  it("lists each file with its step, type, size and status", () => {
    renderScreen(<AttachmentsSection files={FILES} stepTitle={() => "Financial guarantee"} hrefOf={(file) => file.downloadUrl} onDownload={vi.fn()} downloading={null} problem={null} />);
    expect(screen.getByRole("heading", { level: 2, name: "Attachments" })).toBeDefined();
    expect(screen.getByRole("table", { name: "3 files attached to this workflow" })).toBeDefined();
    const clean = within(row("guarantee.pdf"));
    expect(clean.getByText("Financial guarantee")).toBeDefined();
    expect(clean.getByText("application/pdf")).toBeDefined();
    expect(clean.getByText("47.1 kB")).toBeDefined();
    expect(clean.getByText("Ready")).toBeDefined();
  });

  it("links a clean file to the browser's download, and downloads it through the route", async () => {
    const user = userEvent.setup();
    const onDownload = vi.fn();
    renderScreen(<AttachmentsSection files={FILES} stepTitle={(id) => id} hrefOf={(file) => file.downloadUrl} onDownload={onDownload} downloading={null} problem={null} />);
    const link = screen.getByRole("link", { name: "Download guarantee.pdf" });
    expect(link.getAttribute("href")).toBe("/files/f-clean");
    expect(link.getAttribute("download")).toBe("guarantee.pdf");
    expect(link.getAttribute("rel")).toBe("noopener");

    await user.click(link);
    expect(onDownload).toHaveBeenCalledWith(FILES[0]);
  });

  it("says a pending file is being scanned and flags an infected one, linking neither", () => {
    renderScreen(<AttachmentsSection files={FILES} stepTitle={(id) => id} hrefOf={(file) => file.downloadUrl} onDownload={vi.fn()} downloading={null} problem={null} />);
    const pending = within(row("amendment.pdf"));
    expect(pending.getByText("Being scanned")).toBeDefined();
    expect(pending.getByText(/is being scanned for viruses/)).toBeDefined();
    expect(pending.queryByRole("link")).toBeNull();
    const infected = within(row("invoice.pdf"));
    expect(infected.getByText("Infected: blocked")).toBeDefined();
    expect(infected.getByText(/cannot be downloaded/)).toBeDefined();
    expect(infected.queryByRole("link")).toBeNull();
  });

  it("says when nothing is attached", () => {
    renderScreen(<AttachmentsSection files={[]} stepTitle={(id) => id} hrefOf={(file) => file.downloadUrl} onDownload={vi.fn()} downloading={null} problem={null} />, { language: "fr" });
    expect(screen.getByText("Aucun fichier joint pour l'instant.")).toBeDefined();
  });
});

describe("a file's status", () => {
  it.each([
    ["en", "PENDING", "Being scanned"],
    ["en", "CLEAN", "Ready"],
    ["en", "INFECTED", "Infected: blocked"],
    ["en", "UNSCANNED", "Ready (not scanned)"],
    ["fr", "PENDING", "Analyse en cours"],
    ["nl", "INFECTED", "Besmet: geblokkeerd"],
  ] as const)("reads in %s for %s: %s", (language, status, text) => {
    renderScreen(<FileStatusBadge status={status} />, { language });
    expect(screen.getByText(text)).toBeDefined();
  });
});

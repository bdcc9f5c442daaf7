import type { RJSFSchema } from "@rjsf/utils";
import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it, vi } from "vitest";
import { FileTransferError, type UploadedFile } from "../files/transfer";
import { renderScreen } from "../test/render";
import type { StepFiles } from "./FileField";
import { StepForm, type StepData } from "./StepForm";

// the BRP financial guarantee's documents: a type, the uploaded file's id, its name
const guarantee: RJSFSchema = {
  type: "object",
  properties: {
    documents: {
      type: "array",
      items: {
        type: "object",
        required: ["type", "fileId"],
        properties: {
          type: { type: "string", enum: ["bank-guarantee", "guarantee-amendment"] },
          fileId: { type: "string", format: "file-id" },
          name: { type: "string" },
        },
      },
    },
  },
};

const TEN_MB = 10 * 1024 * 1024;

function stepFiles(upload: StepFiles["upload"], known: StepFiles["known"] = []): StepFiles {
  return { contentTypes: ["application/pdf"], maxBytes: TEN_MB, upload, known };
}

function pdf(name: string, size: number): File {
  return new File([new Uint8Array(size)], name, { type: "application/pdf" });
}

/** The form as a screen holds it; `seen` gets each change of the data. */
function Editing({ files, initial, seen }: { files: StepFiles; initial: StepData; seen?: (data: StepData) => void }) {
  const [data, setData] = useState<StepData>(initial);
  return (
    <StepForm
      schema={guarantee}
      data={data}
      files={files}
      onChange={(next) => {
        setData(next);
        seen?.(next);
      }}
    />
  );
}

const ONE_DOCUMENT = { documents: [{ type: "bank-guarantee" }] };

describe("a step form's file field", () => {
  it("accepts only the step's types and says what it takes", () => {
    renderScreen(<Editing files={stepFiles(vi.fn())} initial={ONE_DOCUMENT} />);
    const input = screen.getByLabelText<HTMLInputElement>(/^File\*?$/);
    expect(input.type).toBe("file");
    expect(input.accept).toBe("application/pdf");
    expect(screen.getByText("Accepted: application/pdf, at most 10 MB.")).toBeDefined();
  });

  it("refuses a file larger than the step accepts, saying so, and sends nothing", async () => {
    const user = userEvent.setup();
    const upload = vi.fn<StepFiles["upload"]>();
    renderScreen(<Editing files={stepFiles(upload)} initial={ONE_DOCUMENT} />);

    await user.upload(screen.getByLabelText(/^File\*?$/), pdf("guarantee.pdf", 12 * 1024 * 1024));

    expect(screen.getByRole("alert").textContent).toBe(
      "guarantee.pdf is 12 MB: this step accepts files of at most 10 MB.",
    );
    expect(upload).not.toHaveBeenCalled();
  });

  it("refuses a too large file in French too", async () => {
    const user = userEvent.setup();
    renderScreen(<Editing files={{ ...stepFiles(vi.fn()), maxBytes: 1000 }} initial={ONE_DOCUMENT} />, { language: "fr" });
    await user.upload(screen.getByLabelText(/^Fichier\*?$/), pdf("garantie.pdf", 2500));
    expect(screen.getByRole("alert").textContent).toBe(
      // French says ko (kilooctets), with a narrow no-break space
      "garantie.pdf fait 2,4\u202fko : cette étape accepte des fichiers d'au plus 1\u202f000\u00a0octets.",
    );
  });

  it("uploads a chosen file, keeps the answered id as the value and the file's name beside it", async () => {
    const user = userEvent.setup();
    const answer: UploadedFile = {
      id: "9b2f1a66-1d1f-4c55-9d43-2a8f3c1e0b7a",
      name: "guarantee.pdf",
      contentType: "application/pdf",
      size: 48_213,
      sha256: "ab".repeat(32),
      status: "PENDING",
    };
    const upload = vi.fn<StepFiles["upload"]>().mockResolvedValue(answer);
    const seen = vi.fn<(data: StepData) => void>();
    renderScreen(<Editing files={stepFiles(upload)} initial={ONE_DOCUMENT} seen={seen} />);

    const file = pdf("guarantee.pdf", 48_213);
    await user.upload(screen.getByLabelText(/^File\*?$/), file);

    expect(upload).toHaveBeenCalledWith(file);
    await waitFor(() => {
      expect(seen).toHaveBeenLastCalledWith({
        documents: [{ type: "bank-guarantee", fileId: answer.id, name: "guarantee.pdf" }],
      });
    });
    expect(screen.getByText("Uploaded:", { exact: false }).textContent).toBe("Uploaded: guarantee.pdf (47.1 kB) Being scanned");
    expect(screen.getByText(/is being scanned for viruses/)).toBeDefined();
  });

  it("shows a file the data holds already by its name and status", () => {
    const known = [{ id: "f-1", name: "amendment.pdf", size: 900, status: "CLEAN" as const }];
    renderScreen(
      <Editing files={stepFiles(vi.fn(), known)} initial={{ documents: [{ type: "guarantee-amendment", fileId: "f-1", name: "amendment.pdf" }] }} />,
    );
    expect(screen.getByText("Uploaded:", { exact: false }).textContent).toBe("Uploaded: amendment.pdf (900 bytes) Ready");
  });

  it("says in the person's language why the API refused the file, with the API's words", async () => {
    const user = userEvent.setup();
    const upload = vi
      .fn<StepFiles["upload"]>()
      .mockRejectedValue(new FileTransferError("TYPE_NOT_ALLOWED", "the step financial-guarantee accepts application/pdf, not image/png", 415));
    renderScreen(<Editing files={stepFiles(upload)} initial={ONE_DOCUMENT} />, { language: "nl" });

    await user.upload(screen.getByLabelText(/^Bestand\*?$/), pdf("scan.pdf", 10));

    const alert = await screen.findByRole("alert");
    expect(alert.textContent).toBe(
      "Dit bestandstype wordt voor deze stap niet aanvaard.the step financial-guarantee accepts application/pdf, not image/png",
    );
  });
});

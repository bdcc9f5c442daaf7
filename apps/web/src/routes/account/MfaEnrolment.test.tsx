import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { CombinedError } from "urql";
import { describe, expect, it, vi } from "vitest";
import type { Language } from "../../i18n/languages";
import { renderScreen } from "../../test/render";
import { MfaEnrolment, type EnrolmentView } from "./MfaEnrolment";

const pending: EnrolmentView = {
  stage: "pending",
  factor: {
    provisioningUri: "otpauth://totp/Workflow%20Manager:ops%40wfm.local?secret=JBSWY3DPEHPK3PXP&issuer=Workflow%20Manager",
    secret: "JBSWY3DPEHPK3PXP",
  },
};
const confirmed: EnrolmentView = { stage: "confirmed", recoveryCodes: ["ABCD-EFGH-IJKL-MNOP", "QRST-UVWX-YZAB-CDEF"] };

function enrolment(
  view: EnrolmentView,
  { error = null, language = "en" }: { error?: CombinedError | null; language?: Language } = {},
) {
  const onConfirm = vi.fn();
  const onContinue = vi.fn();
  renderScreen(
    <MfaEnrolment view={view} busy={false} error={error} onConfirm={onConfirm} onContinue={onContinue} />,
    { language },
  );
  return { onConfirm, onContinue };
}

describe("enrolling an authenticator app", () => {
  it("shows the secret as a QR code drawn in the page, with a name, and as text", () => {
    enrolment(pending);
    const qr = screen.getByRole("img", { name: "QR code of your authenticator secret" });
    expect(qr.tagName.toLowerCase()).toBe("svg");
    expect(qr.querySelector("path")?.getAttribute("d")).toMatch(/^M\d+ \d+h1v1h-1z/);
    expect(screen.getByLabelText("Secret").textContent).toBe("JBSW Y3DP EHPK 3PXP");
  });

  it("sends the code typed", async () => {
    const { onConfirm } = enrolment(pending);
    await userEvent.type(screen.getByLabelText("Code from the app"), "123 456");
    await userEvent.click(screen.getByRole("button", { name: "Turn the second factor on" }));
    expect(onConfirm).toHaveBeenCalledWith("123 456");
  });

  it("says at the code's field that the API refused the code", () => {
    const error = new CombinedError({
      graphQLErrors: [
        {
          message: "the code is wrong",
          extensions: { code: "VALIDATION_FAILED", fields: [{ path: ["code"], message: "is not a current code" }] },
        },
      ],
    });
    enrolment(pending, { error });
    const field = screen.getByLabelText("Code from the app");
    expect(field.getAttribute("aria-invalid")).toBe("true");
    const described = (field.getAttribute("aria-describedby") ?? "").split(" ");
    const description = described.map((id) => document.getElementById(id)?.textContent).join(" ");
    expect(description).toMatch(/This code is wrong or has expired/);
  });

  it("goes on only once the recovery codes are acknowledged as stored", async () => {
    const { onContinue } = enrolment(confirmed);
    const codes = within(screen.getByRole("list", { name: "Recovery codes" })).getAllByRole("listitem");
    expect(codes.map((item) => item.textContent)).toEqual(["ABCD-EFGH-IJKL-MNOP", "QRST-UVWX-YZAB-CDEF"]);
    expect(screen.getByRole("alert").textContent).toMatch(/Store these codes now/);
    const proceed = screen.getByRole<HTMLButtonElement>("button", { name: "Continue" });
    expect(proceed.disabled).toBe(true);
    await userEvent.click(proceed);
    expect(onContinue).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole("checkbox", { name: "I have stored my recovery codes" }));
    expect(proceed.disabled).toBe(false);
    await userEvent.click(proceed);
    expect(onContinue).toHaveBeenCalledOnce();
  });

  it("speaks the user's language", () => {
    enrolment(confirmed, { language: "fr" });
    const stored = screen.getByRole<HTMLInputElement>("checkbox", { name: "J’ai conservé mes codes de récupération" });
    expect(stored.checked).toBe(false);
  });
});

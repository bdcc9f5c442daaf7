import { render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import { I18nextProvider } from "react-i18next";
import { createMemoryRouter, RouterProvider } from "react-router";
import type { Language } from "../i18n/languages";
import { createI18n } from "../i18n/setup";

/** `ui` in `language`, on `path` of a router whose every path shows it. */
export function renderScreen(ui: ReactNode, { language = "en", path = "/" }: { language?: Language; path?: string } = {}): RenderResult {
  const router = createMemoryRouter([{ path: "*", element: ui }], { initialEntries: [path] });
  return render(
    <I18nextProvider i18n={createI18n(language)}>
      <RouterProvider router={router} />
    </I18nextProvider>,
  );
}

import { createElement, lazy, Suspense, useState, type ComponentType } from "react";
import { useTranslation } from "react-i18next";
import { useParams, useSearchParams } from "react-router";
import { useClient } from "urql";
import { Loading } from "../components/Loading";
import type { RouteData } from "./routeData";

/** A screen loaded when first opened: a chunk of its own (with what only it uses, the step
 * forms' validator or the template graph's layout, say), so that the sign-in page and the
 * shell load alone. A screen whose chunk has come renders at once: React.lazy alone would
 * suspend once more, and React shows a screen that replaces a fallback at most every 300 ms,
 * so a chunk loaded ahead (`preload`) would still cost its screen that wait. */
export interface LazyScreen {
  /** The screen; "Loading…" (its Suspense's fallback) until its chunk has come */
  Screen: ComponentType;
  /** Loads the chunk, once */
  preload(): Promise<void>;
}

export function lazyScreen<Name extends string>(
  load: () => Promise<Record<Name, ComponentType>>,
  name: Name,
): LazyScreen {
  let loaded: ComponentType | null = null;
  let loading: Promise<ComponentType> | null = null;
  function chunk(): Promise<ComponentType> {
    loading ??= load().then(
      (module) => (loaded = module[name]),
      (error: unknown) => {
        loading = null; // asked for again when the screen is shown
        throw error;
      },
    );
    return loading;
  }
  const Pending = lazy(() => chunk().then((component) => ({ default: component })));
  function Screen() {
    // fixed while the screen is shown: going from Pending to the component would mount it anew
    const [component] = useState(() => loaded ?? Pending);
    return createElement(component);
  }
  Screen.displayName = name;
  return {
    Screen,
    async preload() {
      await chunk();
    },
  };
}

/** A route's element: its screen ("Loading…" until the chunk has come) and the screen's data,
 * started as the route renders, before the screen does: in parallel with the chunk, and
 * during a navigation's render, before anything commits. */
export function ScreenRoute({ screen, data }: { screen: LazyScreen; data?: RouteData }) {
  const client = useClient();
  const params = useParams();
  const [search] = useSearchParams();
  const { i18n } = useTranslation();
  // idempotent: urql answers a repeated query from its cache or shares the request in flight
  data?.(client, { params, search, language: i18n.language });
  return (
    <Suspense fallback={<Loading />}>
      <screen.Screen />
    </Suspense>
  );
}

"use client";

import { useEffect } from "react";
import { parseViewState, type ViewStore, viewOf, viewStateQuery } from "./view-state";

/** How often at most the URL follows a changing view (the replay clock moves every frame). */
const REPLACE_EVERY_MS = 500;

/**
 * Keeps the URL's query string equal to the view: a new history entry when the tab or the
 * selection changes (so Back goes back), a replaced one for filters and the replay clock;
 * Back/Forward restore the view from the URL.
 */
export function useUrlSync(view: ViewStore): void {
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let written = viewStateQuery(viewOf(view.getState()));
    const write = (push: boolean) => {
      timer = undefined;
      const query = viewStateQuery(viewOf(view.getState()));
      if (query === written) return;
      written = query;
      const url = `${window.location.pathname}${query ? `?${query}` : ""}`;
      if (push) window.history.pushState(null, "", url);
      else window.history.replaceState(null, "", url);
    };
    const unsubscribe = view.subscribe((state, previous) => {
      const navigation =
        state.tab !== previous.tab ||
        state.truck !== previous.truck ||
        state.fence !== previous.fence ||
        state.alert !== previous.alert ||
        (state.replay === null) !== (previous.replay === null);
      if (navigation) {
        if (timer) clearTimeout(timer);
        write(true);
      } else if (!timer) {
        timer = setTimeout(() => write(false), REPLACE_EVERY_MS);
      }
    });
    const onPopState = () => {
      const next = parseViewState(window.location.search);
      written = viewStateQuery(next);
      view.getState().replaceView(next);
    };
    window.addEventListener("popstate", onPopState);
    return () => {
      unsubscribe();
      if (timer) clearTimeout(timer);
      window.removeEventListener("popstate", onPopState);
    };
  }, [view]);
}

"use client";

import { type KeyboardEvent, type ReactNode, useEffect, useRef } from "react";
import { useStore } from "zustand";
import { useConsole, useView } from "./console-context";
import { TABS, type Tab } from "./view-state";

const LABEL: Record<Tab, string> = { trucks: "Trucks", alerts: "Alerts", geofences: "Geofences" };

/** The Trucks / Alerts / Geofences tabs (WAI-ARIA tabs: arrow keys move between them). */
export function SidePanel({ tabs }: { tabs: Record<Tab, ReactNode> }) {
  const { live } = useConsole();
  const tab = useView((s) => s.tab);
  const setTab = useView((s) => s.setTab);
  const unread = useStore(live.alerts, (s) => s.unread);
  const refs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});

  useEffect(() => {
    live.alerts.getState().setViewing(tab === "alerts");
  }, [live, tab]);

  const onKeyDown = (event: KeyboardEvent) => {
    const index = TABS.indexOf(tab);
    const next =
      event.key === "ArrowRight" || event.key === "ArrowDown"
        ? TABS[(index + 1) % TABS.length]
        : event.key === "ArrowLeft" || event.key === "ArrowUp"
          ? TABS[(index + TABS.length - 1) % TABS.length]
          : event.key === "Home"
            ? TABS[0]
            : event.key === "End"
              ? TABS[TABS.length - 1]
              : undefined;
    if (!next) return;
    event.preventDefault();
    setTab(next);
    refs.current[next]?.focus();
  };

  return (
    <nav className="side-panel" aria-label="Console">
      <div className="side-panel__tabs" role="tablist" aria-label="Panels" onKeyDown={onKeyDown}>
        {TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              refs.current[t] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            className="side-panel__tab"
            onClick={() => setTab(t)}
          >
            {LABEL[t]}
            {t === "alerts" && unread > 0 ? (
              <>
                <span className="badge" aria-hidden="true">
                  {unread > 99 ? "99+" : unread}
                </span>
                <span className="visually-hidden">, {unread} unread</span>
              </>
            ) : null}
          </button>
        ))}
      </div>
      {TABS.map((t) => (
        <section
          key={t}
          id={`panel-${t}`}
          role="tabpanel"
          aria-labelledby={`tab-${t}`}
          hidden={tab !== t}
          className="side-panel__panel"
        >
          {tab === t ? tabs[t] : null}
        </section>
      ))}
    </nav>
  );
}

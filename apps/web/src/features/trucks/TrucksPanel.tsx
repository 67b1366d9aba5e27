"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { type KeyboardEvent, useMemo, useRef, useSyncExternalStore } from "react";
import { formatAge, formatSpeed } from "../../shared/time";
import { TRUCK_STATUSES } from "../../shared/truck-status";
import { INITIAL_SUMMARY } from "../live/fleet-client-store";
import { useConsole, useNow, useView } from "../shell/console-context";
import { TRUCK_SORTS, type TruckSort } from "../shell/view-state";
import { FleetSearch } from "./FleetSearch";
import { statusCounts, truckRows } from "./truck-list";

const ROW_HEIGHT = 44;
const SORT_LABEL: Record<TruckSort, string> = {
  id: "Truck id",
  speed: "Speed",
  age: "Last fix age",
};
const serverSummary = () => INITIAL_SUMMARY;

/**
 * The trucks in the map's area (the live stream sends only those), searchable by id, filtered
 * by status, sorted; virtualised (only the rows on screen are in the DOM), so 50,000 trucks
 * scroll smoothly. Rows refresh once a second.
 * Selecting a row selects the truck (details, and the map follows it).
 */
export function TrucksPanel() {
  const { live, config } = useConsole();
  const filter = useView((s) => s.trucks);
  const selected = useView((s) => s.truck);
  const setFilter = useView((s) => s.setTruckFilter);
  const selectTruck = useView((s) => s.selectTruck);
  const summary = useSyncExternalStore(
    live.fleet.subscribeSummary,
    live.fleet.getSummary,
    serverSummary,
  );
  const now = useNow(1000);
  const stale = summary.connection !== "live";

  // Recomputed on the 1 s tick (positions arrive many times a second) and on every filter change.
  // biome-ignore lint/correctness/useExhaustiveDependencies: `now` is the refresh tick
  const { rows, counts } = useMemo(() => {
    const positions = live.fleet.positions();
    return {
      rows: truckRows(positions, filter, now, config.offlineAfterMs),
      counts: statusCounts(positions, now, config.offlineAfterMs),
    };
  }, [live, filter, now, config.offlineAfterMs, summary.truckCount]);

  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8,
  });
  const selectedIndex = selected ? rows.findIndex((r) => r.truckId === selected) : -1;

  const onKeyDown = (event: KeyboardEvent) => {
    const step = event.key === "ArrowDown" ? 1 : event.key === "ArrowUp" ? -1 : 0;
    const jump = event.key === "Home" ? 0 : event.key === "End" ? rows.length - 1 : null;
    if (step === 0 && jump === null) return;
    event.preventDefault();
    const index = jump ?? Math.min(rows.length - 1, Math.max(0, selectedIndex + step));
    const row = rows[index];
    if (!row) return;
    selectTruck(row.truckId);
    virtualizer.scrollToIndex(index);
  };

  return (
    <div className="trucks">
      <div className="filters">
        <label className="field">
          <span>Search trucks</span>
          <input
            type="search"
            value={filter.q}
            placeholder="Truck id"
            onChange={(e) => setFilter({ q: e.target.value })}
          />
        </label>
        <label className="field">
          <span>Status</span>
          <select
            value={filter.status ?? ""}
            onChange={(e) =>
              setFilter({ status: (e.target.value || null) as typeof filter.status })
            }
          >
            <option value="">All ({counts.moving + counts.stopped + counts.offline})</option>
            {TRUCK_STATUSES.map((s) => (
              <option key={s} value={s}>
                {s[0]?.toUpperCase()}
                {s.slice(1)} ({counts[s]})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Sort by</span>
          <select
            value={filter.sort}
            onChange={(e) => setFilter({ sort: e.target.value as TruckSort })}
          >
            {TRUCK_SORTS.map((s) => (
              <option key={s} value={s}>
                {SORT_LABEL[s]}
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="list-count" aria-live="polite">
        {rows.length === summary.truckCount
          ? `${rows.length} ${rows.length === 1 ? "truck" : "trucks"}`
          : `${rows.length} of ${summary.truckCount} trucks`}
        {summary.fleetSize !== null && summary.fleetSize > summary.truckCount
          ? ` on the map (${summary.fleetSize} in the fleet: move or zoom the map for others)`
          : ""}
        {" · offline after "}
        {Math.round(config.offlineAfterMs / 60_000)} min without a fix
      </p>
      <div
        ref={scrollRef}
        className="truck-list"
        role="listbox"
        aria-label="Trucks"
        tabIndex={0}
        aria-activedescendant={selectedIndex >= 0 ? `truck-row-${selected}` : undefined}
        onKeyDown={onKeyDown}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            const isStale = stale || row.status === "offline";
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the listbox handles the keyboard
              <div
                key={row.truckId}
                id={`truck-row-${row.truckId}`}
                role="option"
                tabIndex={-1}
                aria-selected={row.truckId === selected}
                aria-setsize={rows.length}
                aria-posinset={item.index + 1}
                className={`truck-row truck-row--${row.status}${isStale ? " is-stale" : ""}`}
                style={{
                  position: "absolute",
                  top: 0,
                  left: 0,
                  right: 0,
                  height: ROW_HEIGHT,
                  transform: `translateY(${item.start}px)`,
                }}
                onClick={() => selectTruck(row.truckId)}
              >
                <span className="truck-row__id">{row.truckId}</span>
                <span className={`status status--${row.status}`}>{row.status}</span>
                <span className="truck-row__speed">{formatSpeed(row.speedKmh)}</span>
                <span className="truck-row__age">{formatAge(row.eventTime, now)}</span>
              </div>
            );
          })}
        </div>
      </div>
      <FleetSearch
        search={filter.q}
        onMap={(truckId) => live.fleet.get(truckId) !== undefined}
        onSelect={selectTruck}
      />
    </div>
  );
}

"use client";

import type { TruckList } from "@fleetstream/contracts";
import { useEffect, useState } from "react";
import type { z } from "zod";
import { formatSpeed } from "../../shared/time";
import { getJson, query } from "../live/api";

/**
 * The live list holds the trucks in the map's area only (the stream is scoped to it): a search
 * also asks the whole fleet (GET /api/trucks), and picking a truck from elsewhere selects it —
 * the map follows it there.
 */
export function FleetSearch({
  search,
  onMap,
  onSelect,
}: {
  search: string;
  /** Whether a truck is in the list already (on the map). */
  onMap: (truckId: string) => boolean;
  onSelect: (truckId: string) => void;
}) {
  const [found, setFound] = useState<z.infer<typeof TruckList> | null>(null);
  useEffect(() => {
    const q = search.trim();
    if (!q) {
      setFound(null);
      return;
    }
    const controller = new AbortController();
    // Typing: ask once the input rests.
    const timer = setTimeout(() => {
      getJson<z.infer<typeof TruckList>>(
        `/api/trucks${query({ search: q, limit: 10 })}`,
        controller.signal,
      )
        .then(setFound)
        .catch(() => {});
    }, 300);
    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [search]);

  const elsewhere = found?.trucks.filter((t) => !onMap(t.truckId)) ?? [];
  if (elsewhere.length === 0) return null;
  return (
    <section className="fleet-search" aria-label="Elsewhere in the fleet">
      <h3 className="fleet-search__title">Elsewhere in the fleet ({found?.total ?? 0} match)</h3>
      <ul className="fleet-search__list">
        {elsewhere.map((truck) => (
          <li key={truck.truckId}>
            <button type="button" className="link" onClick={() => onSelect(truck.truckId)}>
              {truck.truckId}
            </button>{" "}
            <span className="muted">
              {truck.status} · {formatSpeed(truck.speedKmh)}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}

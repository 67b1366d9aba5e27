"use client";

import type { WebhookEndpoint, WebhookFilters } from "@fleetstream/contracts";
import styles from "./webhooks.module.css";

const DISABLED: Record<string, string> = {
  manual: "Disabled",
  gone: "Disabled: endpoint answered 410 Gone",
  failing: "Disabled: failing too long",
};

export function describeFilters(filters: WebhookFilters): string {
  const parts: string[] = [];
  if (filters.alertKinds.length) parts.push(filters.alertKinds.join("/").toLowerCase());
  if (filters.geofenceIds.length || filters.geofenceTags.length) {
    parts.push(
      `fences ${[...filters.geofenceIds, ...filters.geofenceTags.map((t) => `#${t}`)].join(", ")}`,
    );
  }
  if (filters.truckIds.length || filters.truckIdPrefix) {
    parts.push(
      `trucks ${[...filters.truckIds, ...(filters.truckIdPrefix ? [`${filters.truckIdPrefix}*`] : [])].join(", ")}`,
    );
  }
  return parts.length ? parts.join(" · ") : "every alert";
}

const percent = (rate: number | null) => (rate === null ? "—" : `${Math.round(rate * 1000) / 10}%`);

/** Every endpoint with its health; selecting one shows its delivery log. */
export function EndpointList({
  endpoints,
  selectedId,
  onSelect,
}: {
  endpoints: WebhookEndpoint[];
  selectedId: string | undefined;
  onSelect: (id: string) => void;
}) {
  if (endpoints.length === 0) {
    return <p className={styles.muted}>No endpoints yet: add one below.</p>;
  }
  return (
    <table className={styles.table} aria-label="Endpoints">
      <thead>
        <tr>
          <th scope="col">Endpoint</th>
          <th scope="col">Status</th>
          <th scope="col">Sends</th>
          <th scope="col">Success (24 h)</th>
          <th scope="col">Pending</th>
          <th scope="col">Last error</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.map((endpoint) => (
          <tr
            key={endpoint.id}
            className={endpoint.id === selectedId ? styles.selected : undefined}
            aria-selected={endpoint.id === selectedId}
          >
            <td>
              <button
                type="button"
                className={styles.link}
                onClick={() => onSelect(endpoint.id)}
                aria-label={`Show ${endpoint.url}`}
              >
                {endpoint.url}
              </button>
              {endpoint.description ? (
                <div className={styles.muted}>{endpoint.description}</div>
              ) : null}
            </td>
            <td>
              <span className={endpoint.enabled ? styles.ok : styles.bad}>
                {endpoint.enabled
                  ? "Enabled"
                  : (DISABLED[endpoint.disabledReason ?? "manual"] ?? "Disabled")}
              </span>
            </td>
            <td>{describeFilters(endpoint.filters)}</td>
            <td>
              {percent(endpoint.stats.successRate24h)}
              <span className={styles.muted}> of {endpoint.stats.attempts24h}</span>
            </td>
            <td>{endpoint.stats.pending}</td>
            <td className={styles.errorCell}>
              {endpoint.stats.lastError ? (
                <>
                  {endpoint.stats.lastError}
                  {endpoint.stats.lastFailureAt ? (
                    <div className={styles.muted}>
                      {new Date(endpoint.stats.lastFailureAt).toLocaleString()}
                    </div>
                  ) : null}
                </>
              ) : (
                "—"
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

"use client";

import type { GeofenceAlertKind, WebhookEndpointInput } from "@fleetstream/contracts";
import { type FormEvent, useId, useState } from "react";
import styles from "./webhooks.module.css";

const KINDS: GeofenceAlertKind[] = ["ENTER", "EXIT", "DWELL", "CROSSED", "OVERSPEED"];

const list = (text: string) =>
  text
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);

/** "Name: value" per line → { Name: "value" }; throws naming a bad line. */
function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const colon = line.indexOf(":");
    if (colon <= 0) throw new Error(`header line "${line.trim()}" needs "Name: value"`);
    headers[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The "add endpoint" form: URL, description, filters, custom headers and a rate limit. */
export function EndpointForm({
  onCreate,
}: {
  onCreate: (input: WebhookEndpointInput) => Promise<void>;
}) {
  const id = useId();
  const [kinds, setKinds] = useState<GeofenceAlertKind[]>([]);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const text = (name: string) => String(data.get(name) ?? "").trim();
    setError(undefined);
    let input: WebhookEndpointInput;
    try {
      const rate = text("rateLimit");
      input = {
        url: text("url"),
        description: text("description"),
        filters: {
          alertKinds: kinds,
          geofenceIds: list(text("geofenceIds")),
          geofenceTags: list(text("geofenceTags")),
          truckIds: list(text("truckIds")),
          truckIdPrefix: text("truckIdPrefix") || null,
        },
        headers: parseHeaders(text("headers")),
        rateLimitPerSecond: rate === "" ? null : Number(rate),
      };
    } catch (problem) {
      setError((problem as Error).message);
      return;
    }
    setBusy(true);
    try {
      await onCreate(input);
      form.reset();
      setKinds([]);
    } catch (problem) {
      setError((problem as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className={styles.form} onSubmit={submit} aria-label="Add endpoint">
      <label className={styles.wide}>
        URL
        <input name="url" type="url" required placeholder="https://example.com/fleet-hooks" />
      </label>
      <label className={styles.wide}>
        Description
        <input name="description" placeholder="What receives these alerts" />
      </label>
      <fieldset className={styles.kinds}>
        <legend>Alert types (none checked = all)</legend>
        {KINDS.map((kind) => (
          <label key={kind}>
            <input
              type="checkbox"
              checked={kinds.includes(kind)}
              onChange={(event) =>
                setKinds((current) =>
                  event.target.checked ? [...current, kind] : current.filter((k) => k !== kind),
                )
              }
            />
            {kind.toLowerCase()}
          </label>
        ))}
      </fieldset>
      <label>
        Geofence ids
        <input name="geofenceIds" placeholder="comma-separated" />
      </label>
      <label>
        Geofence tags
        <input name="geofenceTags" placeholder="depot, customer" />
      </label>
      <label>
        Truck ids
        <input name="truckIds" placeholder="T-0001, T-0002" />
      </label>
      <label>
        Truck id prefix
        <input name="truckIdPrefix" placeholder="T-00" />
      </label>
      <label>
        Rate limit (deliveries/s)
        <input name="rateLimit" type="number" min={1} max={10000} placeholder="no limit" />
      </label>
      <label className={styles.wide}>
        Custom headers
        <textarea
          name="headers"
          rows={2}
          placeholder={"Authorization: Bearer …\nX-Team: dispatch"}
          aria-describedby={`${id}-headers`}
        />
        <small id={`${id}-headers`}>One &quot;Name: value&quot; per line.</small>
      </label>
      <div className={styles.formActions}>
        <button type="submit" className={styles.primary} disabled={busy}>
          Add endpoint
        </button>
        {error ? (
          <p role="alert" className={styles.error}>
            {error}
          </p>
        ) : null}
      </div>
    </form>
  );
}

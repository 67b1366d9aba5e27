"use client";

import type {
  DeliveryStatus,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointInput,
} from "@fleetstream/contracts";
import { useCallback, useEffect, useState } from "react";
import { webhooksClient } from "./client";
import { DeliveryLog } from "./DeliveryLog";
import { EndpointForm } from "./EndpointForm";
import { EndpointList } from "./EndpointList";
import styles from "./webhooks.module.css";

/** How often the lists refresh while the screen is open. */
const REFRESH_MS = 2_000;

/**
 * The Webhooks screen: endpoints with their health, adding one (its secret shown once), and the
 * selected endpoint's delivery log with test events and redelivery. Everything goes through the
 * REST API (/api/webhooks), like an integrator's own tooling would.
 */
export function WebhooksScreen() {
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>();
  const [selectedId, setSelectedId] = useState<string>();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [status, setStatus] = useState<DeliveryStatus | "all">("all");
  const [secret, setSecret] = useState<{ endpointId: string; secret: string; rotated: boolean }>();
  const [notice, setNotice] = useState<string>();
  const [error, setError] = useState<string>();
  const selected = endpoints?.find((endpoint) => endpoint.id === selectedId);

  const refresh = useCallback(async () => {
    try {
      const list = await webhooksClient.list();
      setEndpoints(list);
      if (selectedId && list.some((endpoint) => endpoint.id === selectedId)) {
        const page = await webhooksClient.deliveries(
          selectedId,
          status === "all" ? undefined : status,
        );
        setDeliveries(page.deliveries);
      }
      setError(undefined);
    } catch (problem) {
      setError((problem as Error).message);
    }
  }, [selectedId, status]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  /** Runs an action, then refreshes; failures show as one line. */
  const act = (action: () => Promise<string | undefined>) => async () => {
    try {
      setNotice(await action());
      setError(undefined);
    } catch (problem) {
      setError((problem as Error).message);
    }
    await refresh();
  };

  async function create(input: WebhookEndpointInput) {
    const created = await webhooksClient.create(input);
    setSecret({ endpointId: created.endpoint.id, secret: created.secret, rotated: false });
    setSelectedId(created.endpoint.id);
    setDeliveries([]);
    await refresh();
  }

  return (
    <main className={styles.screen}>
      <header className={styles.header}>
        <nav aria-label="Pages">
          <a href="/">← Fleet map</a>
        </nav>
        <h1>Webhooks</h1>
        <p className={styles.muted}>
          Every geofence alert, signed (
          <a href="https://www.standardwebhooks.com/" rel="noreferrer">
            Standard Webhooks
          </a>
          ), delivered at least once to your endpoints, with retries for a day and more. Contracts:{" "}
          <a href="/api/contracts/openapi.json">OpenAPI</a>,{" "}
          <a href="/api/contracts/schemas">JSON Schemas</a>.
        </p>
      </header>

      {error ? (
        <p role="alert" className={styles.errorBanner}>
          {error}
        </p>
      ) : null}

      <section aria-labelledby="endpoints-heading" className={styles.panel}>
        <h2 id="endpoints-heading">Endpoints</h2>
        {endpoints === undefined ? (
          <p className={styles.muted}>Loading…</p>
        ) : (
          <EndpointList endpoints={endpoints} selectedId={selectedId} onSelect={setSelectedId} />
        )}
        {secret ? (
          <div className={styles.secret} role="status" aria-label="Signing secret">
            <strong>{secret.rotated ? "New signing secret" : "Signing secret"}</strong> (shown once;
            the receiver verifies signatures with it):
            <code data-testid="signing-secret">{secret.secret}</code>
            <button
              type="button"
              onClick={() => void navigator.clipboard?.writeText(secret.secret)}
            >
              Copy
            </button>
            <button type="button" onClick={() => setSecret(undefined)}>
              Hide
            </button>
          </div>
        ) : null}
      </section>

      {selected ? (
        <section aria-labelledby="endpoint-heading" className={styles.panel}>
          <div className={styles.panelHeader}>
            <h2 id="endpoint-heading">
              Delivery log <span className={styles.muted}>{selected.url}</span>
            </h2>
            <div className={styles.actions}>
              <button
                type="button"
                className={styles.primary}
                disabled={!selected.enabled}
                onClick={act(async () => {
                  await webhooksClient.sendTest(selected.id);
                  return "Test event queued.";
                })}
              >
                Send test event
              </button>
              <button
                type="button"
                onClick={act(async () => {
                  const rotated = await webhooksClient.rotateSecret(selected.id);
                  setSecret({ endpointId: selected.id, secret: rotated.secret, rotated: true });
                  return `The previous secret signs too until ${new Date(rotated.previousSecretExpiresAt).toLocaleString()}.`;
                })}
              >
                Rotate secret
              </button>
              <button
                type="button"
                onClick={act(async () => {
                  await webhooksClient.update(selected.id, { enabled: !selected.enabled });
                  return selected.enabled ? "Endpoint disabled." : "Endpoint enabled.";
                })}
              >
                {selected.enabled ? "Disable" : "Enable"}
              </button>
              <button
                type="button"
                className={styles.danger}
                onClick={act(async () => {
                  if (!window.confirm(`Delete ${selected.url} and its delivery log?`))
                    return undefined;
                  await webhooksClient.remove(selected.id);
                  setSelectedId(undefined);
                  return "Endpoint deleted.";
                })}
              >
                Delete
              </button>
            </div>
          </div>
          <RedeliverFailed
            onSubmit={(since) =>
              act(async () => {
                const { redelivered } = await webhooksClient.redeliverFailed(selected.id, since);
                return `${redelivered} failed deliver${redelivered === 1 ? "y" : "ies"} queued again.`;
              })()
            }
            disabled={!selected.enabled}
          />
          {notice ? (
            <p role="status" className={styles.notice}>
              {notice}
            </p>
          ) : null}
          <DeliveryLog
            deliveries={deliveries}
            status={status}
            onStatus={setStatus}
            onRedeliver={(deliveryId) =>
              void act(async () => {
                await webhooksClient.redeliver(deliveryId);
                return `Delivery ${deliveryId} queued again.`;
              })()
            }
          />
        </section>
      ) : null}

      <section aria-labelledby="add-heading" className={styles.panel}>
        <h2 id="add-heading">Add an endpoint</h2>
        <EndpointForm onCreate={create} />
      </section>
    </main>
  );
}

function RedeliverFailed({
  onSubmit,
  disabled,
}: {
  onSubmit: (sinceIso: string) => Promise<void>;
  disabled: boolean;
}) {
  const [since, setSince] = useState(() => {
    const dayAgo = new Date(Date.now() - 86_400_000);
    return new Date(dayAgo.getTime() - dayAgo.getTimezoneOffset() * 60_000)
      .toISOString()
      .slice(0, 16);
  });
  return (
    <form
      className={styles.inline}
      onSubmit={(event) => {
        event.preventDefault();
        void onSubmit(new Date(since).toISOString());
      }}
    >
      <label>
        Redeliver failed since
        <input
          type="datetime-local"
          value={since}
          onChange={(event) => setSince(event.target.value)}
          required
        />
      </label>
      <button type="submit" disabled={disabled}>
        Redeliver failed
      </button>
    </form>
  );
}

"use client";

import type { DeliveryStatus, WebhookDelivery } from "@fleetstream/contracts";
import { Fragment, useState } from "react";
import styles from "./webhooks.module.css";

const STATUSES: (DeliveryStatus | "all")[] = ["all", "pending", "succeeded", "failed"];

const time = (iso: string | null) => (iso ? new Date(iso).toLocaleTimeString() : "—");

/** The delivery log of one endpoint: each delivery, its attempts, and redelivery. */
export function DeliveryLog({
  deliveries,
  status,
  onStatus,
  onRedeliver,
}: {
  deliveries: WebhookDelivery[];
  status: DeliveryStatus | "all";
  onStatus: (status: DeliveryStatus | "all") => void;
  onRedeliver: (deliveryId: string) => void;
}) {
  const [open, setOpen] = useState<string>();
  return (
    <>
      <fieldset className={styles.filters} aria-label="Filter by status">
        {STATUSES.map((option) => (
          <button
            key={option}
            type="button"
            aria-pressed={status === option}
            className={status === option ? styles.chipOn : styles.chip}
            onClick={() => onStatus(option)}
          >
            {option}
          </button>
        ))}
      </fieldset>
      {deliveries.length === 0 ? (
        <p className={styles.muted}>No deliveries{status === "all" ? " yet" : ` ${status}`}.</p>
      ) : (
        <table className={styles.table} aria-label="Delivery log">
          <thead>
            <tr>
              <th scope="col">Created</th>
              <th scope="col">Event</th>
              <th scope="col">webhook-id</th>
              <th scope="col">Status</th>
              <th scope="col">Attempts</th>
              <th scope="col">Last answer</th>
              <th scope="col">
                <span className={styles.visuallyHidden}>Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {deliveries.map((delivery) => (
              <Fragment key={delivery.id}>
                <tr>
                  <td>{time(delivery.createdAt)}</td>
                  <td>{delivery.eventType}</td>
                  <td>
                    <button
                      type="button"
                      className={styles.link}
                      aria-expanded={open === delivery.id}
                      onClick={() => setOpen(open === delivery.id ? undefined : delivery.id)}
                    >
                      <code>{delivery.id}</code>
                    </button>
                  </td>
                  <td>
                    <span
                      className={
                        delivery.status === "succeeded"
                          ? styles.ok
                          : delivery.status === "failed"
                            ? styles.bad
                            : styles.waiting
                      }
                    >
                      {delivery.status}
                    </span>
                    {delivery.status === "pending" && delivery.attempts > 0 ? (
                      <div className={styles.muted}>retry at {time(delivery.nextAttemptAt)}</div>
                    ) : null}
                  </td>
                  <td>{delivery.attempts}</td>
                  <td>{delivery.lastStatusCode ?? delivery.lastError ?? "—"}</td>
                  <td>
                    <button
                      type="button"
                      onClick={() => onRedeliver(delivery.id)}
                      aria-label={`Redeliver ${delivery.id}`}
                    >
                      Redeliver
                    </button>
                  </td>
                </tr>
                {open === delivery.id ? (
                  <tr className={styles.detail}>
                    <td colSpan={7}>
                      <AttemptTable delivery={delivery} />
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

function AttemptTable({ delivery }: { delivery: WebhookDelivery }) {
  if (delivery.attemptLog.length === 0) return <p className={styles.muted}>Not sent yet.</p>;
  return (
    <table className={styles.attempts} aria-label={`Attempts of ${delivery.id}`}>
      <thead>
        <tr>
          <th scope="col">Attempted</th>
          <th scope="col">Status</th>
          <th scope="col">Latency</th>
          <th scope="col">Response (first 1 KB) or error</th>
        </tr>
      </thead>
      <tbody>
        {delivery.attemptLog.map((attempt, index) => (
          // Attempts have no id of their own; their order is fixed (oldest first).
          // biome-ignore lint/suspicious/noArrayIndexKey: append-only list
          <tr key={index}>
            <td>{new Date(attempt.attemptedAt).toLocaleString()}</td>
            <td className={attempt.succeeded ? styles.ok : styles.bad}>
              {attempt.statusCode ?? "no answer"}
            </td>
            <td>{attempt.latencyMs} ms</td>
            <td>
              <code className={styles.body}>
                {attempt.error ?? (attempt.responseBody || "(empty body)")}
              </code>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { createHash, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

/**
 * Standard Webhooks signing (standardwebhooks.com) with the reference `standardwebhooks` package:
 * `webhook-signature` is `v1,<base64 HMAC-SHA256 of "<webhook-id>.<webhook-timestamp>.<body>">`;
 * during a secret rotation both secrets sign and the header holds both, space-separated, which
 * the reference verifier accepts with either secret.
 */

/** A new signing secret: "whsec_" + base64 of 32 random bytes. */
export const generateSecret = (): string => `whsec_${randomBytes(32).toString("base64")}`;

/**
 * The webhook-id of an event for an endpoint: the same for every attempt and redelivery, and
 * the same if the alert reaches the dispatcher twice, so integrators can deduplicate on it.
 */
export const deliveryId = (endpointId: string, eventId: string): string =>
  `msg_${createHash("sha256").update(`${endpointId}\n${eventId}`).digest("hex").slice(0, 32)}`;

export interface SignedHeaders {
  "webhook-id": string;
  "webhook-timestamp": string;
  "webhook-signature": string;
}

/** Signs with each secret (current first); reuse the signer, it decodes the secrets once. */
export function createSigner(secrets: readonly string[]) {
  const keys = secrets.map((secret) => new Webhook(secret));
  return (id: string, body: string, at: Date): SignedHeaders => ({
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": keys.map((key) => key.sign(id, at, body)).join(" "),
  });
}

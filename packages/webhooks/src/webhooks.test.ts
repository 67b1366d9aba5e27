import { NO_FILTERS, WebhookPayload } from "@fleetstream/contracts";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { matchesFilters } from "./filters";
import { alertPayload, testPayload } from "./payload";
import {
  DEFAULT_RETRY_SCHEDULE,
  nextRetryAt,
  parseDuration,
  parseSchedule,
  RETRY_JITTER,
} from "./schedule";
import { createSigner, deliveryId, generateSecret } from "./signing";

const alert = {
  v: 1 as const,
  id: "T-7/fence-1/ENTER/1764000000000",
  kind: "ENTER" as const,
  truckId: "T-7",
  geofenceId: "fence-1",
  geofenceVersion: 2,
  eventTime: 1_764_000_000_000,
  since: 1_763_999_980_000,
  seq: 12,
  lat: 52.1,
  lon: 5,
  speedKmh: 60,
};

describe("signing", () => {
  it("produces signatures the reference standardwebhooks verifier accepts, with either secret during a rotation", () => {
    const [current, previous] = [generateSecret(), generateSecret()];
    const { body } = alertPayload(alert, { name: "Depot", tags: ["depot"] });
    const headers = createSigner([current, previous])("msg_1", body, new Date());
    expect(headers["webhook-signature"].split(" ")).toHaveLength(2);
    for (const secret of [current, previous]) {
      expect(new Webhook(secret).verify(body, { ...headers })).toMatchObject({
        type: "geofence.enter",
      });
    }
    expect(() => new Webhook(generateSecret()).verify(body, { ...headers })).toThrow(/signature/);
    expect(() => new Webhook(current).verify(`${body} `, { ...headers })).toThrow(/signature/);
  });

  it("derives one stable webhook-id per alert and endpoint", () => {
    expect(deliveryId("e1", alert.id)).toBe(deliveryId("e1", alert.id));
    expect(deliveryId("e1", alert.id)).not.toBe(deliveryId("e2", alert.id));
    expect(deliveryId("e1", alert.id)).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(generateSecret()).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
  });
});

describe("payloads", () => {
  it("match the published contract, floats written as floats", () => {
    const { type, body } = alertPayload(alert, undefined, {
      lat: 52.2,
      lon: 5.1,
      speedKmh: 0,
      headingDeg: 90,
      eventTime: alert.eventTime + 20_000,
      seq: 13,
    });
    expect(type).toBe("geofence.enter");
    const parsed = WebhookPayload.parse(JSON.parse(body));
    expect(parsed.data).toMatchObject({
      geofence: { id: "fence-1", name: null, tags: [] },
      truck: { lastPosition: { seq: 13, headingDeg: 90 } },
    });
    expect(body).toContain('"lon":5.0');
    expect(body).toContain('"speedKmh":60.0');
    expect(body).toContain('"headingDeg":90.0');
    expect(WebhookPayload.parse(JSON.parse(testPayload("e1", alert.eventTime).body)).type).toBe(
      "webhook.test",
    );
  });
});

describe("filters", () => {
  const tags = ["depot", "north"];
  it.each([
    [{}, true],
    [{ alertKinds: ["ENTER" as const] }, true],
    [{ alertKinds: ["EXIT" as const] }, false],
    [{ geofenceIds: ["fence-1"] }, true],
    [{ geofenceIds: ["fence-2"] }, false],
    [{ geofenceTags: ["north"] }, true],
    [{ geofenceIds: ["fence-2"], geofenceTags: ["depot"] }, true],
    [{ geofenceTags: ["south"] }, false],
    [{ truckIds: ["T-7"] }, true],
    [{ truckIdPrefix: "T-" }, true],
    [{ truckIdPrefix: "X-" }, false],
    [{ truckIds: ["T-8"], truckIdPrefix: "T-7" }, true],
    [{ alertKinds: ["ENTER" as const], truckIds: ["T-8"] }, false],
  ])("%j → %s", (filters, expected) => {
    expect(matchesFilters({ ...NO_FILTERS, ...filters }, alert, tags)).toBe(expected);
  });
});

describe("retry schedule", () => {
  it("retries for over 24 hours by default, each delay within the jitter", () => {
    const schedule = parseSchedule(DEFAULT_RETRY_SCHEDULE);
    const total = schedule.reduce((sum, delay) => sum + delay, 0);
    expect(total).toBeGreaterThan(24 * 3_600_000);
    schedule.forEach((delay, step) => {
      for (const random of [0, 0.5, 0.999]) {
        const at = nextRetryAt(0, step, schedule, () => random) ?? Number.NaN;
        expect(at).toBeGreaterThanOrEqual(delay);
        expect(at).toBeLessThanOrEqual(delay * (1 + RETRY_JITTER));
      }
    });
    expect(nextRetryAt(0, schedule.length, schedule, Math.random)).toBeUndefined();
  });

  it("parses durations and names a bad one", () => {
    expect(parseSchedule("250ms, 1s,1.5m,2h,1d")).toEqual([
      250, 1_000, 90_000, 7_200_000, 86_400_000,
    ]);
    expect(parseDuration("5d")).toBe(432_000_000);
    expect(() => parseSchedule("5s,soon")).toThrow(/"soon"/);
  });
});

import { describe, expect, it } from "vitest";
import { jsonSchemaOf, SCHEMA_ENTRIES } from "./json-schemas";
import { TOPICS } from "./topics";
import { WEBHOOK_EVENT_TYPES } from "./webhooks";

describe("JSON Schemas", () => {
  it("cover every topic and every webhook event type", () => {
    const names = SCHEMA_ENTRIES.map((entry) => entry.name).sort();
    expect(names).toEqual(
      [...Object.values(TOPICS).map((topic) => topic.name), ...WEBHOOK_EVENT_TYPES].sort(),
    );
  });

  it("keep integers and floats apart, as the contract declares them", () => {
    const schema = jsonSchemaOf("truck_speed_windows") as {
      properties: Record<string, { type: string }>;
    };
    expect(schema.properties.avgSpeedKmh?.type).toBe("number");
    expect(schema.properties.fixCount?.type).toBe("integer");
    expect(jsonSchemaOf("geofence.enter")).toMatchObject({
      $id: "/api/contracts/schemas/geofence.enter",
      properties: { type: { const: "geofence.enter" } },
    });
    expect(jsonSchemaOf("nope")).toBeUndefined();
  });
});

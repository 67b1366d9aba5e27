import { describe, expect, it } from "vitest";
import { apiRoutes, concrete } from "../../../test/api-routes";
import { accessFor, listedAccess } from "./policy";

// Every route file under src/app/api has an entry in the access table for each method it
// exports: adding an endpoint without deciding who may call it fails here.

describe("the access table", () => {
  const routes = apiRoutes();

  it("finds the route files (the walk works)", () => {
    expect(routes).toContainEqual(["DELETE", "/api/geofences/:id"]);
    expect(routes.length).toBeGreaterThan(30);
  });

  it.each(routes)("%s %s has an explicit entry", (method, pattern) => {
    expect(listedAccess(method, concrete(pattern))).toBeDefined();
  });

  it("needs credentials everywhere except health and sign-in", () => {
    const open = routes.filter(([method, p]) => accessFor(method, concrete(p)) === "public");
    expect(open).toEqual([["GET", "/api/health"]]);
    expect(accessFor("POST", "/api/auth/sign-in/email")).toBe("public");
    expect(accessFor("GET", "/sign-in")).toBe("public");
  });

  it("gives unknown API paths to admins only, pages to viewers, assets to anyone", () => {
    expect(accessFor("GET", "/api/not-a-route")).toBe("admin");
    expect(accessFor("GET", "/")).toBe("viewer");
    expect(accessFor("GET", "/webhooks")).toBe("admin");
    expect(accessFor("GET", "/admin")).toBe("admin");
    expect(accessFor("GET", "/_next/static/chunks/main.js")).toBe("public");
  });
});

describe("the role matrix (as README's Security section states it)", () => {
  it.each([
    ["GET", "/api/trucks", "viewer"],
    ["GET", "/api/alerts", "viewer"],
    ["GET", "/api/replay", "viewer"],
    ["GET", "/api/geofences", "viewer"],
    ["POST", "/api/geofences", "dispatcher"],
    ["PUT", "/api/geofences/g1", "dispatcher"],
    ["DELETE", "/api/geofences/g1", "dispatcher"],
    ["POST", "/api/alerts/a1/acknowledgement", "dispatcher"],
    ["GET", "/api/webhooks/endpoints", "admin"],
    ["POST", "/api/webhooks/endpoints", "admin"],
    ["POST", "/api/keys", "admin"],
    ["GET", "/api/audit", "admin"],
  ])("%s %s needs %s", (method, path, role) => {
    expect(accessFor(method, path)).toBe(role);
  });
});

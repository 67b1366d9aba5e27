import { type Browser, expect, type Page, request as playwrightRequest } from "@playwright/test";
import { io } from "socket.io-client";
import { ADMIN_EMAIL, ADMIN_PASSWORD } from "../playwright.config";
import { basemapDrawn, fenceAroundTruck, liveTrucks, test, uniqueName } from "./support";

// Accounts and roles as people meet them: the sign-in page, what a viewer can and cannot do,
// signing out, and an admin's API keys and audit log. The project's tests run as its admin
// (tests/auth.setup.ts); the journeys below sign in afresh in browser contexts of their own, so
// signing out here never ends the session the other tests use.

/** A new browser context (no cookies) signed in through the sign-in page, on the live map. */
async function signIn(browser: Browser, baseURL: string, email: string, password: string) {
  const context = await browser.newContext({ baseURL, storageState: undefined });
  const page = await context.newPage();
  await page.goto("/");
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  return page;
}

const live = (page: Page) => page.getByRole("status", { name: "Connection" });

test("sign in: a wrong password is refused, the right one opens the live map", async ({
  browser,
  baseURL,
}, testInfo) => {
  const context = await browser.newContext({ baseURL, storageState: undefined });
  const page = await context.newPage();
  await page.goto("/?tab=alerts");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F%3Ftab%3Dalerts$/);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill("not the password");
  await page.getByRole("button", { name: "Sign in" }).click();
  // (Next.js keeps a route announcer with role alert on every page: look in the form.)
  await expect(page.locator("form").getByRole("alert")).toHaveText("Wrong email or password.");
  const shot = testInfo.outputPath("sign-in.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("sign-in page", { path: shot, contentType: "image/png" });

  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  // Back where the link pointed, signed in.
  await expect(page).toHaveURL(/\/\?tab=alerts$/);
  await expect(live(page)).toHaveText("Live");
  await expect(page.getByTestId("signed-in-as")).toHaveText(ADMIN_EMAIL);
  await expect(page.getByRole("img", { name: /^Truck / }).first()).toBeVisible();
  await context.close();
});

test("a viewer sees the fleet but no edit controls, and the API refuses its writes", async ({
  browser,
  baseURL,
  request,
}, testInfo) => {
  const email = `${uniqueName("viewer").replace(" ", "-")}@fleetstream.test`;
  const password = "viewer-password-1";
  // As the Admin screen does it (better-auth wants the Origin of a cookie-borne write).
  const created = await request.post("/api/auth/admin/create-user", {
    headers: { origin: baseURL ?? "" },
    data: { email, password, name: "Vera Viewer", role: "viewer" },
  });
  expect(created.status()).toBe(200);
  const [truck] = await liveTrucks(request);
  if (!truck) throw new Error("no trucks");
  // An alert to acknowledge: a fence around a live truck (created as the admin).
  await fenceAroundTruck(request, truck, uniqueName("Viewer check"));

  const page = await signIn(browser, baseURL ?? "", email, password);
  await expect(page.getByTestId("role")).toHaveText("viewer");
  await expect(page.getByRole("link", { name: "Admin" })).toHaveCount(0);
  await expect(page.getByRole("link", { name: "Webhooks" })).toHaveCount(0);

  await page.getByRole("tab", { name: /^Geofences/ }).click();
  await expect(
    page.getByRole("listitem").filter({ hasText: "Viewer check" }).first(),
  ).toBeVisible();
  await expect(page.getByRole("button", { name: "Draw rectangle" })).toBeHidden();

  await page.getByRole("tab", { name: /^Alerts/ }).click();
  const rows = page.getByRole("list", { name: "Alerts, newest first" }).getByRole("listitem");
  await expect(rows.first()).toBeVisible({ timeout: 30_000 });
  await expect(page.getByRole("button", { name: /^Acknowledge / })).toHaveCount(0);
  await basemapDrawn(page);
  const shot = testInfo.outputPath("viewer.png");
  await page.screenshot({ path: shot });
  await testInfo.attach("viewer console", { path: shot, contentType: "image/png" });

  // The server decides, not the hidden buttons: the viewer's own session gets 403.
  const write = await page.request.post("/api/geofences", {
    data: { name: "not allowed", geometry: { type: "Circle", center: [5, 52], radiusM: 100 } },
  });
  expect(write.status()).toBe(403);
  expect((await write.json()).error).toMatch(/dispatcher role/);
  expect((await page.request.get("/api/webhooks/endpoints")).status()).toBe(403);
  expect((await page.request.get("/api/trucks")).status()).toBe(200);
  await page.context().close();
});

test("signing out ends the session and drops the live map in every tab of it", async ({
  browser,
  baseURL,
}) => {
  const first = await signIn(browser, baseURL ?? "", ADMIN_EMAIL, ADMIN_PASSWORD);
  const second = await first.context().newPage();
  await second.goto("/");
  await expect(live(second)).toHaveText("Live");

  // The first tab is behind the second: bring it forward (a background tab runs no animation
  // frames, which Playwright's click waits for).
  await first.bringToFront();
  await first.getByRole("button", { name: "Sign out" }).click();
  await expect(first).toHaveURL(/\/sign-in/);
  // The other tab's socket was closed by the server and may not come back.
  await expect(second).toHaveURL(/\/sign-in/, { timeout: 20_000 });
  expect((await second.request.get("/api/trucks")).status()).toBe(401);
  await first.context().close();
});

test("an admin creates an API key, a script uses it, revoking it stops it; the audit log shows who", async ({
  page,
  baseURL,
}, testInfo) => {
  const name = uniqueName("ci script");
  await page.goto("/admin");
  const form = page.getByRole("form", { name: "Create an API key" });
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Role").selectOption("viewer");
  await form.getByRole("button", { name: "Create key" }).click();
  const token = (await page.getByTestId("api-key-token").textContent()) ?? "";
  expect(token).toMatch(/^fsk_/);

  const script = await playwrightRequest.newContext({
    baseURL,
    extraHTTPHeaders: { authorization: `Bearer ${token}` },
  });
  expect((await script.get("/api/trucks")).status()).toBe(200);
  expect((await script.post("/api/geofences", { data: {} })).status()).toBe(403);

  const row = page
    .getByRole("table", { name: "API keys" })
    .getByRole("row")
    .filter({ hasText: name });
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  expect((await script.get("/api/trucks")).status()).toBe(401);
  await script.dispose();

  const audit = page.getByRole("table", { name: "Audit log" });
  await expect(audit.getByRole("row").filter({ hasText: "api-key.revoke" }).first()).toContainText(
    ADMIN_EMAIL,
  );
  await expect(audit.getByRole("row").filter({ hasText: name }).first()).toBeVisible();
  const shot = testInfo.outputPath("admin.png");
  await page.screenshot({ path: shot, fullPage: true });
  await testInfo.attach("admin screen", { path: shot, contentType: "image/png" });
});

test("the live socket: no credentials or a foreign origin get no snapshot, an API key does", async ({
  baseURL,
  request,
}) => {
  const url = baseURL ?? "";
  /** What a socket.io client gets first: the fleet snapshot, or the refusal's message. */
  const firstAnswer = (options: Parameters<typeof io>[1]) =>
    new Promise<string>((resolve) => {
      const socket = io(url, { transports: ["websocket"], reconnection: false, ...options });
      const done = (answer: string) => {
        socket.close();
        resolve(answer);
      };
      socket.on("fleet:snapshot:v1", (positions: unknown[]) =>
        done(`snapshot of ${positions.length}`),
      );
      socket.on("connect_error", (error) => done(`refused: ${error.message}`));
    });

  expect(await firstAnswer({})).toBe("refused: unauthorized: sign in or send an API key");

  const created = await request.post("/api/keys", {
    data: { name: uniqueName("socket"), role: "viewer" },
  });
  const { token } = (await created.json()) as { token: string };
  expect(await firstAnswer({ auth: { token } })).toMatch(/^snapshot of [1-9]\d*$/);
  expect(
    await firstAnswer({ auth: { token }, extraHeaders: { origin: "http://evil.example" } }),
  ).toBe("refused: origin http://evil.example is not allowed");
  expect(await firstAnswer({ auth: { token: "fsk_not-a-key" } })).toMatch(/^refused: unauthorized/);
});

import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "@playwright/test";
import { Webhook } from "standardwebhooks";
import { test } from "./support";

/**
 * A receiver on this machine (the launchers allow loopback targets): records each request and
 * verifies it with the reference standardwebhooks verifier once the test knows the secret.
 */
async function startReceiver() {
  const requests: { id: string; body: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      requests.push({
        id: String(req.headers["webhook-id"]),
        body: Buffer.concat(chunks).toString("utf8"),
        headers: req.headers,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/e2e-hooks`,
    requests,
    verify: (secret: string) =>
      requests.map((r) => new Webhook(secret).verify(r.body, r.headers as Record<string, string>)),
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test("create an endpoint, send a test event, see it in the log, redeliver it", async ({
  page,
}, testInfo) => {
  const receiver = await startReceiver();
  try {
    await page.goto("/webhooks");
    await expect(page.getByRole("heading", { name: "Webhooks", level: 1 })).toBeVisible();

    const form = page.getByRole("form", { name: "Add endpoint" });
    await form.getByLabel("URL").fill(receiver.url);
    await form.getByLabel("Description").fill(`e2e receiver (${testInfo.project.name})`);
    await form.getByRole("checkbox", { name: "enter" }).check();
    await form.getByRole("button", { name: "Add endpoint" }).click();

    // The secret is shown once, right after the create.
    const secret = (await page.getByTestId("signing-secret").textContent()) ?? "";
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByRole("button", { name: `Show ${receiver.url}` })).toBeVisible();

    await page.getByRole("button", { name: "Send test event" }).click();
    const row = page.getByRole("row").filter({ hasText: "webhook.test" });
    await expect(row).toHaveCount(1);
    await expect(row.getByText("succeeded")).toBeVisible();
    await expect(row.getByRole("cell").nth(4)).toHaveText("1");
    await expect(row.getByRole("cell").nth(5)).toHaveText("204");

    await row.getByRole("button", { name: /^Redeliver/ }).click();
    await expect(row.getByRole("cell").nth(4)).toHaveText("2");
    await expect(row.getByText("succeeded")).toBeVisible();

    // Both test requests reached the receiver with one webhook-id, and the reference verifier
    // accepts every request with the secret the screen showed. (The stack's simulator may raise
    // a real ENTER meanwhile, which this endpoint also receives: it is counted apart.)
    const payloads = receiver.verify(secret) as { type: string }[];
    const tests = receiver.requests.filter((_, i) => payloads[i]?.type === "webhook.test");
    expect(tests).toHaveLength(2);
    expect(new Set(tests.map((r) => r.id)).size).toBe(1);
    expect(payloads.every((p) => p.type === "webhook.test" || p.type === "geofence.enter")).toBe(
      true,
    );

    // The attempts, as the integrator sees them.
    await row.getByRole("button", { name: tests[0]?.id ?? "", exact: true }).click();
    const attempts = page.getByRole("table", { name: /^Attempts of / });
    await expect(attempts.getByRole("row")).toHaveCount(3);
    // The stack's database outlives runs: this run's endpoint is the one with its receiver's URL.
    await expect(page.getByRole("row").filter({ hasText: receiver.url })).toContainText("100%");

    const screenshot = testInfo.outputPath("webhooks.png");
    await page.screenshot({ path: screenshot, fullPage: true });
    await testInfo.attach("webhooks screen", { path: screenshot, contentType: "image/png" });

    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByRole("button", { name: `Show ${receiver.url}` })).toHaveCount(0);
  } finally {
    await receiver.stop();
  }
});

import { expect, test as setup } from "@playwright/test";
import { ADMIN_EMAIL, ADMIN_PASSWORD, adminState } from "../playwright.config";

// Signs the launcher's first admin in through the sign-in page and keeps the session cookie for
// the project's tests (project "setup-embedded" → .auth/embedded-admin.json).
setup("sign in as the admin", async ({ page }, testInfo) => {
  const project = testInfo.project.name.replace(/^setup-/, "");
  await page.goto("/");
  await expect(page).toHaveURL(/\/sign-in\?next=%2F$/);
  await page.getByLabel("Email").fill(ADMIN_EMAIL);
  await page.getByLabel("Password").fill(ADMIN_PASSWORD);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByRole("status", { name: "Connection" })).toHaveText("Live");
  await page.context().storageState({ path: adminState(project) });
});

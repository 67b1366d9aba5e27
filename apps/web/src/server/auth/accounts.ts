import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@fleetstream/db";
import type { Logger } from "@fleetstream/service";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { admin } from "better-auth/plugins/admin";
import { adminAc, defaultAc } from "better-auth/plugins/admin/access";
import type { Role } from "./roles";

// Accounts and sessions are better-auth's (email + password, its Prisma adapter, its admin
// plugin for roles and user management): password hashing (scrypt), HTTP-only SameSite=Lax
// session cookies, sign-out, password change and the users API come from a maintained library
// instead of code of ours. Mounted at /api/auth (see gate.ts).

export interface AccountsOptions {
  prisma: PrismaClient;
  /** AUTH_SECRET: signs session cookies. At least 32 characters. */
  secret: string;
  /**
   * PUBLIC_URL, the address users reach the dashboard at. When unset, requests are trusted only
   * from their own Host (same-origin), which is what the localhost demo needs.
   */
  publicUrl?: string;
  /** better-auth's own messages (failed sign-ins, errors) go to this logger. */
  logger?: Logger;
}

export const MIN_PASSWORD_LENGTH = 10;
/** How long a session lasts without use; each use within a day extends it. */
const SESSION_DAYS = 7;

const noUserPermissions = defaultAc.newRole({ user: [], session: [] });

export function createAccounts(options: AccountsOptions) {
  const secure = options.publicUrl?.startsWith("https://") ?? false;
  return betterAuth({
    appName: "Fleetstream",
    secret: options.secret,
    ...(options.publicUrl ? { baseURL: options.publicUrl } : {}),
    basePath: "/api/auth",
    database: prismaAdapter(options.prisma, { provider: "postgresql" }),
    emailAndPassword: {
      enabled: true,
      // Admins create accounts (dashboard Admin screen or the API); nobody signs up alone.
      disableSignUp: true,
      minPasswordLength: MIN_PASSWORD_LENGTH,
      revokeSessionsOnPasswordReset: true,
    },
    session: { expiresIn: SESSION_DAYS * 24 * 3_600, updateAge: 24 * 3_600 },
    plugins: [
      admin({
        defaultRole: "viewer" satisfies Role,
        adminRoles: ["admin" satisfies Role],
        roles: { admin: adminAc, dispatcher: noUserPermissions, viewer: noUserPermissions },
      }),
    ],
    // The gate applies one limiter (rate-limiter-flexible) to sign-in and writes alike.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    logger: {
      level: "warn",
      log: (level, message) => {
        // Without PUBLIC_URL the origin comes from each request, on purpose (see trustedOrigins).
        if (message.includes("Base URL is not set")) return;
        options.logger?.[level === "debug" ? "debug" : level]({ component: "auth" }, message);
      },
    },
    trustedOrigins: (request) => {
      if (options.publicUrl) return [new URL(options.publicUrl).origin];
      const host = request?.headers.get("host");
      return host ? [`http://${host}`, `https://${host}`] : [];
    },
    advanced: {
      useSecureCookies: secure,
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax", secure },
    },
  });
}

export type Accounts = ReturnType<typeof createAccounts>;

/** A password for a generated account: 24 URL-safe characters. */
export const generatePassword = () => randomBytes(18).toString("base64url");

/**
 * Creates the first admin when there is no user at all (a fresh database): with the configured
 * email and password, or a generated password that is returned so the launcher can print it
 * once. Undefined when users exist already.
 */
export async function ensureFirstAdmin(
  accounts: Accounts,
  prisma: PrismaClient,
  wanted: { email: string; password?: string | undefined },
): Promise<{ email: string; password: string } | undefined> {
  if ((await prisma.user.count()) > 0) return undefined;
  const password = wanted.password ?? generatePassword();
  await accounts.api.createUser({
    body: { email: wanted.email, password, name: "Administrator", role: "admin" },
  });
  return { email: wanted.email, password };
}

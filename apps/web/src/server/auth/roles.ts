import { isRole, type Role } from "../../shared/roles";

// The principal: who a request or socket is from, as the gate (gate.ts) established it.

export { isRole, ROLES, type Role, roleAllows } from "../../shared/roles";

/** Who is asking: a signed-in user (session cookie) or an API key (bearer token). */
export interface Principal {
  kind: "user" | "key";
  id: string;
  /** The email of a user, the name of a key: what the audit log and acknowledgements show. */
  label: string;
  role: Role;
  /** The session (users only): sockets of a session are dropped when it signs out. */
  sessionId?: string;
}

/** "user:<id>" / "key:<id>": how the audit log names an actor. */
export const actorId = (principal: Principal) => `${principal.kind}:${principal.id}`;

/** The request header the gate sets (after removing any client-sent value) for route handlers. */
export const PRINCIPAL_HEADER = "x-fleetstream-principal";

export const encodePrincipal = (principal: Principal) =>
  Buffer.from(JSON.stringify(principal)).toString("base64url");

/** The principal the gate attached to a request; undefined when none (or unreadable). */
export function principalOf(
  from: Request | { get(name: string): string | null },
): Principal | undefined {
  const value = (from instanceof Request ? from.headers : from).get(PRINCIPAL_HEADER);
  if (!value) return undefined;
  try {
    const principal = JSON.parse(Buffer.from(value, "base64url").toString()) as Principal;
    return isRole(principal.role) ? principal : undefined;
  } catch {
    return undefined;
  }
}

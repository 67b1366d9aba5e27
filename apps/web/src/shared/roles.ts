// Who may do what. Three roles, each including the one before it:
//   viewer      map, trucks, alerts, geofences, windows, history (read only)
//   dispatcher  + acknowledge alerts, create / edit / delete geofences
//   admin       + users, API keys, webhook endpoints, the audit log
// Pure and shared: the server enforces it (src/server/auth/gate.ts), the dashboard only hides
// the controls a role cannot use.

import type { Role } from "@fleetstream/contracts";
import { ROLES } from "@fleetstream/contracts/browser";

export { ROLES, type Role };

export function isRole(value: unknown): value is Role {
  return typeof value === "string" && (ROLES as readonly string[]).includes(value);
}

/** Whether `role` may do what `required` may (roles are ordered). */
export function roleAllows(role: Role, required: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(required);
}

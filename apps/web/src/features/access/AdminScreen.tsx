"use client";

import type { ApiKey, AuditEvent } from "@fleetstream/contracts";
import { type FormEvent, useCallback, useEffect, useState } from "react";
import type { z } from "zod";
import { ROLES, type Role } from "../../shared/roles";
import { getJson, sendJson } from "../live/api";
import styles from "./access.module.css";

interface UserRow {
  id: string;
  name: string;
  email: string;
  role: Role;
  banned: boolean | null;
  createdAt: string;
}
type KeyRow = ApiKey;
type AuditRow = z.infer<typeof AuditEvent> & { detail: Record<string, unknown> };

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : "—");

/**
 * The admin screen: people (better-auth's admin API), API keys (token shown once) and the audit
 * log. Every list reloads after a change.
 */
export function AdminScreen() {
  const [users, setUsers] = useState<UserRow[]>([]);
  const [keys, setKeys] = useState<KeyRow[]>([]);
  const [audit, setAudit] = useState<AuditRow[]>([]);
  const [token, setToken] = useState<{ name: string; token: string }>();
  const [error, setError] = useState<string>();

  const refresh = useCallback(async () => {
    try {
      const [u, k, a] = await Promise.all([
        getJson<{ users: UserRow[] }>("/api/auth/admin/list-users?limit=200&sortBy=email"),
        getJson<{ keys: KeyRow[] }>("/api/keys"),
        getJson<{ events: AuditRow[] }>("/api/audit?limit=100"),
      ]);
      setUsers(u.users);
      setKeys(k.keys);
      setAudit(a.events);
    } catch (problem) {
      setError((problem as Error).message);
    }
  }, []);
  useEffect(() => void refresh(), [refresh]);

  const act = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setError(undefined);
    } catch (problem) {
      setError((problem as Error).message);
    }
    await refresh();
  };

  function addUser(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    void act(async () => {
      await sendJson("POST", "/api/auth/admin/create-user", {
        email: String(form.get("email")),
        name: String(form.get("name")),
        password: String(form.get("password")),
        role: String(form.get("role")),
      });
      formElement.reset();
    });
  }

  function addKey(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    void act(async () => {
      const created = await sendJson<{ key: KeyRow; token: string }>("POST", "/api/keys", {
        name: String(form.get("name")),
        role: String(form.get("role")),
      });
      setToken({ name: created.key.name, token: created.token });
      formElement.reset();
    });
  }

  const roleOptions = ROLES.map((role) => (
    <option key={role} value={role}>
      {role}
    </option>
  ));

  return (
    <main className={styles.screen}>
      <nav aria-label="Pages">
        <a href="/">← Fleet map</a> · <a href="/webhooks">Webhooks</a>
      </nav>
      <h1>Admin</h1>
      {error ? (
        <p role="alert" className="form-error">
          {error}
        </p>
      ) : null}

      <section className={styles.panel} aria-labelledby="users-heading">
        <h2 id="users-heading">Users</h2>
        <form className={styles.form} onSubmit={addUser} aria-label="Add a user">
          <label>
            Email
            <input name="email" type="email" required />
          </label>
          <label>
            Name
            <input name="name" required />
          </label>
          <label>
            Password (10+)
            <input name="password" type="password" minLength={10} required />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {roleOptions}
            </select>
          </label>
          <button type="submit" className="button button--primary">
            Add user
          </button>
        </form>
        <table className={styles.table} aria-label="Users">
          <thead>
            <tr>
              <th>Email</th>
              <th>Name</th>
              <th>Role</th>
              <th>Since</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {users.map((user) => (
              <tr key={user.id}>
                <td>{user.email}</td>
                <td>{user.name}</td>
                <td>
                  <select
                    aria-label={`Role of ${user.email}`}
                    value={user.role}
                    onChange={(event) =>
                      void act(() =>
                        sendJson("POST", "/api/auth/admin/set-role", {
                          userId: user.id,
                          role: event.target.value,
                        }),
                      )
                    }
                  >
                    {roleOptions}
                  </select>
                </td>
                <td>{when(user.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    className="button button--small"
                    onClick={() =>
                      void act(() =>
                        sendJson("POST", "/api/auth/admin/remove-user", { userId: user.id }),
                      )
                    }
                  >
                    Remove
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={styles.panel} aria-labelledby="keys-heading">
        <h2 id="keys-heading">API keys</h2>
        <p className={styles.muted}>
          For scripts and integrations: <code>Authorization: Bearer &lt;key&gt;</code>. A key acts
          with its role; revoking it takes effect at once.
        </p>
        <form className={styles.form} onSubmit={addKey} aria-label="Create an API key">
          <label>
            Name
            <input name="name" required maxLength={100} />
          </label>
          <label>
            Role
            <select name="role" defaultValue="viewer">
              {roleOptions}
            </select>
          </label>
          <button type="submit" className="button button--primary">
            Create key
          </button>
        </form>
        {token ? (
          <p className={styles.secret} role="status" aria-label="New API key">
            Key <strong>{token.name}</strong> (shown once, copy it now):{" "}
            <code data-testid="api-key-token">{token.token}</code>
          </p>
        ) : null}
        <table className={styles.table} aria-label="API keys">
          <thead>
            <tr>
              <th>Name</th>
              <th>Role</th>
              <th>Key</th>
              <th>Created</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {keys.map((key) => (
              <tr key={key.id}>
                <td>{key.name}</td>
                <td>{key.role}</td>
                <td>
                  <code>{key.prefix}…</code>
                </td>
                <td>
                  {when(key.createdAt)} by {key.createdBy}
                </td>
                <td>{when(key.lastUsedAt)}</td>
                <td>
                  {key.revokedAt ? (
                    `revoked ${when(key.revokedAt)}`
                  ) : (
                    <button
                      type="button"
                      className="button button--small"
                      onClick={() => void act(() => sendJson("DELETE", `/api/keys/${key.id}`))}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      <section className={styles.panel} aria-labelledby="audit-heading">
        <h2 id="audit-heading">Audit log</h2>
        <table className={styles.table} aria-label="Audit log">
          <thead>
            <tr>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Target</th>
            </tr>
          </thead>
          <tbody>
            {audit.map((event) => (
              <tr key={event.id}>
                <td>{when(event.at)}</td>
                <td>{event.actorLabel}</td>
                <td>{event.action}</td>
                <td>
                  {event.targetType}{" "}
                  {typeof event.detail.name === "string" ? event.detail.name : ""}{" "}
                  <code>{event.targetId ?? ""}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </main>
  );
}

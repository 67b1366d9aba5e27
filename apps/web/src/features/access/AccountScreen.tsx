"use client";

import { type FormEvent, useState } from "react";
import type { Role } from "../../shared/roles";
import { sendJson } from "../live/api";
import styles from "./access.module.css";

/** The signed-in user: who they are, their role, and a password change. */
export function AccountScreen({ me }: { me: { label: string; role: Role } }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  async function changePassword(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    try {
      await sendJson("POST", "/api/auth/change-password", {
        currentPassword: String(form.get("current") ?? ""),
        newPassword: String(form.get("next") ?? ""),
        // Other browsers signed in as this user are signed out.
        revokeOtherSessions: true,
      });
      formElement.reset();
      setMessage({ ok: true, text: "Password changed; other sessions were signed out." });
    } catch (problem) {
      setMessage({ ok: false, text: (problem as Error).message });
    }
  }

  return (
    <main className={styles.screen}>
      <nav aria-label="Pages">
        <a href="/">← Fleet map</a>
      </nav>
      <h1>Account</h1>
      <section className={styles.panel} aria-labelledby="me-heading">
        <h2 id="me-heading">Signed in as</h2>
        <p>
          {me.label} <span className="role-badge">{me.role}</span>
        </p>
      </section>
      <section className={styles.panel} aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <form className={styles.form} onSubmit={(event) => void changePassword(event)}>
          <label>
            Current password
            <input name="current" type="password" autoComplete="current-password" required />
          </label>
          <label>
            New password (10+ characters)
            <input
              name="next"
              type="password"
              autoComplete="new-password"
              minLength={10}
              required
            />
          </label>
          <button type="submit" className="button button--primary">
            Change password
          </button>
        </form>
        {message ? (
          <p role={message.ok ? "status" : "alert"} className={message.ok ? "" : "form-error"}>
            {message.text}
          </p>
        ) : null}
      </section>
    </main>
  );
}

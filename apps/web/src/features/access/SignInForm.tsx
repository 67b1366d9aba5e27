"use client";

import { type FormEvent, useState } from "react";
import { ApiError, sendJson } from "../live/api";
import styles from "./access.module.css";

/** Email and password; on success the browser holds an HTTP-only session cookie. */
export function SignInForm({ next }: { next: string }) {
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    setBusy(true);
    try {
      await sendJson("POST", "/api/auth/sign-in/email", {
        email: String(form.get("email") ?? ""),
        password: String(form.get("password") ?? ""),
      });
      window.location.assign(next);
    } catch (problem) {
      setError(
        problem instanceof ApiError && problem.status === 401
          ? "Wrong email or password."
          : (problem as Error).message,
      );
      setBusy(false);
    }
  }

  return (
    <main className={styles.signIn}>
      <form className={styles.card} onSubmit={(event) => void submit(event)}>
        <h1>Fleetstream</h1>
        <p className={styles.muted}>Sign in to see your fleet.</p>
        <label>
          Email
          <input name="email" type="email" autoComplete="username" required />
        </label>
        <label>
          Password
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {error ? (
          <p role="alert" className="form-error">
            {error}
          </p>
        ) : null}
        <button type="submit" className="button button--primary" disabled={busy}>
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className={styles.muted}>
          No account? Ask an administrator. The demo (<code>npm start</code>) printed its admin
          account when it started.
        </p>
      </form>
    </main>
  );
}

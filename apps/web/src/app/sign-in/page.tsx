import type { Metadata } from "next";
import { SignInForm } from "../../features/access/SignInForm";

export const metadata: Metadata = { title: "Fleetstream — sign in" };

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

/** Where to go after signing in: a path on this site only (never another origin). */
function safeNext(value: string | string[] | undefined): string {
  return typeof value === "string" && value.startsWith("/") && !value.startsWith("//")
    ? value
    : "/";
}

export default async function SignInPage({ searchParams }: { searchParams: SearchParams }) {
  return <SignInForm next={safeNext((await searchParams).next)} />;
}

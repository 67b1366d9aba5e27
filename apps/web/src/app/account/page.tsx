import type { Metadata } from "next";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { AccountScreen } from "../../features/access/AccountScreen";
import { principalOf } from "../../server/auth/roles";

export const metadata: Metadata = { title: "Fleetstream — account" };

export default async function AccountPage() {
  const me = principalOf(await headers());
  if (!me) redirect("/sign-in");
  return <AccountScreen me={{ label: me.label, role: me.role }} />;
}

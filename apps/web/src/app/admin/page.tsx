import type { Metadata } from "next";
import { AdminScreen } from "../../features/access/AdminScreen";

export const metadata: Metadata = { title: "Fleetstream — admin" };

// Users, API keys and the audit log (admins; the server's gate refuses everyone else).
export default function AdminPage() {
  return <AdminScreen />;
}

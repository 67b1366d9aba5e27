import type { Metadata } from "next";
import { WebhooksScreen } from "../../features/webhooks/WebhooksScreen";

export const metadata: Metadata = { title: "Fleetstream — webhooks" };

// The Webhooks screen at /webhooks (issue 10); the dashboard layout (issue 9) links it in.
export default function WebhooksPage() {
  return <WebhooksScreen />;
}

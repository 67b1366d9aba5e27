import { route } from "../../../../../../server/context";

// POST { "since": ISO time }: sends every failed delivery created since then again.
export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>((api, request, { id }) =>
  api.webhooks.redeliverFailed(request, id),
);

import { route } from "../../../../../../server/context";

// POST: a new signing secret; the previous one keeps signing for 24 hours.
export const dynamic = "force-dynamic";
export const POST = route<{ id: string }>((api, _request, { id }) => api.webhooks.rotateSecret(id));

import { route } from "../../../../server/context";

// DELETE /api/keys/:id revokes an API key at once (admins).
export const dynamic = "force-dynamic";
export const DELETE = route<{ id: string }>((api, request, { id }) =>
  api.access.revokeKey(request, id),
);

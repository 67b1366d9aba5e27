import { route } from "../../../server/context";

// GET /api/replay?trucks=T-1,T-2&from=&to=: trails and alerts of trucks over a time range.
export const dynamic = "force-dynamic";
export const GET = route((api, request) => api.replay.get(request));

import { route } from "../../../../server/context";

// GET lists webhook endpoints with their delivery health; POST registers one (201 with the
// signing secret, shown this once). Contract: packages/contracts src/api.ts.
export const dynamic = "force-dynamic";
export const GET = route((api) => api.webhooks.listEndpoints());
export const POST = route((api, request) => api.webhooks.createEndpoint(request));

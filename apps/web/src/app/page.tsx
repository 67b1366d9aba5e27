import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { connection } from "next/server";
import { OSM_TILE_URL, tileLayerConfig } from "../features/fleet-map/tiles";
import { Console } from "../features/shell/Console";
import { parseViewState } from "../features/shell/view-state";
import { principalOf } from "../server/auth/roles";
import { webContext } from "../server/context";
import { DEFAULT_OFFLINE_AFTER_MS } from "../shared/truck-status";

type SearchParams = Promise<Record<string, string | string[] | undefined>>;

// The operations console. Settings come from the running server (read per request, so changing
// MAP_TILE_URL or TRUCK_OFFLINE_AFTER_S needs a restart, not a rebuild); the view from the URL.
export default async function HomePage({ searchParams }: { searchParams: SearchParams }) {
  await connection();
  const config = webContext()?.config;
  // The server's gate lets no one here without a principal; this is the belt to its braces.
  const me = principalOf(await headers());
  if (!me) redirect("/sign-in");
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(await searchParams)) {
    if (typeof value === "string") params.set(key, value);
  }
  return (
    <Console
      initialView={parseViewState(params.toString())}
      config={{
        tiles: tileLayerConfig(config?.tileUrl ?? OSM_TILE_URL),
        offlineAfterMs: config?.offlineAfterMs ?? DEFAULT_OFFLINE_AFTER_MS,
        roadNetwork: config?.roadNetwork ?? false,
        speedingThresholdKmh: config?.speedingThresholdKmh ?? 90,
        me: { label: me.label, role: me.role },
      }}
    />
  );
}

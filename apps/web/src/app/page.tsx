import { FleetDashboard } from "../components/fleet/FleetDashboard";
import { getTileLayerConfig } from "../lib/map/map-config";

export default async function HomePage() {
  const tiles = await getTileLayerConfig();
  return <FleetDashboard tiles={tiles} />;
}

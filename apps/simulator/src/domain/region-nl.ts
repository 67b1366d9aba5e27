import type { LonLat } from "./geo";
import type { RoadClass } from "./leg";

/**
 * Built-in region: the Netherlands. Places are real city centres, logistics hubs and motorway
 * junctions (coordinates rounded to ~100 m, from public gazetteer data); roads follow the
 * numbered motorways (A-roads) and a few provincial N-roads between them, through the named
 * junctions. Between junctions the simulator adds a gentle deterministic curve so the roads are
 * not ruler-straight (see region.ts). Distances along these roads are within ~10% of the real
 * driving distance; this is demo data, not a road map.
 */

export type PlaceKind = "city" | "depot" | "junction";

export interface Place {
  id: string;
  name: string;
  kind: PlaceKind;
  lon: number;
  lat: number;
}

export interface Road {
  /** Road number, e.g. "A2". */
  ref: string;
  roadClass: RoadClass;
  /** Place ids, in driving order (both directions are driven). */
  via: readonly string[];
}

const place = (id: string, name: string, kind: PlaceKind, lat: number, lon: number): Place => ({
  id,
  name,
  kind,
  lat,
  lon,
});

export const NL_PLACES: readonly Place[] = [
  // Distribution centres the trucks start from.
  place("dc-maasvlakte", "DC Maasvlakte", "depot", 51.955, 4.035),
  place("dc-moerdijk", "DC Moerdijk", "depot", 51.683, 4.597),
  place("dc-tilburg", "DC Tilburg", "depot", 51.587, 5.016),
  place("dc-venlo", "DC Venlo", "depot", 51.392, 6.118),
  place("dc-schiphol", "DC Schiphol", "depot", 52.291, 4.745),
  place("dc-zwolle", "DC Zwolle", "depot", 52.493, 6.041),
  // Cities (delivery destinations).
  place("amsterdam", "Amsterdam", "city", 52.368, 4.904),
  place("rotterdam", "Rotterdam", "city", 51.924, 4.478),
  place("den-haag", "Den Haag", "city", 52.071, 4.301),
  place("utrecht", "Utrecht", "city", 52.091, 5.121),
  place("eindhoven", "Eindhoven", "city", 51.442, 5.47),
  place("groningen", "Groningen", "city", 53.219, 6.567),
  place("tilburg", "Tilburg", "city", 51.556, 5.091),
  place("almere", "Almere", "city", 52.351, 5.265),
  place("breda", "Breda", "city", 51.572, 4.768),
  place("nijmegen", "Nijmegen", "city", 51.813, 5.837),
  place("apeldoorn", "Apeldoorn", "city", 52.211, 5.97),
  place("arnhem", "Arnhem", "city", 51.985, 5.899),
  place("haarlem", "Haarlem", "city", 52.387, 4.646),
  place("enschede", "Enschede", "city", 52.222, 6.894),
  place("amersfoort", "Amersfoort", "city", 52.156, 5.388),
  place("zwolle", "Zwolle", "city", 52.517, 6.083),
  place("leeuwarden", "Leeuwarden", "city", 53.201, 5.8),
  place("maastricht", "Maastricht", "city", 50.851, 5.691),
  place("den-bosch", "'s-Hertogenbosch", "city", 51.698, 5.304),
  place("venlo", "Venlo", "city", 51.37, 6.172),
  place("leiden", "Leiden", "city", 52.16, 4.497),
  place("dordrecht", "Dordrecht", "city", 51.813, 4.69),
  place("middelburg", "Middelburg", "city", 51.499, 3.614),
  place("alkmaar", "Alkmaar", "city", 52.632, 4.753),
  place("lelystad", "Lelystad", "city", 52.518, 5.471),
  place("assen", "Assen", "city", 52.993, 6.565),
  place("deventer", "Deventer", "city", 52.255, 6.164),
  place("hengelo", "Hengelo", "city", 52.266, 6.793),
  place("emmen", "Emmen", "city", 52.779, 6.9),
  place("heerlen", "Heerlen", "city", 50.888, 5.98),
  place("roermond", "Roermond", "city", 51.194, 5.987),
  place("gouda", "Gouda", "city", 52.012, 4.711),
  place("den-helder", "Den Helder", "city", 52.956, 4.76),
  place("goes", "Goes", "city", 51.504, 3.888),
  place("hoorn", "Hoorn", "city", 52.642, 5.06),
  place("heerenveen", "Heerenveen", "city", 52.96, 5.925),
  // Motorway junctions and waypoints the roads pass through.
  place("j-badhoevedorp", "Knooppunt Badhoevedorp", "junction", 52.337, 4.777),
  place("j-holendrecht", "Knooppunt Holendrecht", "junction", 52.287, 4.954),
  place("j-oudenrijn", "Knooppunt Oudenrijn", "junction", 52.072, 5.06),
  place("j-lunetten", "Knooppunt Lunetten", "junction", 52.061, 5.143),
  place("j-ridderkerk", "Knooppunt Ridderkerk", "junction", 51.871, 4.6),
  place("j-gorinchem", "Knooppunt Gorinchem", "junction", 51.842, 4.986),
  place("j-deil", "Knooppunt Deil", "junction", 51.879, 5.235),
  place("j-valburg", "Knooppunt Valburg", "junction", 51.911, 5.79),
  place("j-hooipolder", "Knooppunt Hooipolder", "junction", 51.659, 4.826),
  place("j-batadorp", "Knooppunt Batadorp", "junction", 51.431, 5.391),
  place("j-leenderheide", "Knooppunt Leenderheide", "junction", 51.403, 5.523),
  place("j-het-vonderen", "Knooppunt Het Vonderen", "junction", 51.115, 5.86),
  place("j-hoevelaken", "Knooppunt Hoevelaken", "junction", 52.176, 5.458),
  place("j-beekbergen", "Knooppunt Beekbergen", "junction", 52.155, 5.955),
  place("j-ewijk", "Knooppunt Ewijk", "junction", 51.861, 5.714),
  place("j-zaandam", "Knooppunt Zaandam", "junction", 52.444, 4.834),
  place("j-den-oever", "Den Oever (Afsluitdijk)", "junction", 52.934, 5.04),
  place("j-zurich", "Zurich (Afsluitdijk)", "junction", 53.11, 5.392),
  place("j-emmeloord", "Emmeloord", "junction", 52.711, 5.749),
  place("j-hoogeveen", "Hoogeveen", "junction", 52.726, 6.476),
  place("j-bergen-op-zoom", "Bergen op Zoom", "junction", 51.495, 4.291),
  place("j-delft", "Delft", "junction", 52.012, 4.357),
  place("j-kethelplein", "Kethelplein", "junction", 51.918, 4.36),
  place("j-prins-clausplein", "Prins Clausplein", "junction", 52.062, 4.382),
  place("j-grijsoord", "Knooppunt Grijsoord", "junction", 52.016, 5.808),
  place("j-rijnsweerd", "Knooppunt Rijnsweerd", "junction", 52.087, 5.165),
];

const road = (ref: string, roadClass: RoadClass, ...via: string[]): Road => ({
  ref,
  roadClass,
  via,
});

export const NL_ROADS: readonly Road[] = [
  road(
    "A4",
    "motorway",
    "amsterdam",
    "j-badhoevedorp",
    "dc-schiphol",
    "leiden",
    "j-prins-clausplein",
  ),
  road("A12", "motorway", "den-haag", "j-prins-clausplein", "gouda", "j-oudenrijn", "j-lunetten"),
  road("A12", "motorway", "j-lunetten", "j-grijsoord", "arnhem"),
  road("A13", "motorway", "j-prins-clausplein", "j-delft", "rotterdam"),
  road("A15", "motorway", "dc-maasvlakte", "j-kethelplein", "rotterdam", "j-ridderkerk"),
  road("A15", "motorway", "j-ridderkerk", "j-gorinchem", "j-deil", "j-valburg"),
  road("A16", "motorway", "j-ridderkerk", "dordrecht", "dc-moerdijk", "j-hooipolder", "breda"),
  road("A20", "motorway", "rotterdam", "gouda"),
  road("A2", "motorway", "amsterdam", "j-holendrecht", "j-oudenrijn", "j-deil", "den-bosch"),
  road("A2", "motorway", "den-bosch", "j-batadorp", "eindhoven", "j-leenderheide"),
  road("A2", "motorway", "j-leenderheide", "j-het-vonderen", "maastricht"),
  road("A73", "motorway", "j-het-vonderen", "roermond"),
  road("A76", "motorway", "maastricht", "heerlen"),
  road("A27", "motorway", "j-lunetten", "j-gorinchem", "j-hooipolder"),
  road("A27", "motorway", "j-lunetten", "j-rijnsweerd", "almere"),
  road("N", "urban", "utrecht", "j-rijnsweerd"),
  road("A28", "motorway", "j-rijnsweerd", "amersfoort", "j-hoevelaken", "dc-zwolle", "zwolle"),
  road("A28", "motorway", "zwolle", "j-hoogeveen", "assen", "groningen"),
  road("A1", "motorway", "j-holendrecht", "j-hoevelaken", "apeldoorn", "deventer"),
  road("A1", "motorway", "deventer", "hengelo", "enschede"),
  road("A50", "motorway", "den-bosch", "j-ewijk", "j-valburg", "j-grijsoord", "j-beekbergen"),
  road("A50", "motorway", "j-beekbergen", "apeldoorn", "dc-zwolle"),
  road("A325", "motorway", "arnhem", "nijmegen"),
  road("A73", "motorway", "j-ewijk", "nijmegen", "dc-venlo", "roermond"),
  road("N", "primary", "dc-venlo", "venlo"),
  road("A6", "motorway", "almere", "lelystad", "j-emmeloord", "heerenveen"),
  road("A6", "motorway", "almere", "j-holendrecht"),
  road("A7", "motorway", "heerenveen", "groningen"),
  road("A32", "motorway", "j-hoogeveen", "heerenveen", "leeuwarden"),
  road("A7", "motorway", "amsterdam", "j-zaandam", "hoorn", "j-den-oever", "j-zurich"),
  road("N31", "primary", "j-zurich", "leeuwarden"),
  road("A9", "motorway", "j-zaandam", "alkmaar"),
  road("N9", "primary", "alkmaar", "den-helder"),
  road("A9", "motorway", "haarlem", "j-badhoevedorp"),
  road(
    "A58",
    "motorway",
    "middelburg",
    "goes",
    "j-bergen-op-zoom",
    "breda",
    "dc-tilburg",
    "tilburg",
  ),
  road("A58", "motorway", "tilburg", "j-batadorp"),
  road("A65", "motorway", "tilburg", "den-bosch"),
  road("A67", "motorway", "j-leenderheide", "dc-venlo"),
  road("A37", "motorway", "j-hoogeveen", "emmen"),
  road("N34", "primary", "emmen", "groningen"),
  road("N355", "primary", "leeuwarden", "groningen"),
  road("A4", "motorway", "j-kethelplein", "j-delft"),
  road("A9", "motorway", "j-badhoevedorp", "j-holendrecht"),
  road("N57", "primary", "dc-maasvlakte", "middelburg"),
  road("N307", "primary", "zwolle", "lelystad"),
  road("N302", "primary", "lelystad", "hoorn"),
];

export const placeLonLat = (p: Place): LonLat => [p.lon, p.lat];

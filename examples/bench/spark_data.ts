/**
 * Deterministic earthquake CSVs for the spark benchmarks: rows resampled
 * (seeded) from the recorded USGS week, in USGS's CSV column layout, with
 * unique ids and shifted times. Written once into `out/` and reused.
 *
 * @module
 */

import { dirname } from "node:path";
import { seededRandom } from "../../internal/random.ts";
import { readRecordedWeek } from "../usgs_events.ts";

/** USGS CSV header (https://earthquake.usgs.gov/earthquakes/feed/v1.0/csv.php). */
export const HEADER =
  "time,latitude,longitude,depth,mag,magType,nst,gap,dmin,rms,net,id,updated,place,type,horizontalError,depthError,magError,magNst,status,locationSource,magSource";

interface Feature {
  id: string;
  properties: Record<string, unknown>;
  geometry: { coordinates: [number, number, number] };
}

/** The recorded features. */
export async function loadFeatures(): Promise<Feature[]> {
  return await readRecordedWeek() as Feature[];
}

function cell(v: unknown): string {
  return v === null || v === undefined ? "" : String(v);
}

function quote(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** Writes `rows` resampled rows to `path` unless a file of that name exists. */
export async function ensureQuakeCsv(
  path: string,
  rows: number,
): Promise<string> {
  try {
    await Deno.stat(path);
    return path;
  } catch {
    // generate below
  }
  const features = await loadFeatures();
  // Pre-render each feature once; rows differ only in id and time.
  const pre = features.map((f) => {
    const p = f.properties;
    const [lon, lat, depth] = f.geometry.coordinates;
    const mid = [
      lat,
      lon,
      depth,
      p.mag,
      p.magType,
      p.nst,
      p.gap,
      p.dmin,
      p.rms,
      p.net,
    ].map(cell)
      .join(",");
    const tail = `${quote(cell(p.place))},${cell(p.type)},,,,,${
      cell(p.status)
    },${cell(p.net)},${cell(p.net)}`;
    return {
      time: Number(p.time),
      updated: Number(p.updated),
      mid,
      tail,
      id: f.id,
    };
  });
  const next = seededRandom(0x2018_0207);
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.tmp`;
  const file = await Deno.open(tmp, {
    write: true,
    create: true,
    truncate: true,
  });
  const enc = new TextEncoder();
  let buf = HEADER + "\n";
  for (let i = 0; i < rows; i++) {
    const f = pre[Math.floor(next() * pre.length)]!;
    const shift = Math.floor(next() * 86_400_000);
    buf += `${new Date(f.time - shift).toISOString()},${f.mid},${f.id}x${i},${
      new Date(f.updated - shift).toISOString()
    },${f.tail}\n`;
    if (buf.length > 1 << 22) {
      await file.write(enc.encode(buf));
      buf = "";
    }
  }
  await file.write(enc.encode(buf));
  file.close();
  await Deno.rename(tmp, path);
  return path;
}

/** The text after the last comma of `place`, trimmed. */
export function regionOf(place: string | null): string {
  if (place === null) return "";
  return place.slice(place.lastIndexOf(",") + 1).trim();
}

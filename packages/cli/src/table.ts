/**
 * kubectl's plain tables: upper-case headers, columns padded to their widest cell and three spaces apart; the last
 * column is not padded (and may be cut to the terminal's width).
 */

/** Visible width: ANSI colour codes take no room. */
function width(text: string): number {
  return text.replace(/\x1b\[[0-9;]*m/g, "").length;
}

export function table(headers: readonly string[], rows: readonly (readonly string[])[], maxWidth = Number.POSITIVE_INFINITY): string[] {
  const all = [headers, ...rows];
  const widths = headers.map((_, i) => Math.max(...all.map((row) => width(row[i] ?? ""))));
  return all.map((row) => {
    const line = row.map((cell, i) => (i === row.length - 1 ? cell : cell + " ".repeat(widths[i]! - width(cell) + 3))).join("");
    return width(line) > maxWidth && width(line) === line.length ? `${line.slice(0, Math.max(0, maxWidth - 1))}…` : line;
  });
}

/**
 * An AGE cell as kubectl writes it (apimachinery's HumanDuration): `45s`, `3m20s`, `25m`, `5h10m`, `3d4h`, `120d`,
 * `2y30d`; `<unknown>` without a time.
 */
export function formatAge(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return "<unknown>";
  const s = Math.floor(seconds);
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return `${s}s`;
  const minutes = Math.floor(s / 60);
  const parts = (big: number, unit: string, small: number, smallUnit: string) => `${big}${unit}${small > 0 ? `${small}${smallUnit}` : ""}`;
  if (minutes < 10) return parts(minutes, "m", s % 60, "s");
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return parts(hours, "h", minutes % 60, "m");
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return parts(Math.floor(hours / 24), "d", hours % 24, "h");
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  if (hours < 24 * 365 * 8) return parts(Math.floor(hours / 24 / 365), "y", Math.floor(hours / 24) % 365, "d");
  return `${Math.floor(hours / 24 / 365)}y`;
}

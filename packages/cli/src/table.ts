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

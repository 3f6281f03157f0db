/**
 * CSV as RFC 4180 says: comma-separated, CRLF line ends, a field quoted when it holds a comma,
 * a quote, a line break or edge whitespace, quotes doubled inside. Strings that a spreadsheet
 * would run as a formula (=, +, -, @, tab, CR first) get a leading apostrophe (OWASP's advice
 * against CSV injection): promotion data comes partly from repository content.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return "";
  let text = typeof value === "string" ? value : String(value);
  if (typeof value === "string" && FORMULA_START.test(text)) text = `'${text}`;
  if (/[",\r\n]/.test(text) || /^\s|\s$/.test(text)) return `"${text.replaceAll('"', '""')}"`;
  return text;
}

export function csvRow(values: readonly CsvValue[]): string {
  return values.map(csvField).join(",");
}

/** Header row plus one row per record, CRLF-terminated. */
export function toCsv<T>(columns: readonly { header: string; value: (row: T) => CsvValue }[], rows: readonly T[]): string {
  const lines = [csvRow(columns.map((c) => c.header)), ...rows.map((r) => csvRow(columns.map((c) => c.value(r))))];
  return `${lines.join("\r\n")}\r\n`;
}

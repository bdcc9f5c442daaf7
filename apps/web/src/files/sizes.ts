/** A file's size as people read it, in the active language: "512 bytes", "1.4 MB". Counted in
 * 1024s, as the templates state their limits (10485760 bytes: "at most 10 MB"). */

const UNITS = ["byte", "kilobyte", "megabyte", "gigabyte"] as const;

export function formatFileSize(bytes: number, language: string): string {
  let size = bytes;
  let unit = 0;
  while (size >= 1024 && unit < UNITS.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return new Intl.NumberFormat(language, {
    style: "unit",
    unit: UNITS[unit],
    unitDisplay: unit === 0 ? "long" : "short",
    maximumFractionDigits: unit === 0 || size >= 100 ? 0 : 1,
  }).format(size);
}

import { create } from "qrcode";
import { useMemo } from "react";

/** A QR code drawn locally as SVG (one path of dark modules, a quiet zone of 4), named
 * for screen readers by `label`: nothing leaves the page, no image from elsewhere. */
export function QrCode({ value, label, size = 200 }: { value: string; label: string; size?: number }) {
  const { width, path } = useMemo(() => {
    const { modules } = create(value, { errorCorrectionLevel: "M" });
    const quiet = 4;
    let d = "";
    for (let row = 0; row < modules.size; row++) {
      for (let col = 0; col < modules.size; col++) {
        if (modules.get(row, col)) d += `M${String(col + quiet)} ${String(row + quiet)}h1v1h-1z`;
      }
    }
    return { width: modules.size + 2 * quiet, path: d };
  }, [value]);
  return (
    <svg
      role="img"
      aria-label={label}
      className="qr-code"
      viewBox={`0 0 ${String(width)} ${String(width)}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
    >
      <rect width={width} height={width} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}

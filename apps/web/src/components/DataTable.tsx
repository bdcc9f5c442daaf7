import type { ReactNode } from "react";

export interface Column<Row> {
  /** Unique among the columns */
  key: string;
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Numbers and dates read better right-aligned */
  align?: "start" | "end";
}

export interface DataTableProps<Row> {
  /** The table's accessible name, shown above it */
  caption: ReactNode;
  columns: readonly Column<Row>[];
  rows: readonly Row[];
  rowKey: (row: Row) => string;
  /** Shown in the body when there are no rows */
  emptyText: ReactNode;
  /** Hide the caption visually (it still names the table) */
  captionHidden?: boolean;
}

export function DataTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  emptyText,
  captionHidden = false,
}: DataTableProps<Row>) {
  return (
    <div className="table-scroll">
      <table className="data-table">
        <caption className={captionHidden ? "visually-hidden" : undefined}>{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" className={column.align === "end" ? "align-end" : undefined}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 ? (
            <tr>
              <td colSpan={columns.length} className="empty">
                {emptyText}
              </td>
            </tr>
          ) : (
            rows.map((row) => (
              <tr key={rowKey(row)}>
                {columns.map((column) => (
                  <td key={column.key} className={column.align === "end" ? "align-end" : undefined}>
                    {column.cell(row)}
                  </td>
                ))}
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}

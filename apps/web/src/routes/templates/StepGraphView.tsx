import type { StepGraph } from "./stepGraph";

export interface StepGraphViewProps {
  graph: StepGraph;
  /** The figure's caption, which also names the drawing */
  caption: string;
  /** Prefix of the nodes' element ids (`<prefix>-step-<id>`), unique on the page */
  idPrefix: string;
  /** Steps with problems, marked in the drawing */
  problemSteps?: ReadonlySet<string>;
  /** What a marked step's tooltip says, given its title */
  problemText?: (title: string) => string;
}

export function stepElementId(idPrefix: string, stepId: string): string {
  return `${idPrefix}-step-${stepId}`;
}

function pathOf(points: readonly { x: number; y: number }[]): string {
  return points.map((point, index) => `${index === 0 ? "M" : "L"}${point.x.toFixed(1)},${point.y.toFixed(1)}`).join(" ");
}

/** A template's steps as a drawing (the step list beside it says the same in text). */
export function StepGraphView({ graph, caption, idPrefix, problemSteps, problemText }: StepGraphViewProps) {
  const arrow = `${idPrefix}-arrow`;
  return (
    <figure className="step-graph">
      <figcaption>{caption}</figcaption>
      <div className="step-graph-scroll">
        <svg
          role="img"
          aria-label={caption}
          width={graph.width}
          height={graph.height}
          viewBox={`0 0 ${graph.width.toFixed(0)} ${graph.height.toFixed(0)}`}
        >
          <defs>
            <marker id={arrow} viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse">
              <path d="M0,0 L10,5 L0,10 z" className="graph-arrow" />
            </marker>
          </defs>
          {graph.edges.map((edge, index) => (
            <g key={`${edge.from}:${edge.to}:${String(index)}`} className="graph-edge">
              <path d={pathOf(edge.points)} markerEnd={`url(#${arrow})`} />
              {edge.label.length > 0 && (
                <g className="graph-edge-label">
                  <rect
                    x={edge.labelX - edge.labelWidth / 2}
                    y={edge.labelY - edge.labelHeight / 2}
                    width={edge.labelWidth}
                    height={edge.labelHeight}
                    rx={3}
                  />
                  {edge.label.map((line, lineIndex) => (
                    <text
                      key={line}
                      x={edge.labelX}
                      y={edge.labelY - edge.labelHeight / 2 + 11 + lineIndex * 15}
                      textAnchor="middle"
                    >
                      {line}
                    </text>
                  ))}
                </g>
              )}
            </g>
          ))}
          {graph.nodes.map((node) => {
            const left = node.x - node.width / 2;
            const top = node.y - node.height / 2;
            const problem = problemSteps?.has(node.id) === true;
            return (
              <g
                key={node.id}
                id={stepElementId(idPrefix, node.id)}
                className={`graph-node graph-node-${node.kind}${problem ? " has-problem" : ""}`}
              >
                {problem && problemText !== undefined && <title>{problemText(node.title)}</title>}
                <rect x={left} y={top} width={node.width} height={node.height} rx={node.kind === "end" ? node.height / 2 : 6} />
                {node.kind === "end" ? (
                  <text x={node.x} y={node.y + 5} textAnchor="middle" className="graph-node-title">
                    {node.title}
                  </text>
                ) : (
                  <>
                    <text x={node.x} y={top + 21} textAnchor="middle" className="graph-node-title">
                      {problem ? `⚠ ${node.title}` : node.title}
                    </text>
                    <text x={node.x} y={top + 40} textAnchor="middle" className="graph-node-type">
                      {node.type}
                    </text>
                  </>
                )}
              </g>
            );
          })}
        </svg>
      </div>
    </figure>
  );
}

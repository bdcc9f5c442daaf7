/** The step graph of a template, laid out by dagre for drawing as SVG: a node per step
 * (its title in the reader's language and its type), the end, and an edge per `next`
 * transition labelled with its condition, gates and roles. */
import { Graph, layout } from "@dagrejs/dagre";
import { inLanguage, type TemplateDefinition } from "./definition";

/** The id of the end node (step ids are lower case, so no step can take it) */
export const END = "END";

export interface GraphNode {
  id: string;
  kind: "step" | "end";
  title: string;
  /** The step's type; empty for the end */
  type: string;
  /** Centre */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface GraphEdge {
  from: string;
  /** A step id, or END */
  to: string;
  /** The label's lines: the condition (`when`), then gates and roles when present */
  label: string[];
  /** Where the edge runs, first point at its source */
  points: { x: number; y: number }[];
  /** Label centre */
  labelX: number;
  labelY: number;
  labelWidth: number;
  labelHeight: number;
}

export interface StepGraph {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export interface GraphTexts {
  end: string;
  /** The label of a transition without a condition after others (taken when none holds) */
  otherwise: string;
  gates: (names: string) => string;
  roles: (names: string) => string;
}

// sizes in SVG user units (px): a node's title at 14px, labels at 12px
const TITLE_CHAR = 8;
const LABEL_CHAR = 7.8;
const LABEL_LINE = 15;
const NODE_HEIGHT = 52;
const MIN_NODE_WIDTH = 150;
const LABEL_WIDTH = 40;
const MARGIN = 12;

/** A condition in lines of at most `width` characters, broken at spaces where it can be,
 * and cut (…) after `maxLines` (its whole text is in the step list). */
export function wrapCondition(value: string, width = LABEL_WIDTH, maxLines = 3): string[] {
  const lines: string[] = [];
  let line = "";
  for (const word of value.split(/\s+/).filter((part) => part !== "")) {
    let rest = word;
    const candidate = line === "" ? rest : `${line} ${rest}`;
    if (candidate.length <= width) {
      line = candidate;
      continue;
    }
    if (line !== "") lines.push(line);
    while (rest.length > width) {
      lines.push(rest.slice(0, width));
      rest = rest.slice(width);
    }
    line = rest;
  }
  if (line !== "") lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  const last = kept[maxLines - 1] ?? "";
  kept[maxLines - 1] = `${last.slice(0, width - 1)}…`;
  return kept;
}

/** A transition's label; `index`: its place among its step's transitions (the first
 * whose condition holds is taken) */
export function edgeLabel(
  transition: { when: string | null; gates: string[]; roles: string[] },
  index: number,
  texts: GraphTexts,
): string[] {
  const lines: string[] = [];
  if (transition.when !== null) lines.push(...wrapCondition(transition.when));
  else if (index > 0) lines.push(texts.otherwise);
  if (transition.gates.length > 0) lines.push(texts.gates(transition.gates.join(", ")));
  if (transition.roles.length > 0) lines.push(texts.roles(transition.roles.join(", ")));
  return lines;
}

interface EdgeValue {
  label: string[];
  width: number;
  height: number;
  points?: { x: number; y: number }[];
  x?: number;
  y?: number;
}

/** The graph of `definition`, positioned top to bottom. */
export function layoutStepGraph(definition: TemplateDefinition, language: string, texts: GraphTexts): StepGraph {
  const graph = new Graph<object, { width: number; height: number; x?: number; y?: number }, EdgeValue>({
    multigraph: true,
  });
  graph.setGraph({ rankdir: "TB", nodesep: 40, ranksep: 56, edgesep: 20, marginx: 12, marginy: 12 });

  const nodes = new Map<string, Omit<GraphNode, "x" | "y">>();
  for (const step of definition.steps) {
    const title = inLanguage(step.title, language, step.id);
    const width = Math.max(MIN_NODE_WIDTH, Math.max(title.length, step.type.length) * TITLE_CHAR + 28);
    nodes.set(step.id, { id: step.id, kind: "step", title, type: step.type, width, height: NODE_HEIGHT });
  }
  nodes.set(END, { id: END, kind: "end", title: texts.end, type: "", width: 96, height: 40 });
  for (const node of nodes.values()) graph.setNode(node.id, { width: node.width, height: node.height });

  const edgeNames: { from: string; to: string; name: string }[] = [];
  for (const step of definition.steps) {
    step.transitions.forEach((transition, index) => {
      // a transition to an unknown step (a file with mistakes) is drawn to nowhere: left out
      const to = transition.to ?? END;
      if (!nodes.has(to)) return;
      const label = edgeLabel(transition, index, texts);
      const width = label.length === 0 ? 0 : Math.max(...label.map((line) => line.length)) * LABEL_CHAR + 16;
      const name = `${step.id}:${String(index)}`;
      graph.setEdge(step.id, to, { label, width, height: label.length * LABEL_LINE, ...(label.length > 0 ? { labelpos: "c" } : {}) }, name);
      edgeNames.push({ from: step.id, to, name });
    });
  }

  layout(graph);

  const laidOut: GraphNode[] = [...nodes.values()].map((node) => {
    const position = graph.node(node.id);
    return { ...node, x: position.x ?? 0, y: position.y ?? 0 };
  });
  const edges: GraphEdge[] = edgeNames.map(({ from, to, name }) => {
    const value = graph.edge(from, to, name);
    return {
      from,
      to,
      label: value.label,
      points: value.points ?? [],
      labelX: value.x ?? 0,
      labelY: value.y ?? 0,
      labelWidth: value.width,
      labelHeight: value.height,
    };
  });
  return fitted(laidOut, edges);
}

/** The drawing moved to start at the margin, sized to hold every node, edge and label
 * (dagre's own size can leave out an edge routed around the others). */
function fitted(nodes: GraphNode[], edges: GraphEdge[]): StepGraph {
  const xs: number[] = [];
  const ys: number[] = [];
  for (const node of nodes) {
    xs.push(node.x - node.width / 2, node.x + node.width / 2);
    ys.push(node.y - node.height / 2, node.y + node.height / 2);
  }
  for (const edge of edges) {
    for (const point of edge.points) {
      xs.push(point.x);
      ys.push(point.y);
    }
    if (edge.label.length > 0) {
      xs.push(edge.labelX - edge.labelWidth / 2, edge.labelX + edge.labelWidth / 2);
      ys.push(edge.labelY - edge.labelHeight / 2, edge.labelY + edge.labelHeight / 2);
    }
  }
  if (xs.length === 0) return { nodes, edges, width: 0, height: 0 };
  const dx = MARGIN - Math.min(...xs);
  const dy = MARGIN - Math.min(...ys);
  return {
    nodes: nodes.map((node) => ({ ...node, x: node.x + dx, y: node.y + dy })),
    edges: edges.map((edge) => ({
      ...edge,
      points: edge.points.map((point) => ({ x: point.x + dx, y: point.y + dy })),
      labelX: edge.labelX + dx,
      labelY: edge.labelY + dy,
    })),
    width: Math.max(...xs) + dx + MARGIN,
    height: Math.max(...ys) + dy + MARGIN,
  };
}

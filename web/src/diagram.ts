/** Appends a classDef that marks `state` in the saga's Mermaid source (from saga.diagram). */
export function highlightState(source: string, state: string | null): string {
  if (!state || !/^[A-Z_]+$/.test(state)) return source;
  return `${source.trimEnd()}\n  classDef current fill:#ffe08a,stroke:#b45309,stroke-width:3px,color:#1f2937,font-weight:bold\n  class ${state} current\n`;
}

import { useQuery } from '@tanstack/react-query';
import { useEffect, useId, useState } from 'react';
import { trpc } from '../api/client';
import { highlightState } from '../diagram';
import { ErrorNote } from './bits';

/** The saga definition as drawn by Mermaid (bundled, loaded on first use), the current state highlighted. */
export function SagaDiagram({ state }: { state: string | null }) {
  const source = useQuery({ queryKey: ['saga.diagram'], queryFn: () => trpc.saga.diagram.query(), staleTime: Number.POSITIVE_INFINITY });
  const [svg, setSvg] = useState<string | null>(null);
  const [failure, setFailure] = useState<unknown>(null);
  const id = `saga-diagram-${useId().replace(/[^a-zA-Z0-9]/g, '')}`;

  useEffect(() => {
    if (!source.data) return;
    let current = true;
    void (async () => {
      try {
        const { default: mermaid } = await import('mermaid');
        mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'neutral', fontFamily: 'inherit' });
        const out = await mermaid.render(id, highlightState(source.data, state));
        if (current) setSvg(out.svg);
      } catch (error) {
        if (current) setFailure(error);
      }
    })();
    return () => {
      current = false;
    };
  }, [source.data, state, id]);

  if (source.error) return <ErrorNote error={source.error} prefix="saga.diagram" />;
  if (failure) return <ErrorNote error={failure} prefix="drawing the diagram" />;
  if (!svg) return <p className="muted">drawing the saga diagram…</p>;
  return <div className="diagram" data-testid="saga-diagram" data-state={state ?? ''} dangerouslySetInnerHTML={{ __html: svg }} />;
}
